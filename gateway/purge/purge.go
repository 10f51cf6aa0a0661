// Package purge is the gateway's purge sweeper: data a holder org shared
// with a grantee under an owner's grant (consent:Share) must not outlive
// the grant on the grantee's peer. A grant ends when the owner revokes it,
// when its notAfter passes, when its ownership passes on (a sale, an
// exception that re-binds the key) or is erased; only a revocation had a
// follow-up purge before (docs/owners.md, "Consent"). The sweeper runs in
// every gateway that serves a holder org of a share collection (the OEM
// for oemInsurer). It follows the chaincode events that can end a grant,
// and wakes at each grant's notAfter, and then, for every grant of the car
// that is not live and may still have shared data, submits consent:Purge
// as the holder, endorsed by the holders alone.
//
// Its work survives restarts: the cars to check, the grants purged and
// its own event cursor live in the gateway's bbolt file, the checks and
// the cursor written in one transaction as the webhook hub does. A purge
// is idempotent (a second one purges nothing and succeeds), so a check
// repeated after a crash costs a transaction and does no harm.
package purge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	bolt "go.etcd.io/bbolt"
)

var (
	// checksBucket holds the cars to check, keyed by when (8 bytes,
	// big-endian Unix seconds) then VIN, so the due ones come first.
	checksBucket = []byte("purgeChecks")
	// doneBucket holds the grants purged, by grant ID, with when.
	doneBucket   = []byte("purgeDone")
	cursorBucket = []byte("purgeCursor")
	cursorKey    = []byte("events")
)

const (
	// ExpiryMargin is how long after a grant's notAfter its expiry check
	// runs. consent:Share judges the grant at its transaction's timestamp,
	// which a peer admits up to the chaincode's clock tolerance (5 minutes,
	// kit.DefaultTolerance) from its own clock: a share stamped just before
	// notAfter may still commit a few minutes after it. A minute more lets
	// it commit before the purge.
	ExpiryMargin = 6 * time.Minute
	// MaxCarsPerSweep bounds the cars one Sweep checks; the rest wait for
	// the next round (a second later).
	MaxCarsPerSweep = 8
	// maxScan bounds the due entries one Sweep reads to find them.
	maxScan = 256
	// DoneRetention is how long a purged grant is remembered. Forgetting
	// one only costs a harmless second purge if its car is checked again.
	DoneRetention = 90 * 24 * time.Hour
	// waitTimeout bounds the wait for one purge's commit; a purge whose
	// outcome is unknown is submitted again at the car's next try.
	waitTimeout = 2 * time.Minute
	// Client is the client name the sweeper's transactions carry in
	// receipts and logs.
	Client = "purge-sweeper"
)

// Event is a chaincode event as the sweeper reads it.
type Event struct {
	ID      string
	Name    string
	Payload json.RawMessage
}

// Evaluator runs queries (*fabric.Pool).
type Evaluator interface {
	Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error)
}

// Submitter submits transactions and waits for their end (*fabric.Submitter).
type Submitter interface {
	Submit(ctx context.Context, req fabric.Request) (store.Receipt, error)
	Wait(ctx context.Context, txID string) (store.Receipt, error)
}

// check is one car to check from At on. Attempts counts the failed tries
// so far, which space out the next.
type check struct {
	VIN      string    `json:"vin"`
	At       time.Time `json:"at"`
	Attempts int       `json:"attempts,omitempty"`
}

func checkKey(at time.Time, vin string) []byte {
	k := make([]byte, 8, 8+len(vin))
	binary.BigEndian.PutUint64(k, uint64(max(at.Unix(), 0)))
	return append(k, vin...)
}

func keyTime(k []byte) time.Time { return time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0) }

// Sweeper finds the grants that ended and purges their shared data.
type Sweeper struct {
	db      *bolt.DB
	log     *slog.Logger
	ledger  Evaluator
	sub     Submitter
	holders []auth.Principal // one per holder org served, as the sweeper acts for it
	now     func() time.Time

	mu        sync.Mutex
	unsaved   string // as webhook.Hub: the last event accepted, when newer than the file's cursor
	lastPrune time.Time
}

// Option configures a Sweeper at New.
type Option func(*Sweeper)

// WithClock makes the sweeper read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(s *Sweeper) { s.now = now } }

