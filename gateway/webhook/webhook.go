// Package webhook delivers chaincode events to subscribers over HTTP: each
// event fans out into one notification per matching subscription (and, for
// PaymentSettled, per holder), signed with HMAC-SHA256, retried with backoff,
// and parked in a dead-letter list after too many failures.
//
// Delivery is at least once. The event stream's checkpoint and the
// notifications it produced are written in one bbolt transaction, so a
// restart neither skips an event nor enqueues it twice. Most events concern
// no subscriber and no deadline: for those nothing is written at once (an
// fsync per channel transaction would be most of the gateway's disk and CPU
// work), the checkpoint moves in memory and reaches the file at the next
// FlushCursor, at the latest a quarter of a second later; a restart in
// between reads those events again and they again produce nothing. A notification
// whose delivery was acknowledged is marked so before the next attempt
// could start, so it is not sent again. Receivers deduplicate on the
// notification id (event id + subscription + recipient).
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	bolt "go.etcd.io/bbolt"
)

var (
	subsBucket   = []byte("subscriptions")
	notesBucket  = []byte("notifications")
	cursorBucket = []byte("cursor")
)

// Notification states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Dead      = "dead"
)

// Subscription asks for events by name, delivered to URL.
type Subscription struct {
	ID     string   `json:"id"`
	Client string   `json:"client"`
	Org    string   `json:"org"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret,omitempty"`
	// PreviousSecret still signs deliveries, next to Secret, until
	// PreviousSecretUntil: the grace period of a rotation, during which a
	// receiver may verify with either.
	PreviousSecret      string    `json:"previousSecret,omitempty"`
	PreviousSecretUntil time.Time `json:"previousSecretUntil,omitzero"`
	// Party restricts PaymentSettled notices to one holder.
	Party     string    `json:"party,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Public is s without its secrets, as the API shows it.
func (s Subscription) Public() Subscription {
	s.Secret, s.PreviousSecret = "", ""
	return s
}

// URLRefused is the whole answer to a subscription URL the guard refuses.
const URLRefused = "url must lead to a public address, or be allow-listed by the operator"

// FieldError is a subscription refused for one of its fields.
type FieldError struct {
	Field, Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Errors the API maps to answers.
var (
	ErrNotFound = errors.New("not found")
	ErrNotDead  = errors.New("notification is not dead")
	// ErrLimit is a cap of Limits reached.
	ErrLimit = errors.New("limit reached")
)

// Validate checks a new subscription's own fields (Hub.Subscribe also
// checks where its URL leads).
func (s Subscription) Validate() error {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &FieldError{"url", "url must be an absolute http(s) URL"}
	}
	if len(s.Events) == 0 {
		return &FieldError{"events", "events must name at least one event"}
	}
	return validSecret(s.Secret)
}

func validSecret(secret string) error {
	if len(secret) < 16 {
		return &FieldError{"secret", "secret must be at least 16 characters"}
	}
	return nil
}

// Notification is one delivery to one subscriber.
type Notification struct {
	ID             string          `json:"id"`
	SubscriptionID string          `json:"subscriptionId"`
	Org            string          `json:"org,omitempty"`
	EventID        string          `json:"eventId"`
	EventName      string          `json:"eventName"`
	Recipient      string          `json:"recipient,omitempty"`
	Payload        json.RawMessage `json:"payload"`
	State          string          `json:"state"`
	Attempts       int             `json:"attempts"`
	NextAttempt    time.Time       `json:"nextAttempt"`
	DeliveredAt    time.Time       `json:"deliveredAt,omitzero"`
	LastError      string          `json:"lastError,omitempty"`
}

// Event is a chaincode event as the dispatcher sees it.
type Event struct {
	ID      string          `json:"id"`
	Block   uint64          `json:"blockNumber"`
	TxID    string          `json:"transactionId"`
	Name    string          `json:"eventName"`
	Payload json.RawMessage `json:"payload"`
}

// Limits bound what one org or subscriber can make the gateway keep.
type Limits struct {
	// SubscriptionsPerOrg caps an org's subscriptions (20).
	SubscriptionsPerOrg int
	// PendingPerSubscription caps the notifications waiting for one
	// subscriber (1000); past it a new notification is parked as dead at
	// once, to be replayed when the subscriber is back.
	PendingPerSubscription int
	// DeliveredRetention is how long a delivered notification is kept
	// (7 days); older ones are pruned.
	DeliveredRetention time.Duration
	// SecretGrace is how long a rotated-out secret keeps signing (24 h).
	SecretGrace time.Duration
}

// DefaultLimits are the documented defaults (docs/payments.md).
var DefaultLimits = Limits{SubscriptionsPerOrg: 20, PendingPerSubscription: 1000,
	DeliveredRetention: 7 * 24 * time.Hour, SecretGrace: 24 * time.Hour}

// deliveryTimeout bounds one delivery attempt.
const deliveryTimeout = 10 * time.Second

// Hub keeps subscriptions and notifications in the gateway's bbolt file.
type Hub struct {
	db          *bolt.DB
	log         *slog.Logger
	guard       *Guard
	client      *http.Client
	maxAttempts int
	limits      Limits
	now         func() time.Time

	mu sync.Mutex
	// unsaved is the id of the last event accepted when it is newer than
	// the checkpoint in the file; "" when the file is up to date.
	unsaved string

	// busy holds the subscriptions whose worker is delivering: one worker
	// per subscriber, so a subscriber that never answers only delays itself.
	workers   sync.WaitGroup
	busyMu    sync.Mutex
	busy      map[string]bool
	lastPrune time.Time
}

// Option configures a Hub at New.
type Option func(*Hub)

// WithMaxAttempts sets how many failed deliveries park a notification as
// dead (5 by default).
func WithMaxAttempts(n int) Option { return func(h *Hub) { h.maxAttempts = n } }

// WithClock makes the hub read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(h *Hub) { h.now = now } }

// WithGuard sets where deliveries may go; by default no internal address
// is admitted.
func WithGuard(g *Guard) Option { return func(h *Hub) { h.guard = g } }

// WithLimits replaces DefaultLimits; zero fields keep their default.
func WithLimits(l Limits) Option {
	return func(h *Hub) {
		if l.SubscriptionsPerOrg > 0 {
			h.limits.SubscriptionsPerOrg = l.SubscriptionsPerOrg
		}
		if l.PendingPerSubscription > 0 {
			h.limits.PendingPerSubscription = l.PendingPerSubscription
		}
		if l.DeliveredRetention > 0 {
			h.limits.DeliveredRetention = l.DeliveredRetention
		}
		if l.SecretGrace > 0 {
			h.limits.SecretGrace = l.SecretGrace
		}
	}
}

// New returns a hub on db (the gateway store's file).
func New(db *bolt.DB, log *slog.Logger, opts ...Option) (*Hub, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{subsBucket, notesBucket, cursorBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	h := &Hub{db: db, log: log, maxAttempts: 5, limits: DefaultLimits, now: time.Now, busy: map[string]bool{}}
	for _, o := range opts {
		o(h)
	}
	if h.guard == nil {
		if h.guard, err = NewGuard(nil, nil, nil); err != nil {
			return nil, err
		}
	}
	h.client = &http.Client{
		Timeout: deliveryTimeout,
		// Only the guard's dialer, never a proxy from the environment: the
		// guard must see the address actually dialled.
		Transport: &http.Transport{Proxy: nil, DialContext: h.guard.DialContext, ForceAttemptHTTP2: true,
			TLSHandshakeTimeout: deliveryTimeout, ResponseHeaderTimeout: deliveryTimeout, MaxIdleConnsPerHost: 2},
		// A redirect could lead anywhere, the guard's refusals included in
		// spirit: a 3xx answer is a failed delivery.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h, nil
}

func put(tx *bolt.Tx, b []byte, k string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(b).Put([]byte(k), raw)
}

// Subscribe stores s after checking its fields, where its URL leads (a
// *FieldError for "url" when the guard refuses it) and its org's cap
// (ErrLimit).
func (h *Hub) Subscribe(ctx context.Context, s Subscription) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := h.guard.CheckURL(ctx, s.URL); err != nil {
		// The answer is the same whatever the cause: quoting the address a
		// name resolved to, or that it did not resolve, would let any API
		// user map the gateway's internal names. The operator reads why.
		host := ""
		if u, perr := url.Parse(s.URL); perr == nil {
			host = u.Hostname()
		}
		h.log.Warn("webhook subscription url refused", "org", s.Org, "host", host, "err", err)
		return &FieldError{"url", URLRefused}
	}
	return h.db.Update(func(tx *bolt.Tx) error {
		n := 0
		err := tx.Bucket(subsBucket).ForEach(func(_, v []byte) error {
			var o Subscription
			if json.Unmarshal(v, &o) == nil && o.Org == s.Org {
				n++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n >= h.limits.SubscriptionsPerOrg {
			return fmt.Errorf("%w: %s has %d subscriptions, the most this gateway keeps per org; delete one first",
				ErrLimit, s.Org, n)
		}
		return put(tx, subsBucket, s.ID, s)
	})
}

// subscription reads org's subscription id; another org's is ErrNotFound.
func subscription(tx *bolt.Tx, org, id string) (Subscription, error) {
	var s Subscription
	v := tx.Bucket(subsBucket).Get([]byte(id))
	if v == nil {
		return s, fmt.Errorf("subscription %s: %w", id, ErrNotFound)
	}
	if err := json.Unmarshal(v, &s); err != nil {
		return s, err
	}
	if s.Org != org {
		return s, fmt.Errorf("subscription %s: %w", id, ErrNotFound)
	}
	return s, nil
}

// Unsubscribe deletes org's subscription id and every notification still
// kept for it (pending, dead or delivered).
func (h *Hub) Unsubscribe(org, id string) error {
	return h.db.Update(func(tx *bolt.Tx) error {
		if _, err := subscription(tx, org, id); err != nil {
			return err
		}
		if err := tx.Bucket(subsBucket).Delete([]byte(id)); err != nil {
			return err
		}
		return deleteNotes(tx, func(n Notification) bool { return n.SubscriptionID == id })
	})
}

// deleteNotes deletes the notifications that match.
func deleteNotes(tx *bolt.Tx, match func(Notification) bool) error {
	var keys [][]byte
	b := tx.Bucket(notesBucket)
	err := b.ForEach(func(k, v []byte) error {
		var n Notification
		if json.Unmarshal(v, &n) == nil && match(n) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys { // not inside ForEach: bbolt forbids changing a bucket it iterates
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// RotateSecret makes secret the one that signs org's subscription id; the
// current secret keeps signing too, next to it, for Limits.SecretGrace so
// that receivers can switch without losing a delivery.
func (h *Hub) RotateSecret(org, id, secret string) (Subscription, error) {
	var s Subscription
	if err := validSecret(secret); err != nil {
		return s, err
	}
	err := h.db.Update(func(tx *bolt.Tx) error {
		var err error
		if s, err = subscription(tx, org, id); err != nil {
			return err
		}
		s.PreviousSecret, s.PreviousSecretUntil = s.Secret, h.now().Add(h.limits.SecretGrace).UTC()
		s.Secret = secret
		return put(tx, subsBucket, s.ID, s)
	})
	return s, err
}

// Subscriptions lists the subscriptions of org, by ID.
func (h *Hub) Subscriptions(org string) ([]Subscription, error) {
	var out []Subscription
	err := h.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(subsBucket).ForEach(func(_, v []byte) error {
			var s Subscription
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			if org == "" || s.Org == org {
				out = append(out, s)
			}
			return nil
		})
	})
	return out, err
}

// Cursor returns the last event id processed, "" before the first.
// FlushCursor makes it durable.
func (h *Hub) Cursor() (string, error) {
	h.mu.Lock()
	c := h.unsaved
	h.mu.Unlock()
	if c != "" {
		return c, nil
	}
	err := h.db.View(func(tx *bolt.Tx) error {
		c = string(tx.Bucket(cursorBucket).Get([]byte("events")))
		return nil
	})
	return c, err
}

// recipients returns who an event is for under a subscription: for a
// settlement, every holder (or the subscription's party only); else one
// notification with no recipient.
func recipients(e Event, s Subscription) []string {
	if e.Name != paymenttypes.EvPaymentSettled {
		return []string{""}
	}
	p, ok := decode[paymenttypes.PaymentSettled](e.Payload)
	if !ok || len(p.Holders) == 0 {
		return []string{""}
	}
	var out []string
	for _, hd := range p.Holders {
		if s.Party == "" || s.Party == hd.Party {
			out = append(out, hd.Party)
		}
	}
	return out
}

// decode reads an event payload as the contract's type for it.
func decode[T any](payload json.RawMessage) (T, bool) {
	var p T
	err := json.Unmarshal(payload, &p)
	return p, err == nil
}

// Accept records the notifications of e and advances the cursor to e, in
// one transaction: an event is enqueued exactly once. An event that needs
// no record leaves the file alone and moves the cursor in memory only.
func (h *Hub) Accept(e Event) (int, error) {
	tx, err := h.db.Begin(true)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	n, err := h.enqueue(tx, e)
	if err != nil {
		return 0, err
	}
	noted, err := noteDeadline(tx, e)
	if err != nil {
		return 0, err
	}
	if n == 0 && !noted {
		h.mu.Lock()
		h.unsaved = e.ID
		h.mu.Unlock()
		return 0, nil
	}
	if err := tx.Bucket(cursorBucket).Put([]byte("events"), []byte(e.ID)); err != nil {
		return 0, err
	}
	// Under the write lock, so a concurrent FlushCursor cannot write an
	// older id after this one.
	h.mu.Lock()
	h.unsaved = ""
	h.mu.Unlock()
	return n, tx.Commit()
}

// FlushCursor writes the in-memory cursor to the file, if it moved.
func (h *Hub) FlushCursor() error {
	h.mu.Lock()
	moved := h.unsaved != ""
	h.mu.Unlock()
	if !moved {
		return nil
	}
	return h.db.Update(func(tx *bolt.Tx) error {
		h.mu.Lock()
		c := h.unsaved
		h.unsaved = ""
		h.mu.Unlock()
		if c == "" {
			return nil // an Accept wrote a newer one meanwhile
		}
		return tx.Bucket(cursorBucket).Put([]byte("events"), []byte(c))
	})
}

// enqueue adds e's notifications to tx and says how many. A subscriber
// with a full queue gets its new notification parked as dead.
func (h *Hub) enqueue(tx *bolt.Tx, e Event) (int, error) {
	n := 0
	now := h.now()
	var pending map[string]int // counted once, when some subscription wants e
	subs := tx.Bucket(subsBucket)
	err := subs.ForEach(func(_, v []byte) error {
		var s Subscription
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		if !slices.Contains(s.Events, e.Name) {
			return nil
		}
		if pending == nil {
			pending = pendingCounts(tx)
		}
		for _, r := range recipients(e, s) {
			id := e.ID + ":" + s.ID
			if r != "" {
				id += ":" + r
			}
			if tx.Bucket(notesBucket).Get([]byte(id)) != nil {
				continue
			}
			note := Notification{ID: id, SubscriptionID: s.ID, Org: s.Org, EventID: e.ID, EventName: e.Name, Recipient: r,
				Payload: e.Payload, State: Pending, NextAttempt: now}
			if pending[s.ID] >= h.limits.PendingPerSubscription {
				note.State = Dead
				note.LastError = fmt.Sprintf("queue full: %d notifications were pending for the subscription", pending[s.ID])
			} else {
				pending[s.ID]++
			}
			if err := put(tx, notesBucket, id, note); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// pendingCounts counts the pending notifications per subscription.
func pendingCounts(tx *bolt.Tx) map[string]int {
	out := map[string]int{}
	_ = tx.Bucket(notesBucket).ForEach(func(_, v []byte) error {
		var n Notification
		if json.Unmarshal(v, &n) == nil && n.State == Pending {
			out[n.SubscriptionID]++
		}
		return nil
	})
	return out
}

// Body is what a subscriber receives.
type Body struct {
	NotificationID string          `json:"notificationId"`
	EventID        string          `json:"eventId"`
	EventName      string          `json:"eventName"`
	Recipient      string          `json:"recipient,omitempty"`
	Payload        json.RawMessage `json:"payload"`
}

// Sign returns the signature header value for body at unix time ts:
// "t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>" with the secret>", with
// one more ",v1=<hex>" per further secret (a rotated-out secret during its
// grace period). A receiver accepts the delivery if any v1 verifies.
func Sign(secret string, ts int64, body []byte, more ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "t=%d", ts)
	for _, s := range append([]string{secret}, more...) {
		b.WriteString(",v1=")
		b.WriteString(mac(s, ts, body))
	}
	return b.String()
}

func mac(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header against body: its timestamp is within
// tolerance of now and one of its v1 signatures is made with secret.
// Receivers use the same rule.
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) bool {
	var ts int64
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts, _ = strconv.ParseInt(v, 10, 64)
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == 0 || now.Sub(time.Unix(ts, 0)).Abs() > tolerance {
		return false
	}
	want := []byte(mac(secret, ts, body))
	ok := false
	for _, sig := range sigs {
		ok = hmac.Equal(want, []byte(sig)) || ok // every one compared: no early exit to time
	}
	return ok
}

// backoff is the pause after attempt n failed.
func backoff(n int) time.Duration {
	d := time.Duration(1<<min(n, 8)) * 500 * time.Millisecond
	return min(d, 5*time.Minute)
}

// DeliverDue starts delivering every pending notification whose time has
// come: one worker per subscriber with due notifications, unless that
// subscriber's worker is still busy. It does not wait for them (Wait does),
// so a subscriber that never answers delays neither the others nor the
// caller's next round. It also prunes old delivered notifications.
func (h *Hub) DeliverDue(ctx context.Context) {
	h.prune()
	subs := map[string]Subscription{}
	due := map[string][]Notification{}
	_ = h.db.View(func(tx *bolt.Tx) error {
		_ = tx.Bucket(subsBucket).ForEach(func(k, v []byte) error {
			var s Subscription
			if json.Unmarshal(v, &s) == nil {
				subs[s.ID] = s
			}
			return nil
		})
		return tx.Bucket(notesBucket).ForEach(func(_, v []byte) error {
			var n Notification
			if json.Unmarshal(v, &n) == nil && n.State == Pending && !n.NextAttempt.After(h.now()) {
				due[n.SubscriptionID] = append(due[n.SubscriptionID], n)
			}
			return nil
		})
	})
	for id, notes := range due {
		h.busyMu.Lock()
		if h.busy[id] {
			h.busyMu.Unlock()
			continue
		}
		h.busy[id] = true
		h.busyMu.Unlock()
		h.workers.Add(1)
		go func() {
			defer h.workers.Done()
			defer func() {
				h.busyMu.Lock()
				delete(h.busy, id)
				h.busyMu.Unlock()
			}()
			s, ok := subs[id]
			h.deliver(ctx, s, ok, notes)
		}()
	}
}

// Wait waits until the workers DeliverDue started have finished.
func (h *Hub) Wait() { h.workers.Wait() }

// deliver sends one subscriber's due notifications in order.
func (h *Hub) deliver(ctx context.Context, s Subscription, ok bool, notes []Notification) {
	for _, n := range notes {
		if ctx.Err() != nil {
			return
		}
		if !ok {
			n.State, n.LastError = Dead, "subscription deleted"
		} else if err := h.send(ctx, s, n); err != nil {
			n.Attempts++
			n.LastError = err.Error()
			n.NextAttempt = h.now().Add(backoff(n.Attempts))
			if n.Attempts >= h.maxAttempts {
				n.State = Dead
			}
			h.log.Warn("webhook delivery failed", "notification", n.ID, "attempt", n.Attempts, "err", n.LastError)
		} else {
			n.State, n.LastError, n.DeliveredAt = Delivered, "", h.now().UTC()
		}
		err := h.db.Update(func(tx *bolt.Tx) error {
			if tx.Bucket(notesBucket).Get([]byte(n.ID)) == nil {
				return nil // its subscription was deleted meanwhile
			}
			return put(tx, notesBucket, n.ID, n)
		})
		if err != nil {
			h.log.Error("record webhook delivery", "notification", n.ID, "err", err)
		}
	}
}

// send posts n to s. Its error is stored as the notification's lastError,
// which the subscriber's org reads: it names the URL without credentials
// or query (a receiver's token often lives there) and only the kind of
// failure, never an address the host resolved to; the details go to the
// gateway's log.
func (h *Hub) send(ctx context.Context, s Subscription, n Notification) error {
	body, _ := json.Marshal(Body{NotificationID: n.ID, EventID: n.EventID, EventName: n.EventName, Recipient: n.Recipient, Payload: n.Payload})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return errors.New("bad subscription URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AutoLedger-Notification-Id", n.ID)
	var more []string
	if s.PreviousSecret != "" && h.now().Before(s.PreviousSecretUntil) {
		more = append(more, s.PreviousSecret)
	}
	req.Header.Set("X-AutoLedger-Signature", Sign(s.Secret, h.now().Unix(), body, more...))
	where := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	res, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text quotes the whole URL
			err = ue.Err
		}
		h.log.Warn("webhook post failed", "notification", n.ID, "to", where, "err", err)
		return fmt.Errorf("post %s: %s", where, failure(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096)) // lets the connection be reused
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("post %s: HTTP %d", where, res.StatusCode)
	}
	return nil
}

// failure names the kind of a failed post, coarsely enough to reveal
// nothing of the gateway's network.
func failure(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrRefusedAddress):
		return "refused: " + URLRefused
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "connection failed"
}

// prune deletes delivered notifications older than the retention, at most
// once a minute.
func (h *Hub) prune() {
	now := h.now()
	h.busyMu.Lock()
	if now.Sub(h.lastPrune) < time.Minute {
		h.busyMu.Unlock()
		return
	}
	h.lastPrune = now
	h.busyMu.Unlock()
	cutoff := now.Add(-h.limits.DeliveredRetention)
	err := h.db.Update(func(tx *bolt.Tx) error {
		return deleteNotes(tx, func(n Notification) bool {
			at := n.DeliveredAt
			if at.IsZero() {
				at = n.NextAttempt // delivered before DeliveredAt was recorded
			}
			return n.State == Delivered && at.Before(cutoff)
		})
	})
	if err != nil {
		h.log.Error("prune delivered notifications", "err", err)
	}
}

// DeadLetters lists org's notifications given up on.
func (h *Hub) DeadLetters(org string) ([]Notification, error) {
	var out []Notification
	err := h.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(notesBucket).ForEach(func(_, v []byte) error {
			var n Notification
			if json.Unmarshal(v, &n) == nil && n.State == Dead && noteOrg(tx, n) == org {
				out = append(out, n)
			}
			return nil
		})
	})
	return out, err
}

// noteOrg is the org n is for: recorded since notifications carry it,
// else its subscription's.
func noteOrg(tx *bolt.Tx, n Notification) string {
	if n.Org != "" {
		return n.Org
	}
	var s Subscription
	if v := tx.Bucket(subsBucket).Get([]byte(n.SubscriptionID)); v != nil && json.Unmarshal(v, &s) == nil {
		return s.Org
	}
	return ""
}

// Replay puts org's dead notification id back in the queue: ErrNotFound
// for another org's, ErrNotDead for one that is not dead, ErrLimit when
// its subscriber's queue is full.
func (h *Hub) Replay(org, id string) error {
	return h.db.Update(func(tx *bolt.Tx) error {
		v := tx.Bucket(notesBucket).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("notification %s: %w", id, ErrNotFound)
		}
		var n Notification
		if err := json.Unmarshal(v, &n); err != nil {
			return err
		}
		if noteOrg(tx, n) != org {
			return fmt.Errorf("notification %s: %w", id, ErrNotFound)
		}
		if n.State != Dead {
			return fmt.Errorf("notification %s is %s: %w", id, n.State, ErrNotDead)
		}
		if c := pendingCounts(tx)[n.SubscriptionID]; c >= h.limits.PendingPerSubscription {
			return fmt.Errorf("%w: %d notifications are pending for subscription %s", ErrLimit, c, n.SubscriptionID)
		}
		n.State, n.Attempts, n.NextAttempt = Pending, 0, h.now()
		return put(tx, notesBucket, id, n)
	})
}
