package purge

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
)

const (
	vin1 = "WVWZZZ1JZXW000001"
	vin2 = "WVWZZZ1JZXW000002"
)

var (
	t0     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	oem    = auth.Principal{Client: Client, Org: access.OemMSP, Role: "admin"}
	grantA = strings.Repeat("a", 64)
	grantB = strings.Repeat("b", 64)
	grantC = strings.Repeat("c", 64)
)

// fakeLedger answers consent:List from the grants it holds per car.
type fakeLedger struct {
	mu     sync.Mutex
	grants map[string][]consenttypes.GrantView
	lists  []string // the VINs listed, in order
	as     []auth.Principal
	fail   error // every List fails with it while set
}

func (l *fakeLedger) Evaluate(_ context.Context, pr auth.Principal, function string, args ...string) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if function != "consent:List" || len(args) != 1 {
		return nil, fmt.Errorf("unexpected query %s%v", function, args)
	}
	l.lists = append(l.lists, args[0])
	l.as = append(l.as, pr)
	if l.fail != nil {
		return nil, l.fail
	}
	return json.Marshal(consenttypes.GrantList{VIN: args[0], Grants: l.grants[args[0]]})
}

func (l *fakeLedger) set(vin string, gs ...consenttypes.GrantView) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.grants[vin] = gs
}

func (l *fakeLedger) listed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lists)
}

// fakeNet is the Transactor under the real Submitter: it records every
// proposal, fails those the test scripted, and commits the rest at once
// with the scripted validation code (VALID by default).
type fakeNet struct {
	mu      sync.Mutex
	reqs    []fabric.Request
	endorse map[int]error // the n-th proposal (from 0) fails with it
	code    peer.TxValidationCode
}

func (f *fakeNet) Endorse(_ context.Context, req fabric.Request) (string, fabric.Endorsed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, req)
	txID := fmt.Sprintf("tx%d", n)
	if err := f.endorse[n]; err != nil {
		return txID, nil, err
	}
	res, _ := json.Marshal(consenttypes.PurgeResult{VIN: req.Args[0], GrantID: req.Args[1],
		Purged: []consenttypes.PurgedShare{{Collection: "oemInsurer", Scope: consenttypes.ScopeDriving}}})
	return txID, fakeTx{txID: txID, result: res, code: f.code}, nil
}

func (f *fakeNet) Commit(_, _ string, b []byte) (fabric.Commit, error) {
	return fakeCommit{txID: string(b), code: peer.TxValidationCode_VALID}, nil
}

// purges returns the grant IDs of the purges proposed, in order.
func (f *fakeNet) purges() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.reqs {
		out = append(out, r.Args[1])
	}
	return out
}

func (f *fakeNet) requests() []fabric.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

type fakeTx struct {
	txID   string
	result []byte
	code   peer.TxValidationCode
}

func (t fakeTx) Result() []byte { return t.result }
func (t fakeTx) Submit(context.Context) (fabric.Commit, error) {
	return fakeCommit{txID: t.txID, code: t.code}, nil
}

type fakeCommit struct {
	txID string
	code peer.TxValidationCode
}

func (c fakeCommit) Bytes() ([]byte, error) { return []byte(c.txID), nil }
func (c fakeCommit) Status(...grpc.CallOption) (*client.Status, error) {
	return &client.Status{Code: c.code, Successful: c.code == peer.TxValidationCode_VALID, BlockNumber: 9, TransactionID: c.txID}, nil
}

// env is a sweeper over a real Submitter and store on fakes, with a clock
// the test moves.
type env struct {
	t      *testing.T
	path   string
	st     *store.Store
	sub    *fabric.Submitter
	sw     *Sweeper
	ledger *fakeLedger
	net    *fakeNet
	mu     sync.Mutex
	now    time.Time
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, path: filepath.Join(t.TempDir(), "gateway.db"), now: t0,
		ledger: &fakeLedger{grants: map[string][]consenttypes.GrantView{}}, net: &fakeNet{endorse: map[int]error{}}}
	e.open()
	t.Cleanup(e.close)
	return e
}

