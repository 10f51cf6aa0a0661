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
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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
	// Party restricts PaymentSettled notices to one holder.
	Party     string    `json:"party,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Validate checks a new subscription.
func (s Subscription) Validate() error {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("url must be an absolute http(s) URL")
	}
	if len(s.Events) == 0 {
		return errors.New("events must name at least one event")
	}
	if len(s.Secret) < 16 {
		return errors.New("secret must be at least 16 characters")
	}
	return nil
}

// Notification is one delivery to one subscriber.
type Notification struct {
	ID             string          `json:"id"`
	SubscriptionID string          `json:"subscriptionId"`
	EventID        string          `json:"eventId"`
	EventName      string          `json:"eventName"`
	Recipient      string          `json:"recipient,omitempty"`
	Payload        json.RawMessage `json:"payload"`
	State          string          `json:"state"`
	Attempts       int             `json:"attempts"`
	NextAttempt    time.Time       `json:"nextAttempt"`
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

// Hub keeps subscriptions and notifications in the gateway's bbolt file.
type Hub struct {
	db          *bolt.DB
	log         *slog.Logger
	client      *http.Client
	maxAttempts int
	now         func() time.Time

	mu sync.Mutex
	// unsaved is the id of the last event accepted when it is newer than
	// the checkpoint in the file; "" when the file is up to date.
	unsaved string
}

// Option configures a Hub at New.
type Option func(*Hub)

// WithMaxAttempts sets how many failed deliveries park a notification as
// dead (5 by default).
func WithMaxAttempts(n int) Option { return func(h *Hub) { h.maxAttempts = n } }

// WithClock makes the hub read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option { return func(h *Hub) { h.now = now } }

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
	h := &Hub{db: db, log: log, client: &http.Client{Timeout: 10 * time.Second}, maxAttempts: 5, now: time.Now}
	for _, o := range opts {
		o(h)
	}
	return h, err
}

func put(tx *bolt.Tx, b []byte, k string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(b).Put([]byte(k), raw)
}

// Subscribe stores s.
func (h *Hub) Subscribe(s Subscription) error {
	return h.db.Update(func(tx *bolt.Tx) error { return put(tx, subsBucket, s.ID, s) })
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
	n, err := enqueue(tx, e, h.now())
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

// enqueue adds e's notifications to tx and says how many.
func enqueue(tx *bolt.Tx, e Event, now time.Time) (int, error) {
	n := 0
	subs := tx.Bucket(subsBucket)
	err := subs.ForEach(func(_, v []byte) error {
		var s Subscription
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		if !slices.Contains(s.Events, e.Name) {
			return nil
		}
		for _, r := range recipients(e, s) {
			id := e.ID + ":" + s.ID
			if r != "" {
				id += ":" + r
			}
			if tx.Bucket(notesBucket).Get([]byte(id)) != nil {
				continue
			}
			note := Notification{ID: id, SubscriptionID: s.ID, EventID: e.ID, EventName: e.Name, Recipient: r,
				Payload: e.Payload, State: Pending, NextAttempt: now}
			if err := put(tx, notesBucket, id, note); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
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
// "t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>" with the secret>".
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", ts, hex.EncodeToString(m.Sum(nil)))
}

// Verify checks a signature header against body; receivers use the same rule.
func Verify(secret, header string, body []byte, tolerance time.Duration, now time.Time) bool {
	var ts int64
	var sig string
	for _, part := range bytes.Split([]byte(header), []byte(",")) {
		k, v, _ := bytes.Cut(part, []byte("="))
		switch string(k) {
		case "t":
			ts, _ = strconv.ParseInt(string(v), 10, 64)
		case "v1":
			sig = string(v)
		}
	}
	if ts == 0 || now.Sub(time.Unix(ts, 0)).Abs() > tolerance {
		return false
	}
	want := Sign(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(fmt.Sprintf("t=%d,v1=%s", ts, sig)))
}

// backoff is the pause after attempt n failed.
func backoff(n int) time.Duration {
	d := time.Duration(1<<min(n, 8)) * 500 * time.Millisecond
	return min(d, 5*time.Minute)
}

// DeliverDue sends every pending notification whose time has come, once.
func (h *Hub) DeliverDue(ctx context.Context) {
	var due []Notification
	subs := map[string]Subscription{}
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
				due = append(due, n)
			}
			return nil
		})
	})
	for _, n := range due {
		if ctx.Err() != nil {
			return
		}
		s, ok := subs[n.SubscriptionID]
		if !ok {
			n.State, n.LastError = Dead, "subscription deleted"
		} else if err := h.send(ctx, s, n); err != nil {
			n.Attempts++
			n.LastError = err.Error()
			n.NextAttempt = h.now().Add(backoff(n.Attempts))
			if n.Attempts >= h.maxAttempts {
				n.State = Dead
			}
			h.log.Warn("webhook delivery failed", "notification", n.ID, "attempt", n.Attempts, "err", err)
		} else {
			n.State, n.LastError = Delivered, ""
		}
		if err := h.db.Update(func(tx *bolt.Tx) error { return put(tx, notesBucket, n.ID, n) }); err != nil {
			h.log.Error("record webhook delivery", "notification", n.ID, "err", err)
		}
	}
}

func (h *Hub) send(ctx context.Context, s Subscription, n Notification) error {
	body, _ := json.Marshal(Body{NotificationID: n.ID, EventID: n.EventID, EventName: n.EventName, Recipient: n.Recipient, Payload: n.Payload})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-AutoLedger-Notification-Id", n.ID)
	req.Header.Set("X-AutoLedger-Signature", Sign(s.Secret, h.now().Unix(), body))
	res, err := h.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return nil
}

// DeadLetters lists notifications given up on.
func (h *Hub) DeadLetters() ([]Notification, error) {
	var out []Notification
	err := h.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(notesBucket).ForEach(func(_, v []byte) error {
			var n Notification
			if json.Unmarshal(v, &n) == nil && n.State == Dead {
				out = append(out, n)
			}
			return nil
		})
	})
	return out, err
}

// Replay puts a dead notification back in the queue.
func (h *Hub) Replay(id string) error {
	return h.db.Update(func(tx *bolt.Tx) error {
		v := tx.Bucket(notesBucket).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("no notification %s", id)
		}
		var n Notification
		if err := json.Unmarshal(v, &n); err != nil {
			return err
		}
		if n.State != Dead {
			return fmt.Errorf("notification %s is %s, not dead", id, n.State)
		}
		n.State, n.Attempts, n.NextAttempt = Pending, 0, h.now()
		return put(tx, notesBucket, id, n)
	})
}
