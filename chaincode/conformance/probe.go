// Package conformance holds the small Probe contract through which one
// behavioural suite (package conformancetest) runs both on the mock stub and
// on a real Fabric network. Where the two disagree, the stub is wrong.
package conformance

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

// Probe exercises one ledger behaviour per transaction. It exists for tests
// only and is never part of the production chaincode.
type Probe struct {
	contractapi.Contract
}

// NewProbe returns the contract, named "probe".
func NewProbe() *Probe {
	p := &Probe{}
	p.Name = "probe"
	return p
}

// Page is one page of a paginated range query.
type Page struct {
	Keys     []string `json:"keys"`
	Bookmark string   `json:"bookmark"`
	Fetched  int32    `json:"fetched"`
}

// Modification is one entry of a key's history.
type Modification struct {
	TxID     string `json:"txId"`
	Value    string `json:"value"`
	IsDelete bool   `json:"isDelete"`
}

// Put writes value under key.
func (p *Probe) Put(ctx contractapi.TransactionContextInterface, key, value string) error {
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get reads key.
func (p *Probe) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	v, err := ctx.GetStub().GetState(key)
	return string(v), err
}

// Delete deletes key.
func (p *Probe) Delete(ctx contractapi.TransactionContextInterface, key string) error {
	return ctx.GetStub().DelState(key)
}

// PutThenGet writes key and returns what a read of it sees in the same
// transaction.
func (p *Probe) PutThenGet(ctx contractapi.TransactionContextInterface, key, value string) (string, error) {
	if err := ctx.GetStub().PutState(key, []byte(value)); err != nil {
		return "", err
	}
	v, err := ctx.GetStub().GetState(key)
	return string(v), err
}

// PutThenScan writes key and returns the keys a range scan over [start,end)
// sees in the same transaction.
func (p *Probe) PutThenScan(ctx contractapi.TransactionContextInterface, key, start, end string) ([]string, error) {
	if err := ctx.GetStub().PutState(key, []byte("x")); err != nil {
		return nil, err
	}
	return p.Scan(ctx, start, end)
}

// PutThenFail writes key, then fails: nothing may be committed.
func (p *Probe) PutThenFail(ctx contractapi.TransactionContextInterface, key, value string) error {
	if err := ctx.GetStub().PutState(key, []byte(value)); err != nil {
		return err
	}
	return errors.New("probe: failing on purpose")
}

// Scan returns the keys in [start, end).
func (p *Probe) Scan(ctx contractapi.TransactionContextInterface, start, end string) ([]string, error) {
	it, err := ctx.GetStub().GetStateByRange(start, end)
	if err != nil {
		return nil, err
	}
	return keysOf(it)
}

func keysOf(it shim.StateQueryIteratorInterface) ([]string, error) {
	keys := []string{}
	err := kit.Each(it, func(kv *queryresult.KV) (bool, error) {
		keys = append(keys, kv.Key)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// PutComposite writes value under the composite key objectType/attrs.
func (p *Probe) PutComposite(ctx contractapi.TransactionContextInterface, objectType string, attrs []string, value string) error {
	k, err := ctx.GetStub().CreateCompositeKey(objectType, attrs)
	if err != nil {
		return err
	}
	return ctx.GetStub().PutState(k, []byte(value))
}

// ScanComposite returns "attr/attr=value" for each key under the partial
// composite key objectType/attrs.
func (p *Probe) ScanComposite(ctx contractapi.TransactionContextInterface, objectType string, attrs []string) ([]string, error) {
	stub := ctx.GetStub()
	it, err := stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	out := []string{}
	err = kit.Each(it, func(kv *queryresult.KV) (bool, error) {
		_, parts, err := stub.SplitCompositeKey(kv.Key)
		out = append(out, strings.Join(parts, "/")+"="+string(kv.Value))
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PageRange returns one page of [start, end).
func (p *Probe) PageRange(ctx contractapi.TransactionContextInterface, start, end string, size int32, bookmark string) (*Page, error) {
	it, md, err := ctx.GetStub().GetStateByRangeWithPagination(start, end, size, bookmark)
	if err != nil {
		return nil, err
	}
	keys, err := keysOf(it)
	if err != nil {
		return nil, err
	}
	return &Page{Keys: keys, Bookmark: md.GetBookmark(), Fetched: md.GetFetchedRecordsCount()}, nil
}

// PutThenPage writes key, then runs a paginated query, which a peer refuses
// in a writing transaction.
func (p *Probe) PutThenPage(ctx contractapi.TransactionContextInterface, key, start, end string) error {
	if err := ctx.GetStub().PutState(key, []byte("x")); err != nil {
		return err
	}
	it, _, err := ctx.GetStub().GetStateByRangeWithPagination(start, end, 10, "")
	if err != nil {
		return fmt.Errorf("paginated query: %w", err)
	}
	return it.Close()
}

// History returns key's committed versions, newest first.
func (p *Probe) History(ctx contractapi.TransactionContextInterface, key string) ([]Modification, error) {
	it, err := ctx.GetStub().GetHistoryForKey(key)
	if err != nil {
		return nil, err
	}
	out := []Modification{}
	err = kit.Each(it, func(m *queryresult.KeyModification) (bool, error) {
		out = append(out, Modification{TxID: m.TxId, Value: string(m.Value), IsDelete: m.IsDelete})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutPrivate writes the transient "value" under key in collection.
func (p *Probe) PutPrivate(ctx contractapi.TransactionContextInterface, collection, key string) error {
	t, err := ctx.GetStub().GetTransient()
	if err != nil {
		return err
	}
	v, ok := t["value"]
	if !ok {
		return errors.New("probe: transient field value is missing")
	}
	return ctx.GetStub().PutPrivateData(collection, key, v)
}

// GetPrivate reads key from collection on the executing peer.
func (p *Probe) GetPrivate(ctx contractapi.TransactionContextInterface, collection, key string) (string, error) {
	v, err := ctx.GetStub().GetPrivateData(collection, key)
	return string(v), err
}

// PrivateHash returns the hex SHA-256 every peer holds for a private key.
func (p *Probe) PrivateHash(ctx contractapi.TransactionContextInterface, collection, key string) (string, error) {
	h, err := ctx.GetStub().GetPrivateDataHash(collection, key)
	return hex.EncodeToString(h), err
}

// TwoEvents sets two events; Fabric keeps only the last.
func (p *Probe) TwoEvents(ctx contractapi.TransactionContextInterface, first, second string) error {
	if err := ctx.GetStub().SetEvent(first, []byte(first)); err != nil {
		return err
	}
	return ctx.GetStub().SetEvent(second, []byte(second))
}