func (e *env) open() {
	st, err := store.Open(e.path)
	require.NoError(e.t, err)
	e.st = st
	log := slog.New(slog.DiscardHandler)
	e.sub = fabric.NewSubmitter(e.net, st, log, 0)
	e.sw, err = New(st.DB(), log, e.ledger, e.sub, []auth.Principal{oem}, WithClock(e.clock))
	require.NoError(e.t, err)
}

func (e *env) close() {
	if e.st == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	assert.NoError(e.t, e.sub.Shutdown(ctx))
	assert.NoError(e.t, e.st.Close())
	e.st = nil
}

// restart closes the store and opens a new sweeper on the same file, as a
// gateway restart does.
func (e *env) restart() {
	e.close()
	e.open()
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

var eventNo int

func (e *env) accept(name string, payload any) {
	e.t.Helper()
	raw, err := json.Marshal(payload)
	require.NoError(e.t, err)
	eventNo++
	require.NoError(e.t, e.sw.Accept(Event{ID: fmt.Sprintf("%d-tx%d", eventNo, eventNo), Name: name, Payload: raw}))
}

func (e *env) sweep() int { return e.sw.Sweep(context.Background()) }

func view(id, grantee string, live bool, notAfter time.Time) consenttypes.GrantView {
	return consenttypes.GrantView{Grant: consenttypes.Grant{ID: id, VIN: vin1, OwnerNo: 1, Grantee: grantee,
		Scopes: []string{consenttypes.ScopeDriving}, NotAfter: notAfter, GrantedAt: t0.Add(-24 * time.Hour)}, Live: live}
}

func revoked(vin, id string) consenttypes.ConsentRevoked {
	return consenttypes.ConsentRevoked{VIN: vin, GrantID: id, OwnerNo: 1, Grantee: access.InsurerMSP, RevokedAt: t0}
}

// A revocation makes the holder purge every ended grant of the car whose
// grantee it shares a collection with, endorsed by the holder alone; a live
// grant and a grant to an org it shares nothing with are left alone.
func TestRevocationPurgesEndedGrantsAsHolder(t *testing.T) {
	e := newEnv(t)
	year := t0.Add(365 * 24 * time.Hour)
	e.ledger.set(vin1,
		view(grantA, access.InsurerMSP, false, year), // the revoked one
		view(grantB, access.InsurerMSP, true, year),
		view(grantC, access.DealerMSP, false, year), // no share collection from the OEM to the dealer
	)
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	assert.Equal(t, 1, e.sweep())

	reqs := e.net.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "consent:Purge", reqs[0].Function)
	assert.Equal(t, []string{vin1, grantA}, reqs[0].Args)
	assert.Equal(t, []string{access.OemMSP}, reqs[0].Endorsers, "the holder alone endorses: the grantee cannot withhold it")
	assert.Equal(t, oem, reqs[0].Principal)
	assert.Equal(t, []auth.Principal{oem}, e.ledger.as, "the car is listed as the holder")

	// Nothing is due any more; another event on the car purges nothing twice.
	assert.Equal(t, 0, e.sweep())
	e.accept(ownertypes.EvOwnershipException, ownertypes.OwnershipException{VIN: vin1, Status: "proposed"})
	assert.Equal(t, 1, e.sweep())
	assert.Equal(t, []string{grantA}, e.net.purges())
}

// Every event that can end a grant has the car checked; other events,
// and events on cars with nothing ended, purge nothing.
func TestEventsThatEndGrantsTriggerPurges(t *testing.T) {
	payloads := map[string]any{
		consenttypes.EvConsentRevoked:     revoked(vin1, grantA),
		ownertypes.EvOwnershipTransferred: map[string]any{"vin": vin1, "seq": 4, "type": "OWNERSHIP_TRANSFERRED"},
		ownertypes.EvOwnershipException:   ownertypes.OwnershipException{VIN: vin1, Kind: "lost-key", Status: "applied"},
		ownertypes.EvOwnershipErased:      ownertypes.OwnershipErased{VIN: vin1, OwnerNo: 1, ErasedBy: "owner"},
	}
	for name, p := range payloads {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0.Add(time.Hour)))
			e.accept(name, p)
			e.sweep()
			assert.Equal(t, []string{grantA}, e.net.purges())
		})
	}
	t.Run("unrelated events", func(t *testing.T) {
		e := newEnv(t)
		e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0.Add(time.Hour)))
		e.accept(ownertypes.EvOwnershipClaimed, ownertypes.OwnershipClaimed{VIN: vin1, OwnerNo: 1})
		e.accept(consenttypes.EvConsentDataShared, consenttypes.ConsentDataShared{VIN: vin1, GrantID: grantA})
		e.accept(consenttypes.EvConsentRevoked, map[string]string{"grantId": grantA}) // no VIN: nothing to check
		assert.Equal(t, 0, e.sweep())
		assert.Empty(t, e.ledger.listed())
		assert.Empty(t, e.net.purges())
	})
}

