// Package conformancetest is the conformance suite itself: the behaviours
// every ledger must show, run through conformance's probe contract by the
// mock stub's unit test and by the end-to-end suite on real peers. It is a
// test helper, as net/http/httptest is, so the probe package stays free of
// test libraries.
package conformancetest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/autoledger/autoledger/chaincode/conformance"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Call is one transaction of the probe contract.
type Call struct {
	// Org is the MSP ID of the client (and, unless PeerOrg is set, of the peer).
	Org string
	// PeerOrg is the MSP ID of the peer that evaluates the call.
	PeerOrg   string
	Function  string
	Args      []string
	Transient map[string][]byte
	// WantEvent asks the target to report the committed transaction's
	// chaincode event (a real network needs an event stream for that).
	WantEvent bool
}

// Outcome is what a client learns from a call.
type Outcome struct {
	Payload   []byte
	Err       error
	EventName string
	Event     []byte
	TxID      string
}

// Target runs probe calls on some ledger: the mock stub or a real network.
type Target interface {
	// Submit endorses and commits; the outcome's Err is set when the
	// chaincode failed (nothing was committed then).
	Submit(t *testing.T, c Call) Outcome
	// Evaluate executes without committing.
	Evaluate(t *testing.T, c Call) Outcome
}

// Orgs used by the suite: the collection "owners" has OemMSP, DealerMSP and
// InsurerMSP as members; SupplierMSP is not one.
const (
	Member    = "OemMSP"
	NonMember = "SupplierMSP"
	// Collection is the private data collection the suite writes.
	Collection = "owners"
)

