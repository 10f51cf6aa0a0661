// Package kit is the plumbing every AutoLedger contract shares: the access
// check that runs before each transaction, the transaction clock, JSON state
// and events, and field validation that yields ccerr errors.
package kit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// DefaultTolerance is how far a transaction timestamp may be from the
// endorsing peer's clock.
const DefaultTolerance = 5 * time.Minute

// SchemaVersion is stamped on every stored record so that a later chaincode
// version can tell old records apart and migrate them.
const SchemaVersion = 1

// Config is what every contract needs from its host.
type Config struct {
	// PeerNow is the endorsing peer's clock. It is used only to refuse a
	// client-chosen timestamp far from it, never to compute state.
	PeerNow func() time.Time
	// Tolerance bounds |tx timestamp - PeerNow()| for writes.
	Tolerance time.Duration
}

// Option adjusts a Config.
type Option func(*Config)

// WithPeerClock sets the clock writes are checked against.
func WithPeerClock(now func() time.Time) Option { return func(c *Config) { c.PeerNow = now } }

// WithTolerance sets the allowed distance between a transaction timestamp and the peer clock.
func WithTolerance(d time.Duration) Option { return func(c *Config) { c.Tolerance = d } }

// NewConfig applies opts over the defaults (system clock, 5 minutes).
func NewConfig(opts ...Option) Config {
	c := Config{PeerNow: time.Now, Tolerance: DefaultTolerance}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Contract is what every AutoLedger contract embeds: contract-api's
// Contract, named and guarded by the contract's access policy before each
// transaction, with the host's Config and the list of read-only
// transactions. Its only method is one contract-api looks for; any other
// exported method would become a transaction of every contract.
type Contract struct {
	contractapi.Contract
	// Config holds the peer clock writes are checked against.
	Config   Config
	evaluate []string
}

// NewContract names a contract, checks p before each of its transactions,
// and marks the transactions in evaluate as read-only.
func NewContract(name string, p access.Policy, evaluate []string, opts ...Option) Contract {
	c := Contract{Config: NewConfig(opts...), evaluate: evaluate}
	c.Name = name
	c.BeforeTransaction = Before(p)
	return c
}

// GetEvaluateTransactions marks the read-only transactions in the metadata.
func (c *Contract) GetEvaluateTransactions() []string { return c.evaluate }

// Before returns a contract-api BeforeTransaction hook enforcing p.
func Before(p access.Policy) func(contractapi.TransactionContextInterface) error {
	return func(ctx contractapi.TransactionContextInterface) error {
		fn, _ := ctx.GetStub().GetFunctionAndParameters()
		caller, err := access.CallerOf(ctx.GetClientIdentity())
		if err != nil {
			return err
		}
		return p.Check(fn, caller)
	}
}

// Caller returns the calling MSP and role.
func Caller(ctx contractapi.TransactionContextInterface) (access.Caller, error) {
	return access.CallerOf(ctx.GetClientIdentity())
}

// TxTime returns the transaction timestamp, the only time chaincode state
// may depend on.
func TxTime(stub shim.ChaincodeStubInterface) (time.Time, error) {
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return time.Time{}, fmt.Errorf("read transaction timestamp: %w", err)
	}
	return ts.AsTime().UTC(), nil
}

// WriteTime returns the transaction timestamp of a writing transaction,
// refusing one further than the tolerance from the peer's clock.
func (c Config) WriteTime(stub shim.ChaincodeStubInterface) (time.Time, error) {
	ts, err := TxTime(stub)
	if err != nil {
		return ts, err
	}
	if d := ts.Sub(c.PeerNow()); d > c.Tolerance || d < -c.Tolerance {
		return ts, ccerr.New(ccerr.TimestampSkew, "transaction timestamp %s is %s from the endorsing peer's clock; at most %s is allowed",
			ts.Format(time.RFC3339), d.Round(time.Second), c.Tolerance)
	}
	return ts, nil
}

// Tx is what a writing transaction starts from: its stub, its time (the
// only time state may depend on) and the caller.
type Tx struct {
	Stub   shim.ChaincodeStubInterface
	Time   time.Time
	Caller access.Caller
}

// Validator is a request that checks its own fields.
type Validator interface{ Validate() error }

