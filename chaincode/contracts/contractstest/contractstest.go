// Package contractstest runs the assembled AutoLedger contracts on the mock
// stub for unit tests, as net/http/httptest runs a handler: New gives a
// ledger with every contract, the channel's private data collections and a
// clock the test moves; Submit and Query take an org, a role and plain Go
// arguments; OK and FailsWith check the result.
package contractstest

import (
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"
)

// VINs the contract tests register. They are valid; the North American
// ones carry a right check digit, the European one has none to check.
const (
	USVIN  = "1M8GDM9AXKP042788"
	USVIN2 = "1G4AH59H45G118341"
	BEVVIN = "1HGCM82633A004352"
	EUVIN  = "WVWZZZ1JZXW000001"
)

// Ledger is a mock ledger running every contract. The embedded
// mockstub.Ledger gives the lower-level calls (Invoke, Evaluate, history,
// private data by peer).
type Ledger struct {
	*mockstub.Ledger
	// Clock is the transaction and peer clock; tests move it.
	Clock *mockstub.Clock
	// T is the test the ledger was made for, for helpers built on it.
	T   testing.TB
	ids map[[2]string]*mockstub.Identity
}

// shared is the one chaincode of the test binary and its peer clock.
var shared struct {
	once  sync.Once
	cc    *contractapi.ContractChaincode
	err   error
	clock atomic.Pointer[mockstub.Clock]
}

// New starts a ledger whose clock reads start; opts add to (or override)
// the clock and the collections of contracts.Collections.
//
// Every ledger of a test binary runs one chaincode, built once: building
// it (the contract API's reflection and metadata) costs about a second,
// more than most tests. Its peer clock is the clock of the ledger made
// last, so two ledgers of one test share the later one's peer clock; the
// package's tests do not run in parallel.
func New(t testing.TB, start time.Time, opts ...mockstub.Option) *Ledger {
	clock := mockstub.NewClock(start)
	shared.once.Do(func() {
		shared.cc, shared.err = contracts.New(kit.WithPeerClock(func() time.Time { return shared.clock.Load().Now() }))
	})
	require.NoError(t, shared.err)
	shared.clock.Store(clock)
	cc := shared.cc
	var colls []mockstub.Collection
	for _, name := range slices.Sorted(maps.Keys(contracts.Collections)) {
		colls = append(colls, mockstub.Collection{Name: name, Members: contracts.Collections[name],
			MemberOnlyRead: true, MemberOnlyWrite: true})
	}
	opts = append([]mockstub.Option{mockstub.WithClock(clock), mockstub.WithCollections(colls...)}, opts...)
	return &Ledger{Ledger: mockstub.New(t, cc, opts...), Clock: clock, T: t, ids: map[[2]string]*mockstub.Identity{}}
}

// As is a user of msp with role ("" for none): the same identity on every call.
func (l *Ledger) As(msp, role string) *mockstub.Identity {
	k := [2]string{msp, role}
	if l.ids[k] == nil {
		var opts []mockstub.IdentityOption
		if role != "" {
			opts = append(opts, mockstub.WithRole(role))
		}
		l.ids[k] = mockstub.NewIdentity(msp, opts...)
	}
	return l.ids[k]
}

// Reader is the role a test reads as where any role of msp may read: the
// first of its org's roles, or "" for an org that is no member. "Any role"
// grants admit only an org's listed roles (access.Roles).
func Reader(msp string) string {
	if roles := access.Roles[msp]; len(roles) > 0 {
		return roles[0]
	}
	return ""
}

// Submit invokes fn ("contract:Function") as msp's role user.
func (l *Ledger) Submit(msp, role, fn string, args ...any) *mockstub.Result {
	return l.Invoke(mockstub.Tx{Creator: l.As(msp, role), Function: fn, Args: Args(args...)})
}

// Query evaluates fn as msp's role user; nothing is committed.
func (l *Ledger) Query(msp, role, fn string, args ...any) *mockstub.Result {
	return l.Evaluate(mockstub.Tx{Creator: l.As(msp, role), Function: fn, Args: Args(args...)})
}

// Read evaluates fn as a user of msp with the role any member may read as
// (Reader).
func (l *Ledger) Read(msp, fn string, args ...any) *mockstub.Result {
	return l.Query(msp, Reader(msp), fn, args...)
}

// Args encodes transaction arguments: strings as they are, anything else as JSON.
func Args(in ...any) []string {
	out := make([]string, len(in))
	for i, a := range in {
		if s, ok := a.(string); ok {
			out[i] = s
		} else {
			out[i] = mockstub.JSON(a)
		}
	}
	return out
}

// OK requires success and decodes the payload into a fresh T.
func OK[T any](t testing.TB, r *mockstub.Result) T {
	t.Helper()
	require.True(t, r.OK(), "transaction failed: %s", r.Message)
	var v T
	require.NoError(t, json.Unmarshal(r.Payload, &v))
	return v
}

// FailsWith requires the transaction to fail with code and commit nothing.
func FailsWith(t testing.TB, r *mockstub.Result, code ccerr.Code) *ccerr.Error {
	t.Helper()
	require.False(t, r.OK(), "expected %s, transaction succeeded", code)
	require.False(t, r.Committed, "a failed transaction committed")
	e, found := ccerr.Decode(r.Message)
	require.True(t, found, "error without code: %s", r.Message)
	require.Equal(t, code, e.Code, e.Message)
	return e
}
