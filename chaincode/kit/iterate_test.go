package kit_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeIter yields kvs, then fails with nextErr (if set); Close returns closeErr.
type fakeIter struct {
	kvs      []*queryresult.KV
	nextErr  error
	closeErr error
	read     int
	closed   int
}

func (f *fakeIter) HasNext() bool {
	return f.read < len(f.kvs) || (f.nextErr != nil && f.read == len(f.kvs))
}

func (f *fakeIter) Next() (*queryresult.KV, error) {
	if f.read == len(f.kvs) {
		f.read++
		return nil, f.nextErr
	}
	f.read++
	return f.kvs[f.read-1], nil
}

func (f *fakeIter) Close() error {
	f.closed++
	return f.closeErr
}

type item struct {
	N int `json:"n"`
}

func items(ns ...int) []*queryresult.KV {
	out := make([]*queryresult.KV, len(ns))
	for i, n := range ns {
		b, _ := json.Marshal(item{N: n})
		out[i] = &queryresult.KV{Key: string(rune('a' + i)), Value: b}
	}
	return out
}

func TestCollectDecodesInOrderAndCloses(t *testing.T) {
	it := &fakeIter{kvs: items(1, 2, 3)}
	got, err := kit.Collect[item](it)
	require.NoError(t, err)
	assert.Equal(t, []item{{1}, {2}, {3}}, got)
	assert.Equal(t, 1, it.closed)
}

func TestCollectOfNothingIsEmptyNotNil(t *testing.T) {
	got, err := kit.Collect[item](&fakeIter{})
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestRangeStopsEarlyAndCloses(t *testing.T) {
	it := &fakeIter{kvs: items(1, 2, 3)}
	var keys []string
	err := kit.Range(it, func(key string, v item) (bool, error) {
		keys = append(keys, key)
		return v.N < 2, nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, keys)
	assert.Equal(t, 2, it.read, "nothing is read after fn says stop")
	assert.Equal(t, 1, it.closed)
}

func TestRangeReturnsTheErrorOfFnAsItIs(t *testing.T) {
	it := &fakeIter{kvs: items(1, 2)}
	stop := errors.New("stop")
	err := kit.Range(it, func(string, item) (bool, error) { return true, stop })
	assert.Same(t, stop, err)
	assert.Equal(t, 1, it.read)
	assert.Equal(t, 1, it.closed)
}

func TestRangeWrapsAnIteratorError(t *testing.T) {
	broken := errors.New("peer went away")
	it := &fakeIter{kvs: items(1), nextErr: broken}
	n := 0
	err := kit.Range(it, func(string, item) (bool, error) { n++; return true, nil })
	require.ErrorIs(t, err, broken)
	assert.Contains(t, err.Error(), "read next result")
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, it.closed)
}

func TestRangeNamesTheKeyItCannotDecode(t *testing.T) {
	it := &fakeIter{kvs: []*queryresult.KV{{Key: "k1", Value: []byte("not json")}}}
	_, err := kit.Collect[item](it)
	var syntax *json.SyntaxError
	require.ErrorAs(t, err, &syntax)
	assert.Contains(t, err.Error(), `decode "k1"`)
	assert.Equal(t, 1, it.closed)
}

func TestEachReportsAFailedClose(t *testing.T) {
	closing := errors.New("close failed")
	err := kit.Each(&fakeIter{kvs: items(1), closeErr: closing}, func(*queryresult.KV) (bool, error) { return true, nil })
	require.ErrorIs(t, err, closing)

	// The first error wins: a failed close does not hide why the loop stopped.
	stop := errors.New("stop")
	err = kit.Each(&fakeIter{kvs: items(1), closeErr: closing}, func(*queryresult.KV) (bool, error) { return false, stop })
	assert.Same(t, stop, err)
}
