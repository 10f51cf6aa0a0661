package fabric

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// fakeNet is a Transactor whose endorsements fail as scripted and whose
// commits end, as scripted, when the test releases them.
type fakeNet struct {
	mu       sync.Mutex
	endorse  []error                 // the n-th Endorse fails with endorse[n]; nil or past the end endorses
	codes    []peer.TxValidationCode // the n-th submitted transaction commits with codes[n]; VALID past the end
	endorsed int
	txs      []string
	release  chan struct{}            // closed: every commit ends
	gates    map[string]chan struct{} // closed: that transaction's commit ends (release ends it too)
}

func newFakeNet() *fakeNet {
	return &fakeNet{release: make(chan struct{}), gates: map[string]chan struct{}{}}
}

// gate makes the commit of txID end only when the returned channel is closed.
func (f *fakeNet) gate(txID string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := make(chan struct{})
	f.gates[txID] = g
	return g
}

func (f *fakeNet) Endorse(_ context.Context, req Request) (string, Endorsed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.endorsed
	f.endorsed++
	txID := fmt.Sprintf("tx%d", n)
	if n < len(f.endorse) && f.endorse[n] != nil {
		return txID, nil, f.endorse[n]
	}
	return txID, fakeTx{f: f, txID: txID}, nil
}

func (f *fakeNet) Commit(_, _ string, b []byte) (Commit, error) {
	return fakeCommit{f: f, txID: string(b), code: peer.TxValidationCode_VALID}, nil
}

func (f *fakeNet) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.endorsed
}

type fakeTx struct {
	f    *fakeNet
	txID string
}

func (t fakeTx) Result() []byte { return []byte(`{"ok":true}`) }

func (t fakeTx) Submit(context.Context) (Commit, error) {
	t.f.mu.Lock()
	defer t.f.mu.Unlock()
	code := peer.TxValidationCode_VALID
	if n := len(t.f.txs); n < len(t.f.codes) {
		code = t.f.codes[n]
	}
	t.f.txs = append(t.f.txs, t.txID)
	return fakeCommit{f: t.f, txID: t.txID, code: code}, nil
}

type fakeCommit struct {
	f    *fakeNet
	txID string
	code peer.TxValidationCode
}

func (c fakeCommit) Bytes() ([]byte, error) { return []byte(c.txID), nil }

func (c fakeCommit) Status(...grpc.CallOption) (*client.Status, error) {
	c.f.mu.Lock()
	g := c.f.gates[c.txID]
	c.f.mu.Unlock()
	if g == nil {
		<-c.f.release
	} else {
		select {
		case <-g:
		case <-c.f.release:
		}
	}
	return &client.Status{Code: c.code, Successful: c.code == peer.TxValidationCode_VALID, BlockNumber: 7, TransactionID: c.txID}, nil
}

var oem = auth.Principal{Client: "c1", Org: "OemMSP", Role: "manufacturer"}

// newSubmitter returns a submitter on f and a fresh store; at the end of
// the test every commit is released and every commit wait has ended.
func newSubmitter(t *testing.T, f *fakeNet) (*Submitter, *store.Store) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	s := NewSubmitter(f, st, slog.New(slog.DiscardHandler), 2)
	t.Cleanup(func() {
		select {
		case <-f.release:
		default:
			close(f.release)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, s.Shutdown(ctx))
		assert.NoError(t, st.Close())
	})
	return s, st
}

func (s *Submitter) waiting() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, ws := range s.waiters {
		n += len(ws)
	}
	return n
}

// refusedBy is the error Fabric's gateway returns when the peers of msps
// refused a proposal in the chaincode.
func refusedBy(t *testing.T, msps ...string) error {
	cc := ccerr.New(ccerr.NotFound, "order O1 is not registered")
	st := status.New(codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info")
	for _, m := range msps {
		var err error
		st, err = st.WithDetails(&gateway.ErrorDetail{Address: "peer0." + m + ":7051", MspId: m, Message: "chaincode response 404, " + cc.Error()})
		require.NoError(t, err)
	}
	return st.Err()
}

func TestSubmitThenWaitForTheCommit(t *testing.T) {
	f := newFakeNet()
	s, st := newSubmitter(t, f)
	r, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder", Args: []string{"O1"}, SuccessStatus: 201})
	require.NoError(t, err)
	assert.Equal(t, "tx0", r.TxID)
	assert.Equal(t, store.Pending, r.Status)
	assert.JSONEq(t, `{"ok":true}`, string(r.Result))
	saved, err := st.Receipt("tx0")
	require.NoError(t, err)
	assert.Equal(t, store.Pending, saved.Status, "the pending receipt is durable before Submit returns")

	done := make(chan store.Receipt)
	go func() {
		r, err := s.Wait(context.Background(), "tx0")
		assert.NoError(t, err)
		done <- r
	}()
	require.Eventually(t, func() bool { return s.waiting() == 1 }, 5*time.Second, time.Millisecond)
	close(f.release)
	r = <-done
	assert.Equal(t, store.Committed, r.Status)
	assert.Equal(t, uint64(7), r.BlockNumber)
	assert.NoError(t, Outcome(r))
	assert.Zero(t, s.waiting())
}

// An endorsement mismatch, or a refusal by another org's peer, is tried
// once more with a fresh proposal.
func TestSubmitRetriesWithAFreshProposal(t *testing.T) {
	for name, endorseErr := range map[string]error{
		"endorsement mismatch":          status.Error(codes.Aborted, "ProposalResponsePayloads do not match"),
		"refusal by another org's peer": refusedBy(t, "DealerMSP"),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeNet()
			f.endorse = []error{endorseErr}
			s, _ := newSubmitter(t, f)
			r, err := s.Submit(context.Background(), Request{Principal: oem, Function: "SetAmount"})
			require.NoError(t, err)
			assert.Equal(t, "tx1", r.TxID, "a fresh proposal")
			assert.Equal(t, 2, f.calls())
		})
	}
}