// Begin starts a writing transaction: the transaction time, refused when
// far from the peer's clock, then each request's own checks (a nil request
// has none), then the caller. Every write of every contract starts here,
// so the checks run in the same order everywhere.
func (c Config) Begin(ctx contractapi.TransactionContextInterface, reqs ...Validator) (Tx, error) {
	stub := ctx.GetStub()
	ts, err := c.WriteTime(stub)
	if err != nil {
		return Tx{}, err
	}
	for _, r := range reqs {
		if r == nil {
			continue
		}
		if err := r.Validate(); err != nil {
			return Tx{}, err
		}
	}
	caller, err := Caller(ctx)
	if err != nil {
		return Tx{}, err
	}
	return Tx{Stub: stub, Time: ts, Caller: caller}, nil
}

// BeginObserved is Begin for a write that records something observed at
// observed (a production, an assembly): that time may not be later than
// the transaction; field names it in the error.
func (c Config) BeginObserved(ctx contractapi.TransactionContextInterface, field string, observed time.Time, reqs ...Validator) (Tx, error) {
	tx, err := c.Begin(ctx, reqs...)
	if err != nil {
		return tx, err
	}
	return tx, NotAfterTx(field, observed, tx.Time)
}

// MustGet reads key into a new T; a key that does not exist is the error
// notFound returns (a NOT_FOUND in the contract's own words).
func MustGet[T any](stub shim.ChaincodeStubInterface, key string, notFound func() error) (*T, error) {
	var v T
	found, err := GetJSON(stub, key, &v)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, notFound()
	}
	return &v, nil
}

// Registered reads the T registered under id (a serial, a VIN) at key
// keyOf(id): an id that makes no key is INVALID_ARGUMENT on field, one
// never registered NOT_FOUND.
func Registered[T any](stub shim.ChaincodeStubInterface, what, field, id string, keyOf func(string) (string, error)) (*T, error) {
	key, err := keyOf(id)
	if err != nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, field, "key", "%v", err)
	}
	return MustGet[T](stub, key, func() error { return ccerr.New(ccerr.NotFound, "%s %s is not registered", what, id) })
}

// GetJSON reads key into v; found is false when the key does not exist.
func GetJSON(stub shim.ChaincodeStubInterface, key string, v any) (found bool, err error) {
	b, err := stub.GetState(key)
	return decode(b, err, key, v)
}

// GetPrivateJSON reads key of collection into v; found is false when the
// executing peer holds no such key.
func GetPrivateJSON(stub shim.ChaincodeStubInterface, collection, key string, v any) (found bool, err error) {
	b, err := stub.GetPrivateData(collection, key)
	return decode(b, err, collection+" "+key, v)
}

func decode(b []byte, err error, what string, v any) (bool, error) {
	if err != nil {
		return false, fmt.Errorf("read %q: %w", what, err)
	}
	if b == nil {
		return false, nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("decode %q: %w", what, err)
	}
	return true, nil
}

// PutJSON writes v under key.
func PutJSON(stub shim.ChaincodeStubInterface, key string, v any) error {
	return encode(fmt.Sprintf("%q", key), v, func(b []byte) error { return stub.PutState(key, b) })
}

// PutPrivateJSON writes v under key in collection.
func PutPrivateJSON(stub shim.ChaincodeStubInterface, collection, key string, v any) error {
	return encode(fmt.Sprintf("%q in %s", key, collection), v, func(b []byte) error { return stub.PutPrivateData(collection, key, b) })
}

// encode hands the JSON of v to write; what names the destination in errors.
func encode(what string, v any, write func([]byte) error) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", what, err)
	}
	if err := write(b); err != nil {
		return fmt.Errorf("write %s: %w", what, err)
	}
	return nil
}

// TransientJSON decodes the transient field name into v, then runs v's own
// checks. Private input (terms, amounts) comes this way so that it never
// reaches the public proposal.
func TransientJSON(stub shim.ChaincodeStubInterface, name string, v Validator) error {
	t, err := stub.GetTransient()
	if err != nil {
		return fmt.Errorf("read transient data: %w", err)
	}
	raw, ok := t[name]
	if !ok {
		return ccerr.Field(ccerr.MissingTransient, name, "required", "send the %s as transient data under %q", name, name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return ccerr.Field(ccerr.InvalidArgument, name, "json", "not valid JSON: %v", err)
	}
	return v.Validate()
}

// Emit sets the transaction's one chaincode event with a JSON payload.
func Emit(stub shim.ChaincodeStubInterface, name string, payload any) error {
	return encode("event "+name, payload, func(b []byte) error { return stub.SetEvent(name, b) })
}
