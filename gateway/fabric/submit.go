package fabric

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/metrics"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
)

// Request is one transaction to submit.
type Request struct {
	Principal auth.Principal
	Function  string
	Args      []string
	Transient map[string][]byte
	// Endorsers restricts endorsement to these orgs (private data must
	// reach collection members only); nil lets the peer's gateway choose.
	Endorsers []string
	// SuccessStatus and Location are the HTTP answer once committed.
	SuccessStatus int
	Location      string
}

// Transactor is what Submitter needs from the network: *Pool in
// production, a fake in tests.
type Transactor interface {
	// Endorse proposes req and collects its endorsements. It returns the
	// transaction id even when endorsement fails; errors are unclassified.
	Endorse(ctx context.Context, req Request) (txID string, tx Endorsed, err error)
	// Commit rebuilds the commit of a transaction submitted earlier (by a
	// previous run) from its Commit.Bytes.
	Commit(org, role string, commit []byte) (Commit, error)
}

// Endorsed is an endorsed transaction, ready for the orderer.
type Endorsed interface {
	Result() []byte
	Submit(ctx context.Context) (Commit, error)
}

// Commit is a transaction in the orderer's hands (*client.Commit).
type Commit interface {
	Bytes() ([]byte, error)
	// Status waits for the transaction's commit and tells how it ended.
	Status(opts ...grpc.CallOption) (*client.Status, error)
}

// Submitter runs transactions from endorsement to commit. The commit wait
// runs on its own goroutine with its own deadline: once a transaction has
// reached the orderer it is in flight whether or not the HTTP client is
// still listening, and its receipt records how it ended.
type Submitter struct {
	net     Transactor
	store   *store.Store
	log     *slog.Logger
	retries int

	wg      sync.WaitGroup
	mu      sync.Mutex
	waiters map[string][]chan store.Receipt
	recent  map[string]store.Receipt // final outcomes on their way to the store
}

// NewSubmitter returns a submitter; retries bounds MVCC re-proposals.
func NewSubmitter(net Transactor, st *store.Store, log *slog.Logger, retries int) *Submitter {
	return &Submitter{net: net, store: st, log: log, retries: retries, waiters: map[string][]chan store.Receipt{}, recent: map[string]store.Receipt{}}
}

// Submit endorses req and sends it to the orderer. It returns the pending
// receipt once the orderer accepted it, or an error when nothing was
// ordered. Wait (or the receipt store) tells how it ends. Endorsers that
// disagree because their ledgers differ for a moment (different results,
// or another org's peer refusing what the caller's own peer accepted) get a
// fresh proposal, a bounded number of times.
func (s *Submitter) Submit(ctx context.Context, req Request) (store.Receipt, error) {
	commit, r, err := s.send(ctx, req)
	for attempt := 0; err != nil && attempt < s.retries; attempt++ {
		switch {
		case isMismatch(err):
			metrics.Retries.WithLabelValues("ENDORSEMENT_MISMATCH").Inc()
		case refusedElsewhere(err, req.Principal.Org) != nil:
			metrics.Retries.WithLabelValues("ENDORSER_BEHIND").Inc()
			s.log.Info("another org's peer refused what ours accepted; proposing again", "org", req.Principal.Org,
				"function", req.Function, "refusedBy", refusedElsewhere(err, req.Principal.Org), "attempt", attempt+1)
		default:
			return r, err
		}
		select {
		case <-ctx.Done():
			return r, err
		case <-time.After(jitter(attempt)):
		}
		commit, r, err = s.send(ctx, req)
	}
	if err != nil {
		return r, err
	}
	s.track(req, r, commit, 0)
	return r, nil
}