// A grant is checked at its notAfter (plus the margin for shares stamped
// just before it), not before, and purged then.
func TestExpiredGrantPurgedAtNotAfter(t *testing.T) {
	e := newEnv(t)
	notAfter := t0.Add(30 * 24 * time.Hour)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, true, notAfter))
	e.accept(consenttypes.EvConsentGranted, consenttypes.ConsentGranted{VIN: vin1, GrantID: grantA, OwnerNo: 1,
		Grantee: access.InsurerMSP, Scopes: []string{consenttypes.ScopeDriving}, NotAfter: notAfter})
	assert.Equal(t, 0, e.sweep())
	e.advance(notAfter.Sub(t0) + ExpiryMargin - time.Second)
	assert.Equal(t, 0, e.sweep(), "not due before notAfter + margin")
	assert.Empty(t, e.ledger.listed())

	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, notAfter)) // the ledger's clock passed notAfter too
	e.advance(time.Second)
	assert.Equal(t, 1, e.sweep())
	assert.Equal(t, []string{grantA}, e.net.purges())
	assert.Equal(t, 0, e.sweep())
}

// A grant to an org the holder shares nothing with schedules no check.
func TestGrantToOrgWithoutShareCollectionSchedulesNothing(t *testing.T) {
	e := newEnv(t)
	e.accept(consenttypes.EvConsentGranted, consenttypes.ConsentGranted{VIN: vin1, GrantID: grantC, Grantee: access.DealerMSP,
		NotAfter: t0.Add(time.Hour)})
	e.advance(2 * time.Hour)
	assert.Equal(t, 0, e.sweep())
}

// Checking a car for any reason schedules a check at the expiry of each of
// its live grants, so a grant given before the sweeper ran is still swept.
func TestCheckSchedulesExpiryOfLiveGrants(t *testing.T) {
	e := newEnv(t)
	notAfter := t0.Add(48 * time.Hour)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0), view(grantB, access.InsurerMSP, true, notAfter))
	e.accept(ownertypes.EvOwnershipException, ownertypes.OwnershipException{VIN: vin1, Status: "proposed"})
	e.sweep()
	assert.Equal(t, []string{grantA}, e.net.purges())

	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0), view(grantB, access.InsurerMSP, false, notAfter))
	e.advance(notAfter.Sub(t0) + ExpiryMargin)
	assert.Equal(t, 1, e.sweep())
	assert.Equal(t, []string{grantA, grantB}, e.net.purges())
}

// Pending checks, the grants purged and the event cursor survive a
// restart: the new sweeper does the work the old one had recorded, and
// only that.
func TestRestartResumes(t *testing.T) {
	e := newEnv(t)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
	e.ledger.set(vin2, view(grantB, access.InsurerMSP, false, t0))
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.sweep()
	e.accept(ownertypes.EvOwnershipErased, ownertypes.OwnershipErased{VIN: vin2, OwnerNo: 1})
	e.accept(ownertypes.EvOwnerLinked, ownertypes.OwnerLinked{VIN: vin2}) // asks nothing: cursor in memory
	require.NoError(t, e.sw.FlushCursor())
	last := fmt.Sprintf("%d-tx%d", eventNo, eventNo)

	e.restart()
	c, err := e.sw.Cursor()
	require.NoError(t, err)
	assert.Equal(t, last, c)
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA)) // again: grantA is remembered as purged
	assert.Equal(t, 2, e.sweep())
	assert.Equal(t, []string{grantA, grantB}, e.net.purges())
}