// Run runs every behaviour on target. prefix keeps keys of separate runs
// apart on a long-lived ledger; use a fresh one per run.
func Run(t *testing.T, target Target, prefix string) {
	k := func(s string) string { return prefix + s }
	submit := func(t *testing.T, fn string, args ...string) Outcome {
		return target.Submit(t, Call{Org: Member, Function: "probe:" + fn, Args: args})
	}
	eval := func(t *testing.T, fn string, args ...string) Outcome {
		return target.Evaluate(t, Call{Org: Member, Function: "probe:" + fn, Args: args})
	}
	str := func(t *testing.T, o Outcome) string {
		t.Helper()
		require.NoError(t, o.Err)
		return string(o.Payload) // contract-api returns strings unquoted
	}
	list := func(t *testing.T, o Outcome) []string {
		t.Helper()
		require.NoError(t, o.Err)
		var s []string
		require.NoError(t, json.Unmarshal(o.Payload, &s), "payload %q", o.Payload)
		return s
	}
	jsonArg := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	t.Run("read after write sees the committed value", func(t *testing.T) {
		require.NoError(t, submit(t, "Put", k("raw"), "old").Err)
		assert.Equal(t, "old", str(t, submit(t, "PutThenGet", k("raw"), "new")))
		assert.Equal(t, "new", str(t, eval(t, "Get", k("raw"))))
	})

	t.Run("range scan does not see own writes", func(t *testing.T) {
		require.NoError(t, submit(t, "Put", k("scan/a"), "1").Err)
		keys := list(t, submit(t, "PutThenScan", k("scan/b"), k("scan/"), k("scan0")))
		assert.Equal(t, []string{k("scan/a")}, keys)
		assert.Equal(t, []string{k("scan/a"), k("scan/b")}, list(t, eval(t, "Scan", k("scan/"), k("scan0"))))
	})

	t.Run("a failed transaction commits nothing", func(t *testing.T) {
		require.NoError(t, submit(t, "Put", k("fail"), "kept").Err)
		assert.Error(t, submit(t, "PutThenFail", k("fail"), "lost").Err)
		assert.Equal(t, "kept", str(t, eval(t, "Get", k("fail"))))
	})

	t.Run("range scan is ordered and end-exclusive", func(t *testing.T) {
		for _, s := range []string{"c", "a", "b", "d"} {
			require.NoError(t, submit(t, "Put", k("rng/"+s), s).Err)
		}
		assert.Equal(t, []string{k("rng/a"), k("rng/b"), k("rng/c")}, list(t, eval(t, "Scan", k("rng/a"), k("rng/d"))))
	})

	t.Run("partial composite key scan", func(t *testing.T) {
		obj := k("car")
		require.NoError(t, submit(t, "PutComposite", obj, jsonArg([]string{"V2", "e1"}), "x").Err)
		require.NoError(t, submit(t, "PutComposite", obj, jsonArg([]string{"V1", "e2"}), "b").Err)
		require.NoError(t, submit(t, "PutComposite", obj, jsonArg([]string{"V1", "e1"}), "a").Err)
		assert.Equal(t, []string{"V1/e1=a", "V1/e2=b"}, list(t, eval(t, "ScanComposite", obj, jsonArg([]string{"V1"}))))
		assert.Len(t, list(t, eval(t, "ScanComposite", obj, jsonArg([]string{}))), 3)
	})

	t.Run("pagination works read-only and is refused after a write", func(t *testing.T) {
		for _, s := range []string{"a", "b", "c"} {
			require.NoError(t, submit(t, "Put", k("pg/"+s), s).Err)
		}
		o := eval(t, "PageRange", k("pg/"), k("pg0"), "2", "")
		require.NoError(t, o.Err)
		var p conformance.Page
		require.NoError(t, json.Unmarshal(o.Payload, &p))
		assert.Equal(t, []string{k("pg/a"), k("pg/b")}, p.Keys)
		assert.Equal(t, int32(2), p.Fetched)
		require.NotEmpty(t, p.Bookmark)
		o = eval(t, "PageRange", k("pg/"), k("pg0"), "2", p.Bookmark)
		require.NoError(t, o.Err)
		require.NoError(t, json.Unmarshal(o.Payload, &p))
		assert.Equal(t, []string{k("pg/c")}, p.Keys)

		o = submit(t, "PutThenPage", k("pg/d"), k("pg/"), k("pg0"))
		require.Error(t, o.Err)
		assert.Contains(t, o.Err.Error(), "read-only transaction")
		assert.Empty(t, str(t, eval(t, "Get", k("pg/d"))))
	})

	t.Run("history is newest first with delete markers", func(t *testing.T) {
		first := submit(t, "Put", k("hist"), "v1")
		require.NoError(t, first.Err)
		require.NoError(t, submit(t, "Put", k("hist"), "v2").Err)
		del := submit(t, "Delete", k("hist"))
		require.NoError(t, del.Err)
		o := eval(t, "History", k("hist"))
		require.NoError(t, o.Err)
		var h []conformance.Modification
		require.NoError(t, json.Unmarshal(o.Payload, &h))
		require.Len(t, h, 3)
		assert.True(t, h[0].IsDelete)
		assert.Equal(t, del.TxID, h[0].TxID)
		assert.Equal(t, "v2", h[1].Value)
		assert.Equal(t, "v1", h[2].Value)
		assert.Equal(t, first.TxID, h[2].TxID)
	})

	t.Run("private data is refused on a non-member peer", func(t *testing.T) {
		secret := []byte("owner-ref-" + prefix)
		o := target.Submit(t, Call{Org: Member, Function: "probe:PutPrivate", Args: []string{Collection, k("pvt")},
			Transient: map[string][]byte{"value": secret}})
		require.NoError(t, o.Err)

		got := target.Evaluate(t, Call{Org: Member, PeerOrg: Member, Function: "probe:GetPrivate", Args: []string{Collection, k("pvt")}})
		assert.Equal(t, string(secret), str(t, got))

		got = target.Evaluate(t, Call{Org: NonMember, PeerOrg: NonMember, Function: "probe:GetPrivate", Args: []string{Collection, k("pvt")}})
		require.Error(t, got.Err)
		assert.NotContains(t, got.Err.Error(), string(secret))

		sum := sha256.Sum256(secret)
		h := target.Evaluate(t, Call{Org: NonMember, PeerOrg: NonMember, Function: "probe:PrivateHash", Args: []string{Collection, k("pvt")}})
		assert.Equal(t, hex.EncodeToString(sum[:]), str(t, h))
	})

	t.Run("the last event wins", func(t *testing.T) {
		o := target.Submit(t, Call{Org: Member, Function: "probe:TwoEvents", Args: []string{"First", "Second"}, WantEvent: true})
		require.NoError(t, o.Err)
		assert.Equal(t, "Second", o.EventName)
		assert.Equal(t, []byte("Second"), o.Event)
	})
}