func (s *Submitter) send(ctx context.Context, req Request) (Commit, store.Receipt, error) {
	t0 := time.Now()
	txID, tx, err := s.net.Endorse(ctx, req)
	metrics.Phase.WithLabelValues("endorse").Observe(time.Since(t0).Seconds())
	var fe *Error
	if errors.As(err, &fe) {
		return nil, store.Receipt{TxID: txID}, err
	}
	if err != nil {
		return nil, store.Receipt{TxID: txID}, classify(err, txID)
	}
	// From here on the transaction may reach the orderer: detach it from
	// the HTTP request so a disconnecting client cannot cut it in half.
	t0 = time.Now()
	commit, err := tx.Submit(context.WithoutCancel(ctx))
	metrics.Phase.WithLabelValues("submit").Observe(time.Since(t0).Seconds())
	if err != nil {
		return nil, store.Receipt{TxID: txID}, classify(err, txID)
	}
	cb, _ := commit.Bytes()
	r := store.Receipt{
		TxID: txID, Status: store.Pending, Function: req.Function, Client: req.Principal.Client,
		Org: req.Principal.Org, Role: req.Principal.Role, Result: jsonOrString(tx.Result()),
		SuccessStatus: req.SuccessStatus, Location: req.Location, Commit: cb, SubmittedAt: time.Now().UTC(),
	}
	if err := s.store.PutReceipt(r); err != nil {
		s.log.Error("store receipt", "txId", txID, "err", err)
	}
	s.log.Info("transaction submitted", "txId", txID, "client", req.Principal.Client, "org", req.Principal.Org,
		"role", req.Principal.Role, "function", req.Function)
	return commit, r, nil
}

func jsonOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	q, _ := json.Marshal(string(b))
	return q
}

// track waits for the commit on its own goroutine and records the end.
func (s *Submitter) track(req Request, r store.Receipt, commit Commit, attempt int) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		final, chain := s.await(req, r, commit, attempt)
		// Answer the waiting requests first, then make the outcome durable:
		// the fsync need not sit in every synchronous request's latency.
		// A Wait that followed RetriedAs waits on a later id of the retry
		// chain than the one this goroutine started with: answer them all.
		s.mu.Lock()
		var ws []chan store.Receipt
		for _, id := range chain {
			ws = append(ws, s.waiters[id]...)
			delete(s.waiters, id)
		}
		s.recent[final.TxID] = final
		s.mu.Unlock()
		for _, w := range ws {
			w <- final
		}
		if final.Status != store.Pending {
			s.save(final)
		}
		s.mu.Lock()
		delete(s.recent, final.TxID)
		s.mu.Unlock()
	}()
}

// await waits for commit's end, re-proposing after a read conflict. It
// returns the final receipt and the ids of every transaction tried, r's first.
func (s *Submitter) await(req Request, r store.Receipt, commit Commit, attempt int) (store.Receipt, []string) {
	t0 := time.Now()
	st, err := commit.Status()
	metrics.Phase.WithLabelValues("commit").Observe(time.Since(t0).Seconds())
	if err != nil {
		// Unknown outcome: leave the receipt pending; a status lookup or a
		// restart picks it up again. Never resubmit under a new ID here.
		s.log.Warn("commit status unknown", "txId", r.TxID, "err", err)
		return r, []string{r.TxID}
	}
	r.BlockNumber = st.BlockNumber
	r.CommittedAt = time.Now().UTC()
	r.ValidationCode = st.Code.String()
	if st.Successful {
		r.Status = store.Committed
	} else {
		r.Status = store.Invalid
	}
	retry := !st.Successful && req.Function != "" && attempt < s.retries &&
		(st.Code == peer.TxValidationCode_MVCC_READ_CONFLICT || st.Code == peer.TxValidationCode_PHANTOM_READ_CONFLICT)
	if retry {
		metrics.Retries.WithLabelValues(st.Code.String()).Inc()
		time.Sleep(jitter(attempt))
		commit2, r2, err := s.send(context.Background(), req)
		if err == nil {
			r.RetriedAs = r2.TxID
			s.save(r)
			s.log.Info("transaction retried after read conflict", "txId", r.TxID, "retriedAs", r2.TxID, "attempt", attempt+1)
			final, chain := s.await(req, r2, commit2, attempt+1)
			return final, append([]string{r.TxID}, chain...)
		}
		s.log.Warn("retry after read conflict failed", "txId", r.TxID, "err", err)
	}
	if !st.Successful {
		s.log.Warn("transaction invalid", "txId", r.TxID, "code", r.ValidationCode)
	}
	return r, []string{r.TxID}
}

func (s *Submitter) save(r store.Receipt) {
	if err := s.store.PutReceipt(r); err != nil {
		s.log.Error("store receipt", "txId", r.TxID, "err", err)
	}
}

func isMismatch(err error) bool {
	var fe *Error
	return errors.As(err, &fe) && fe.Kind == Conflict && fe.Validation == "ENDORSEMENT_MISMATCH"
}