// A purge that fails is tried again later, after a pause that grows, and
// the grants purged meanwhile are not purged again.
func TestFailureRetriedLater(t *testing.T) {
	e := newEnv(t)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0), view(grantB, access.InsurerMSP, false, t0))
	e.net.endorse[1] = &fabric.Error{Kind: fabric.Unavailable} // grantB's first purge
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.sweep()
	assert.Equal(t, []string{grantA, grantB}, e.net.purges())

	assert.Equal(t, 0, e.sweep(), "not again at once")
	e.advance(backoff(1) - time.Second)
	assert.Equal(t, 0, e.sweep())
	e.advance(time.Second)
	assert.Equal(t, 1, e.sweep())
	assert.Equal(t, []string{grantA, grantB, grantB}, e.net.purges(), "only the failed grant again")
	e.advance(time.Hour)
	assert.Equal(t, 0, e.sweep(), "done")
}

// A transaction committed invalid, a listing that fails and a peer that
// still judges the grant live are failures to retry; a grant the ledger
// no longer has is done.
func TestOutcomes(t *testing.T) {
	t.Run("invalid commit is retried", func(t *testing.T) {
		e := newEnv(t)
		e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
		e.net.code = peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE
		e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
		e.sweep()
		e.net.code = peer.TxValidationCode_VALID
		e.advance(backoff(1))
		e.sweep()
		assert.Equal(t, []string{grantA, grantA}, e.net.purges())
		e.advance(time.Hour)
		assert.Equal(t, 0, e.sweep())
	})
	t.Run("live on the peer is retried", func(t *testing.T) {
		e := newEnv(t)
		e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
		e.net.endorse[0] = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.FailedPrecondition, "grant is live")}
		e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
		e.sweep()
		e.advance(backoff(1))
		e.sweep()
		assert.Equal(t, []string{grantA, grantA}, e.net.purges())
	})
	t.Run("grant not found is done", func(t *testing.T) {
		e := newEnv(t)
		e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
		e.net.endorse[0] = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.NotFound, "no grant")}
		e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
		e.sweep()
		e.advance(time.Hour)
		assert.Equal(t, 0, e.sweep())
		e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
		e.sweep()
		assert.Equal(t, []string{grantA}, e.net.purges())
	})
	t.Run("listing failure is retried", func(t *testing.T) {
		e := newEnv(t)
		e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
		e.ledger.fail = &fabric.Error{Kind: fabric.Timeout}
		e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
		e.sweep()
		assert.Empty(t, e.net.purges())
		e.ledger.fail = nil
		e.advance(backoff(1))
		e.sweep()
		assert.Equal(t, []string{grantA}, e.net.purges())
	})
}

// A purge someone else committed (the revoke endpoint's follow-up) is
// seen in its event and not repeated.
func TestPurgeSeenInEventIsNotRepeated(t *testing.T) {
	e := newEnv(t)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.accept(consenttypes.EvConsentDataPurged, consenttypes.ConsentDataPurged{VIN: vin1, GrantID: grantA})
	assert.Equal(t, 1, e.sweep())
	assert.Empty(t, e.net.purges())
}

// One sweep checks at most MaxCarsPerSweep cars, earliest first; the rest
// wait for the next.
func TestSweepIsBounded(t *testing.T) {
	e := newEnv(t)
	n := MaxCarsPerSweep + 3
	for i := range n {
		v := fmt.Sprintf("WVWZZZ1JZXW%06d", i)
		e.accept(consenttypes.EvConsentRevoked, revoked(v, grantA))
		e.accept(consenttypes.EvConsentRevoked, revoked(v, grantA)) // twice: still one car
		e.advance(time.Second)
	}
	assert.Equal(t, MaxCarsPerSweep, e.sweep())
	assert.Equal(t, "WVWZZZ1JZXW000000", e.ledger.listed()[0])
	assert.Equal(t, 3, e.sweep())
	assert.Equal(t, 0, e.sweep())
	assert.Len(t, e.ledger.listed(), n)
}

// Purged grants are forgotten after DoneRetention: a later check of the
// car purges again, which is harmless.
func TestDoneIsPrunedAfterRetention(t *testing.T) {
	e := newEnv(t)
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.sweep()
	e.advance(DoneRetention + time.Hour)
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.sweep()
	assert.Equal(t, []string{grantA, grantA}, e.net.purges())
}

