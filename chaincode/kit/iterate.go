package kit

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

// Iterator is what the shim's range, composite-key and history iterators
// have in common.
type Iterator[R any] interface {
	HasNext() bool
	Next() (R, error)
	Close() error
}

// Each calls fn with each result of it, in order, until fn returns false or
// an error, and always closes it. An error of fn comes back as it is; an
// error reading the iterator comes back wrapped.
func Each[R any](it Iterator[R], fn func(R) (bool, error)) (err error) {
	defer func() {
		if cerr := it.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close iterator: %w", cerr)
		}
	}()
	for it.HasNext() {
		r, err := it.Next()
		if err != nil {
			return fmt.Errorf("read next result: %w", err)
		}
		if more, err := fn(r); err != nil || !more {
			return err
		}
	}
	return nil
}

// Range decodes the JSON value of each key of it into a T and calls fn with
// both, until fn returns false or an error; it always closes it.
func Range[T any](it shim.StateQueryIteratorInterface, fn func(key string, v T) (bool, error)) error {
	return Each(it, func(kv *queryresult.KV) (bool, error) {
		var v T
		if err := json.Unmarshal(kv.Value, &v); err != nil {
			return false, fmt.Errorf("decode %q: %w", kv.Key, err)
		}
		return fn(kv.Key, v)
	})
}

// Collect decodes every value of it, in key order, and closes it. The
// slice is empty, not nil, when there is none, so it encodes as [].
func Collect[T any](it shim.StateQueryIteratorInterface) ([]T, error) {
	out := []T{}
	err := Range(it, func(_ string, v T) (bool, error) {
		out = append(out, v)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