// refusedElsewhere returns the orgs whose peers refused err's proposal in
// the chaincode, when the caller's org is not among them; else nil. The
// caller's own peer endorses first (Fabric's gateway stops at once if it
// refuses) and has committed everything the caller was told is committed;
// a peer that refuses what it accepted has most likely not yet committed
// the latest block, and a fresh proposal a moment later agrees. A refusal
// by the caller's own peer is the answer.
func refusedElsewhere(err error, org string) []string {
	var fe *Error
	if !errors.As(err, &fe) || fe.Kind != Business || slices.Contains(fe.RefusedBy, org) {
		return nil
	}
	return fe.RefusedBy
}

// jitter is the pause before retry attempt n: growing, randomised so that
// clients that collided do not collide again.
func jitter(n int) time.Duration {
	return time.Duration(20*(n+1)+rand.IntN(50*(n+1))) * time.Millisecond
}

// Wait returns the final receipt of txID, following retries, or the pending
// one when ctx ends first.
func (s *Submitter) Wait(ctx context.Context, txID string) (store.Receipt, error) {
	for hops := 0; ; hops++ {
		r, err := s.wait(ctx, txID)
		if err != nil || r.RetriedAs == "" || hops > 10 {
			return r, err
		}
		txID = r.RetriedAs
	}
}

// wait waits for txID alone. The waiter is registered before the receipt
// is read, so an outcome recorded in between is not missed, and it is
// removed again whenever this returns without having been answered.
func (s *Submitter) wait(ctx context.Context, txID string) (store.Receipt, error) {
	ch := make(chan store.Receipt, 1)
	s.mu.Lock()
	s.waiters[txID] = append(s.waiters[txID], ch)
	r, recent := s.recent[txID]
	s.mu.Unlock()
	var err error
	if !recent {
		r, err = s.store.Receipt(txID)
	}
	// A recent outcome is all the commit wait will ever say (even when still
	// pending: the status was unknown), as is a final or unknown receipt.
	if recent || err != nil || r.Status != store.Pending {
		s.unwait(txID, ch)
		return r, err
	}
	select {
	case r = <-ch:
		return r, nil
	case <-ctx.Done():
		s.unwait(txID, ch)
		return r, nil
	}
}

// unwait removes waiter ch of txID, if the commit wait has not taken it.
func (s *Submitter) unwait(txID string, ch chan store.Receipt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := slices.DeleteFunc(s.waiters[txID], func(w chan store.Receipt) bool { return w == ch })
	if len(ws) == 0 {
		delete(s.waiters, txID)
	} else {
		s.waiters[txID] = ws
	}
}

// Resume waits again for the receipts left pending by a previous run.
func (s *Submitter) Resume() {
	pending, err := s.store.PendingReceipts()
	if err != nil {
		s.log.Error("read pending receipts", "err", err)
		return
	}
	for _, r := range pending {
		commit, err := s.net.Commit(r.Org, r.Role, r.Commit)
		if err != nil {
			s.log.Warn("cannot resume receipt", "txId", r.TxID, "err", err)
			continue
		}
		s.log.Info("resuming commit wait", "txId", r.TxID)
		s.track(Request{}, r, commit, 0)
	}
}

// Shutdown waits for in-flight commits, at most until ctx ends.
func (s *Submitter) Shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("in-flight commits still waiting: %w", ctx.Err())
	}
}

// Outcome maps a final receipt to an error for the HTTP layer, nil when committed.
func Outcome(r store.Receipt) error {
	switch {
	case r.Status == store.Committed:
		return nil
	case r.Status == store.Pending:
		return &Error{Kind: CommitUnknown, TxID: r.TxID}
	case r.ValidationCode == peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE.String():
		return &Error{Kind: EndorsementPolicy, TxID: r.TxID, Validation: r.ValidationCode}
	case r.ValidationCode == peer.TxValidationCode_MVCC_READ_CONFLICT.String(),
		r.ValidationCode == peer.TxValidationCode_PHANTOM_READ_CONFLICT.String():
		return &Error{Kind: Conflict, TxID: r.TxID, Validation: r.ValidationCode}
	}
	return &Error{Kind: InvalidTx, TxID: r.TxID, Validation: r.ValidationCode, Err: errors.New("transaction invalid: " + r.ValidationCode)}
}