// Only holder orgs get a sweeper identity, the first user by role name
// that is not the org admin; a gateway serving no holder runs none.
func TestPrincipals(t *testing.T) {
	users := func(roles ...string) map[string]connection.KeyPair {
		m := map[string]connection.KeyPair{}
		for _, r := range roles {
			m[r] = connection.KeyPair{}
		}
		return m
	}
	file := &connection.File{Orgs: []connection.Org{
		{Name: "oem", MSPID: access.OemMSP, Users: users("orgadmin", "telematics", "production", "admin")},
		{Name: "insurer", MSPID: access.InsurerMSP, Users: users("claims", "orgadmin")},
		{Name: "dealer", MSPID: access.DealerMSP, Users: users("sales")},
	}}
	assert.Equal(t, []auth.Principal{{Client: Client, Org: access.OemMSP, Role: "admin"}},
		Principals(file, []string{access.InsurerMSP, access.OemMSP, access.DealerMSP}))
	assert.Empty(t, Principals(file, []string{access.InsurerMSP, access.DealerMSP}), "the grantee never purges")

	_, err := New(nil, slog.New(slog.DiscardHandler), nil, nil, []auth.Principal{{Org: access.InsurerMSP, Role: "claims"}})
	assert.ErrorContains(t, err, "holds the data of no share collection")
}

// The sweeper's logs name a car by a hash of its VIN, never the VIN.
func TestLogsNameNoVIN(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	e := newEnv(t)
	e.sw.log = slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, nil))
	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
	e.net.endorse[0] = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.FailedPrecondition, "grant %s of %s is live", grantA, vin1)}
	e.accept(consenttypes.EvConsentRevoked, revoked(vin1, grantA))
	e.sweep()
	e.advance(backoff(1))
	e.sweep()
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	assert.Contains(t, out, CarRef(vin1))
	assert.Contains(t, out, "FAILED_PRECONDITION")
	assert.Contains(t, out, "purged the data shared")
	assert.NotContains(t, out, vin1)
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// fakeSource streams the scripted events once, then ends the run.
type fakeSource struct {
	height uint64
	events []*client.ChaincodeEvent
	cancel context.CancelFunc
	from   []fabric.Position
	as     []auth.Principal
}

func (f *fakeSource) Height(context.Context, auth.Principal) (uint64, error) { return f.height, nil }

func (f *fakeSource) Events(_ context.Context, pr auth.Principal, pos fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	f.from = append(f.from, pos)
	f.as = append(f.as, pr)
	ch := make(chan *client.ChaincodeEvent, len(f.events))
	for _, ev := range f.events {
		ch <- ev
	}
	close(ch)
	f.events = nil
	if len(f.from) == 2 {
		f.cancel()
	}
	return ch, nil
}

// Run follows the stream as the holder from the current height the first
// time and from the last event after that, and records the checks the
// events ask for.
func TestRunFollowsTheStream(t *testing.T) {
	e := newEnv(t)
	payload, _ := json.Marshal(revoked(vin1, grantA))
	ctx, cancel := context.WithCancel(context.Background())
	src := &fakeSource{height: 42, cancel: cancel, events: []*client.ChaincodeEvent{
		{BlockNumber: 42, TransactionID: "t1", EventName: consenttypes.EvConsentRevoked, Payload: payload},
		{BlockNumber: 43, TransactionID: "t2", EventName: "OdometerRecorded", Payload: []byte(`{"vin":"` + vin1 + `"}`)},
	}}
	e.sw.Run(ctx, src)
	assert.Equal(t, []fabric.Position{{Block: 42}, {Block: 43, TxID: "t2"}}, src.from)
	assert.Equal(t, []auth.Principal{oem, oem}, src.as)
	c, err := e.sw.Cursor()
	require.NoError(t, err)
	assert.Equal(t, "43-t2", c)

	e.ledger.set(vin1, view(grantA, access.InsurerMSP, false, t0))
	assert.Equal(t, 1, e.sweep())
	assert.Equal(t, []string{grantA}, e.net.purges())
}