func TestSubmitAnswersARefusalByTheCallersOwnPeer(t *testing.T) {
	f := newFakeNet()
	f.endorse = []error{refusedBy(t, "OemMSP")}
	s, st := newSubmitter(t, f)
	r, err := s.Submit(context.Background(), Request{Principal: oem, Function: "SetAmount"})
	var fe *Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, Business, fe.Kind)
	assert.Equal(t, ccerr.NotFound, fe.Chaincode.Code)
	assert.Equal(t, "tx0", r.TxID)
	assert.Equal(t, 1, f.calls(), "not proposed again")
	_, err = st.Receipt("tx0")
	assert.ErrorIs(t, err, store.ErrNotFound, "nothing was ordered")
}

func TestSubmitGivesUpAfterItsRetries(t *testing.T) {
	f := newFakeNet()
	mismatch := status.Error(codes.Aborted, "ProposalResponsePayloads do not match")
	f.endorse = []error{mismatch, mismatch, mismatch, mismatch}
	s, _ := newSubmitter(t, f)
	_, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder"})
	assert.True(t, isMismatch(err), "%v", err)
	assert.Equal(t, 3, f.calls(), "the first proposal and two retries")
}

func TestWaitFollowsAReadConflictRetry(t *testing.T) {
	f := newFakeNet()
	f.codes = []peer.TxValidationCode{peer.TxValidationCode_MVCC_READ_CONFLICT}
	s, st := newSubmitter(t, f)
	_, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder"})
	require.NoError(t, err)
	close(f.release)
	r, err := s.Wait(context.Background(), "tx0")
	require.NoError(t, err)
	assert.Equal(t, "tx1", r.TxID)
	assert.Equal(t, store.Committed, r.Status)
	first, err := st.Receipt("tx0")
	require.NoError(t, err)
	assert.Equal(t, "tx1", first.RetriedAs)
	assert.Equal(t, peer.TxValidationCode_MVCC_READ_CONFLICT.String(), first.ValidationCode)
	assert.Zero(t, s.waiting())
}

// A Wait that arrives once tx0 is recorded as retried waits on tx1, which
// the commit wait of tx0 ends: it must answer that waiter too.
func TestWaitArrivingAfterARetryGetsTheFinalReceipt(t *testing.T) {
	f := newFakeNet()
	f.codes = []peer.TxValidationCode{peer.TxValidationCode_MVCC_READ_CONFLICT}
	tx0, tx1 := f.gate("tx0"), f.gate("tx1")
	s, st := newSubmitter(t, f)
	_, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder"})
	require.NoError(t, err)
	close(tx0)
	require.Eventually(t, func() bool {
		r, err := st.Receipt("tx0")
		return err == nil && r.RetriedAs == "tx1"
	}, 5*time.Second, time.Millisecond)

	done := make(chan store.Receipt)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := s.Wait(ctx, "tx0")
		assert.NoError(t, err)
		done <- r
	}()
	require.Eventually(t, func() bool { return s.waiting() == 1 }, 5*time.Second, time.Millisecond)
	close(tx1)
	r := <-done
	assert.Equal(t, "tx1", r.TxID)
	assert.Equal(t, store.Committed, r.Status, "the final receipt, not the pending one left when Wait gave up")
	assert.Zero(t, s.waiting())
}

// The waiter leaks below were each one entry of Submitter.waiters per call.

func TestWaitWhoseContextEndsLeavesNoWaiter(t *testing.T) {
	f := newFakeNet()
	s, _ := newSubmitter(t, f)
	_, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder"})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r, err := s.Wait(ctx, "tx0")
	require.NoError(t, err)
	assert.Equal(t, store.Pending, r.Status)
	assert.ErrorAs(t, Outcome(r), new(*Error))
	assert.Zero(t, s.waiting(), "the caller gave up: its waiter is gone")
}

func TestWaitForAFinalReceiptLeavesNoWaiter(t *testing.T) {
	f := newFakeNet()
	close(f.release)
	s, st := newSubmitter(t, f)
	_, err := s.Submit(context.Background(), Request{Principal: oem, Function: "CreateOrder"})
	require.NoError(t, err)
	require.NoError(t, s.Shutdown(context.Background()))
	r, err := st.Receipt("tx0")
	require.NoError(t, err)
	require.Equal(t, store.Committed, r.Status)

	r, err = s.Wait(context.Background(), "tx0")
	require.NoError(t, err)
	assert.Equal(t, store.Committed, r.Status)
	assert.Zero(t, s.waiting())
}

func TestWaitForAnUnknownTransactionLeavesNoWaiter(t *testing.T) {
	s, _ := newSubmitter(t, newFakeNet())
	_, err := s.Wait(context.Background(), "nosuchtx")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.Zero(t, s.waiting())
}

func TestResumeWaitsForAPendingReceipt(t *testing.T) {
	f := newFakeNet()
	s, st := newSubmitter(t, f)
	require.NoError(t, st.PutReceipt(store.Receipt{TxID: "old", Status: store.Pending, Org: "OemMSP", Role: "manufacturer", Commit: []byte("old")}))
	s.Resume()
	close(f.release)
	r, err := s.Wait(context.Background(), "old")
	require.NoError(t, err)
	assert.Equal(t, store.Committed, r.Status)
}