// New returns a sweeper on db (the gateway store's file) that acts as
// holders: one identity per holder org this gateway serves (Principals).
func New(db *bolt.DB, log *slog.Logger, ledger Evaluator, sub Submitter, holders []auth.Principal, opts ...Option) (*Sweeper, error) {
	if len(holders) == 0 {
		return nil, errors.New("purge sweeper: no holder org of a share collection to act as")
	}
	for _, h := range holders {
		if !isHolder(h.Org) {
			return nil, fmt.Errorf("purge sweeper: %s holds the data of no share collection", h.Org)
		}
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{checksBucket, doneBucket, cursorBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("purge sweeper: create buckets: %w", err)
	}
	s := &Sweeper{db: db, log: log, ledger: ledger, sub: sub, holders: slices.Clone(holders), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// isHolder reports whether org holds the data of some share collection.
func isHolder(org string) bool {
	return slices.ContainsFunc(collections.All, func(c collections.Collection) bool {
		return c.Consent != nil && c.Consent.Holder == org
	})
}

// holderFor returns the identity that purges grants to grantee: a served
// holder with a share collection to grantee; false when none is served.
func (s *Sweeper) holderFor(grantee string) (auth.Principal, bool) {
	for _, h := range s.holders {
		if _, ok := collections.ForShare(h.Org, grantee); ok {
			return h, true
		}
	}
	return auth.Principal{}, false
}

// endorsers are the holders of every share collection to grantee: the
// collection-level endorsement policy of each names its holder alone, and a
// purge writes to every collection that holds data of the grant. Today
// that is one collection and one holder.
func endorsers(grantee string) []string {
	var out []string
	for _, c := range collections.All {
		if c.Consent != nil && c.Consent.Grantee == grantee && !slices.Contains(out, c.Consent.Holder) {
			out = append(out, c.Consent.Holder)
		}
	}
	return out
}

// planOf reads what e asks of the sweeper: a check of the car at a time,
// or a grant already purged by someone. ok is false for an event that
// asks nothing.
func (s *Sweeper) planOf(e Event) (c check, purgedGrant string, ok bool) {
	switch e.Name {
	case consenttypes.EvConsentRevoked, ownertypes.EvOwnershipTransferred, ownertypes.EvOwnershipException, ownertypes.EvOwnershipErased:
		var p struct {
			VIN string `json:"vin"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || p.VIN == "" {
			return check{}, "", false
		}
		return check{VIN: p.VIN, At: s.now()}, "", true
	case consenttypes.EvConsentGranted:
		var p consenttypes.ConsentGranted
		if json.Unmarshal(e.Payload, &p) != nil || p.VIN == "" || p.NotAfter.IsZero() {
			return check{}, "", false
		}
		if _, served := s.holderFor(p.Grantee); !served {
			return check{}, "", false // no data of ours can flow under it
		}
		return check{VIN: p.VIN, At: p.NotAfter.Add(ExpiryMargin)}, "", true
	case consenttypes.EvConsentDataPurged:
		// consent:Purge refuses a caller that is no member of a collection
		// holding data of the grant: a committed purge purged it all, and
		// nothing is shared under a grant that is not live.
		var p consenttypes.ConsentDataPurged
		if json.Unmarshal(e.Payload, &p) != nil || p.GrantID == "" {
			return check{}, "", false
		}
		return check{}, p.GrantID, true
	}
	return check{}, "", false
}

// Accept records what e asks (a car to check, a grant purged) and moves the
// cursor to e in one transaction; an event that asks nothing moves the
// cursor in memory only, to reach the file at the next FlushCursor.
func (s *Sweeper) Accept(e Event) error {
	c, purged, ok := s.planOf(e)
	if !ok {
		s.mu.Lock()
		s.unsaved = e.ID
		s.mu.Unlock()
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if c.VIN != "" {
			if err := putCheck(tx, c); err != nil {
				return err
			}
		}
		if purged != "" {
			if err := markDone(tx, purged, s.now()); err != nil {
				return err
			}
		}
		if err := tx.Bucket(cursorBucket).Put(cursorKey, []byte(e.ID)); err != nil {
			return err
		}
		// Under the write lock, so a concurrent FlushCursor cannot write an
		// older id after this one.
		s.mu.Lock()
		s.unsaved = ""
		s.mu.Unlock()
		return nil
	})
}

func putCheck(tx *bolt.Tx, c check) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Bucket(checksBucket).Put(checkKey(c.At, c.VIN), raw)
}

func markDone(tx *bolt.Tx, grantID string, at time.Time) error {
	raw, err := at.UTC().MarshalText()
	if err != nil {
		return err
	}
	return tx.Bucket(doneBucket).Put([]byte(grantID), raw)
}

// Cursor returns the last event id accepted, "" before the first (or a
// start block number, written when the stream first opened).
func (s *Sweeper) Cursor() (string, error) {
	s.mu.Lock()
	c := s.unsaved
	s.mu.Unlock()
	if c != "" {
		return c, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		c = string(tx.Bucket(cursorBucket).Get(cursorKey))
		return nil
	})
	return c, err
}

// FlushCursor writes the in-memory cursor to the file, if it moved.
func (s *Sweeper) FlushCursor() error {
	s.mu.Lock()
	moved := s.unsaved != ""
	s.mu.Unlock()
	if !moved {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		s.mu.Lock()
		c := s.unsaved
		s.unsaved = ""
		s.mu.Unlock()
		if c == "" {
			return nil // an Accept wrote a newer one meanwhile
		}
		return tx.Bucket(cursorBucket).Put(cursorKey, []byte(c))
	})
}

func (s *Sweeper) setStart(height uint64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(cursorBucket).Put(cursorKey, fmt.Appendf(nil, "%d", height))
	})
}

// due is one car's due checks as read: their keys, and the most failed
// attempts among them.
type due struct {
	vin      string
	keys     [][]byte
	attempts int
}

// dueCars reads up to MaxCarsPerSweep cars whose check time has come,
// earliest first.
func (s *Sweeper) dueCars() ([]*due, error) {
	var out []*due
	now := s.now()
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(checksBucket).Cursor()
		n := 0
		for k, v := cur.First(); k != nil && n < maxScan; k, v = cur.Next() {
			n++
			if len(k) <= 8 || keyTime(k).After(now) {
				break
			}
			var c check
			if json.Unmarshal(v, &c) != nil || c.VIN == "" {
				c = check{VIN: string(k[8:])} // a damaged entry is still a car to check
			}
			i := slices.IndexFunc(out, func(d *due) bool { return d.vin == c.VIN })
			if i < 0 {
				if len(out) == MaxCarsPerSweep {
					continue // later keys of cars already taken still merge in
				}
				out = append(out, &due{vin: c.VIN})
				i = len(out) - 1
			}
			out[i].keys = append(out[i].keys, bytes.Clone(k))
			out[i].attempts = max(out[i].attempts, c.Attempts)
		}
		return nil
	})
	return out, err
}

// Sweep checks the cars whose time has come, at most MaxCarsPerSweep, and
// says how many it checked. A car whose check failed is tried again later,
// the pause doubling from 30 seconds up to an hour; the grants purged
// meanwhile are not purged again.
func (s *Sweeper) Sweep(ctx context.Context) int {
	s.prune()
	cars, err := s.dueCars()
	if err != nil {
		s.log.Error("purge sweeper: read due checks", "err", err)
		return 0
	}
	for _, d := range cars {
		if ctx.Err() != nil {
			return 0
		}
		later, err := s.sweepCar(ctx, d.vin)
		next := check{VIN: d.vin}
		if err != nil {
			next.Attempts = d.attempts + 1
			next.At = s.now().Add(backoff(next.Attempts))
			s.log.Warn("purge sweeper: car to check again later", "car", CarRef(d.vin), "attempt", next.Attempts,
				"retryAt", next.At.UTC().Format(time.RFC3339), "err", err)
		}
		err = s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(checksBucket)
			for _, k := range d.keys {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			if next.Attempts > 0 {
				if err := putCheck(tx, next); err != nil {
					return err
				}
			}
			for _, at := range later {
				if err := putCheck(tx, check{VIN: d.vin, At: at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.log.Error("purge sweeper: record check", "car", CarRef(d.vin), "err", err)
		}
	}
	return len(cars)
}

// backoff is the pause before try n+1 of a car whose n-th try failed.
func backoff(n int) time.Duration {
	return min(30*time.Second<<min(n-1, 10), time.Hour)
}

// sweepCar purges every grant of vin that is not live, has a share
// collection this gateway holds, and was not purged yet. It returns the
// times at which the car's live grants expire (plus the margin), to check
// it again then: a grant recorded before this sweeper followed the events
// is thus swept once anything happens to its car.
func (s *Sweeper) sweepCar(ctx context.Context, vin string) (later []time.Time, err error) {
	raw, err := s.ledger.Evaluate(ctx, s.holders[0], "consent:List", vin)
	if err != nil {
		if permanent(err) {
			s.log.Warn("purge sweeper: car cannot be listed; dropped", "car", CarRef(vin), "err", summary(err))
			return nil, nil
		}
		return nil, fmt.Errorf("consent:List: %s", summary(err))
	}
	var list consenttypes.GrantList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decode consent:List: %w", err)
	}
	var errs []error
	for _, g := range list.Grants {
		pr, ok := s.holderFor(g.Grantee)
		if !ok {
			continue
		}
		if g.Live {
			later = append(later, g.NotAfter.Add(ExpiryMargin))
			continue
		}
		if s.purged(g.ID) {
			continue
		}
		if err := s.purge(ctx, pr, vin, g.Grant); err != nil {
			errs = append(errs, fmt.Errorf("grant %s: %w", g.ID, err))
		}
	}
	return later, errors.Join(errs...)
}

func (s *Sweeper) purged(grantID string) bool {
	var done bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		done = tx.Bucket(doneBucket).Get([]byte(grantID)) != nil
		return nil
	})
	return done
}

// purge submits consent:Purge for g as pr and waits for its commit.
func (s *Sweeper) purge(ctx context.Context, pr auth.Principal, vin string, g consenttypes.Grant) error {
	r, err := s.sub.Submit(ctx, fabric.Request{Principal: pr, Function: "consent:Purge", Args: []string{vin, g.ID},
		Endorsers: endorsers(g.Grantee)})
	if err == nil {
		wctx, cancel := context.WithTimeout(ctx, waitTimeout)
		r, err = s.sub.Wait(wctx, r.TxID)
		cancel()
		if err == nil {
			err = fabric.Outcome(r)
		}
	}
	switch {
	case err == nil:
		var res consenttypes.PurgeResult
		_ = json.Unmarshal(r.Result, &res)
		s.log.Info("purge sweeper: purged the data shared under an ended grant", "grant", g.ID, "txId", r.TxID,
			"records", len(res.Purged))
	case codeIs(err, ccerr.NotFound):
		// The grant is gone from the ledger (a replaced chaincode, a
		// restored snapshot): nothing of it is left to purge.
		s.log.Warn("purge sweeper: grant not found; nothing to purge", "grant", g.ID)
	default:
		// FAILED_PRECONDITION among them: the peer judged the grant live,
		// a clock ahead of the peer's; the next try agrees.
		return errors.New(summary(err))
	}
	return s.db.Update(func(tx *bolt.Tx) error { return markDone(tx, g.ID, s.now()) })
}

// permanent reports an error no retry cures: the chaincode refused the
// request itself (a malformed VIN, an unknown car).
func permanent(err error) bool {
	return codeIs(err, ccerr.InvalidArgument) || codeIs(err, ccerr.NotFound)
}

func codeIs(err error, category ccerr.Code) bool {
	var fe *fabric.Error
	return errors.As(err, &fe) && fe.Kind == fabric.Business && fe.Chaincode != nil && fe.Chaincode.Category() == category
}

// summary describes err for the log without its text, which may quote a
// chaincode message naming the car: the error code of a chaincode refusal,
// else the kind of failure and the validation code.
func summary(err error) string {
	var fe *fabric.Error
	if !errors.As(err, &fe) {
		return "internal: " + err.Error()
	}
	if fe.Kind == fabric.Business && fe.Chaincode != nil {
		return "refused: " + string(fe.Chaincode.Code)
	}
	kind := map[fabric.Kind]string{fabric.Internal: "internal", fabric.Unavailable: "unavailable", fabric.Timeout: "timeout",
		fabric.AccessDenied: "access denied", fabric.CommitUnknown: "commit unknown", fabric.EndorsementPolicy: "endorsement policy",
		fabric.Conflict: "conflict", fabric.InvalidTx: "invalid"}[fe.Kind]
	if fe.Collection != "" {
		kind += " (" + fe.Access + " " + fe.Collection + ")"
	}
	if fe.Validation != "" {
		kind += " " + fe.Validation
	}
	if fe.TxID != "" {
		kind += " txId " + fe.TxID
	}
	return kind
}

// CarRef names a car in the sweeper's logs: the first 16 hex digits of the
// SHA-256 of its VIN. A VIN can be personal data (docs/domain.md); an
// operator who knows the VIN finds its lines with
// `printf %s VIN | sha256sum | cut -c1-16`.
func CarRef(vin string) string {
	h := sha256.Sum256([]byte(vin))
	return hex.EncodeToString(h[:8])
}

// prune forgets grants purged more than DoneRetention ago, at most once an
// hour.
func (s *Sweeper) prune() {
	now := s.now()
	s.mu.Lock()
	if now.Sub(s.lastPrune) < time.Hour {
		s.mu.Unlock()
		return
	}
	s.lastPrune = now
	s.mu.Unlock()
	cutoff := now.Add(-DoneRetention)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(doneBucket)
		var old [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var at time.Time
			if at.UnmarshalText(v) != nil || at.Before(cutoff) {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old { // not inside ForEach: bbolt forbids changing a bucket it iterates
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("purge sweeper: prune purged grants", "err", err)
	}
}
