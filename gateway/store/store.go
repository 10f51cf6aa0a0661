// Package store keeps the gateway's own state in an embedded bbolt file:
// transaction receipts (so status lookups survive a restart) and
// idempotency keys (so a retried POST never submits twice). It is not a
// second ledger: everything here can be rebuilt from Fabric or dropped after
// its retention period.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	receiptsBucket = []byte("receipts")
	idemBucket     = []byte("idempotency")
)

// Transaction statuses.
const (
	Pending   = "pending"
	Committed = "committed"
	Invalid   = "invalid"
)

// ErrNotFound is returned for an unknown transaction ID.
var ErrNotFound = errors.New("not found")

// Receipt is what the gateway knows about a transaction it submitted.
type Receipt struct {
	TxID           string          `json:"transactionId"`
	Status         string          `json:"status"`
	ValidationCode string          `json:"validationCode,omitempty"`
	BlockNumber    uint64          `json:"blockNumber,omitempty"`
	Function       string          `json:"function"`
	Client         string          `json:"client"`
	Org            string          `json:"org"`
	Role           string          `json:"role"`
	Result         json.RawMessage `json:"result,omitempty"`
	// SuccessStatus and Location are the HTTP answer once committed.
	SuccessStatus int       `json:"successStatus"`
	Location      string    `json:"location,omitempty"`
	Commit        []byte    `json:"commit,omitempty"` // client.Commit bytes, to resume waiting after a restart
	SubmittedAt   time.Time `json:"submittedAt"`
	CommittedAt   time.Time `json:"committedAt,omitzero"`
	// RetriedAs is the transaction that replaced this one after a read conflict.
	RetriedAs string `json:"retriedAs,omitempty"`
}

// Idem is the record of one idempotency key.
type Idem struct {
	BodyHash string `json:"bodyHash"`
	// TxID links to a receipt when the request reached the orderer.
	TxID string `json:"transactionId,omitempty"`
	// Status, ContentType and Body are a final answer that is not a
	// transaction receipt (a business error, say).
	Status      int       `json:"status,omitempty"`
	ContentType string    `json:"contentType,omitempty"`
	Body        []byte    `json:"body,omitempty"`
	InProgress  bool      `json:"inProgress"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Store is the gateway's embedded store.
type Store struct {
	db  *bolt.DB
	now func() time.Time
}

// Option configures a Store at Open.
type Option func(*Store)

// WithClock makes the store read the time from now instead of time.Now, so
// that retention can be tested without waiting for it.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating) the store at path.
func Open(path string, opts ...Option) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{receiptsBucket, idemBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init store: %w", err)
	}
	// Batch waits this long for company; 1 ms keeps a lone write fast.
	db.MaxBatchDelay = time.Millisecond
	s := &Store{db: db, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

func put(tx *bolt.Tx, bucket []byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Bucket(bucket).Put([]byte(key), b)
}

// PutReceipt stores r under its transaction ID. Concurrent calls share one
// bbolt transaction and one fsync (db.Batch): under load every request
// writes two receipts, and a sync each would serialise them on the disk.
func (s *Store) PutReceipt(r Receipt) error {
	return s.db.Batch(func(tx *bolt.Tx) error { return put(tx, receiptsBucket, r.TxID, r) })
}

// Receipt returns the receipt of txID or ErrNotFound.
func (s *Store) Receipt(txID string) (Receipt, error) {
	var r Receipt
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(receiptsBucket).Get([]byte(txID))
		if b == nil {
			return ErrNotFound
		}
		return json.Unmarshal(b, &r)
	})
	return r, err
}

// PendingReceipts returns every receipt still waiting for its commit.
func (s *Store) PendingReceipts() ([]Receipt, error) {
	var out []Receipt
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(receiptsBucket).ForEach(func(_, v []byte) error {
			var r Receipt
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			if r.Status == Pending {
				out = append(out, r)
			}
			return nil
		})
	})
	return out, err
}

func idemKey(client, key string) string { return client + "\x00" + key }

// Reserve claims an idempotency key for a request with bodyHash. When the
// key is new it is recorded as in progress and existing is nil; otherwise
// the earlier record is returned unchanged. The check and the claim are one
// bbolt transaction, so two concurrent requests cannot both win.
func (s *Store) Reserve(client, key, bodyHash string) (existing *Idem, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		k := idemKey(client, key)
		if b := tx.Bucket(idemBucket).Get([]byte(k)); b != nil {
			existing = &Idem{}
			return json.Unmarshal(b, existing)
		}
		return put(tx, idemBucket, k, Idem{BodyHash: bodyHash, InProgress: true, CreatedAt: s.now()})
	})
	return existing, err
}

// CompleteIdem records the final outcome of a reserved key.
func (s *Store) CompleteIdem(client, key string, e Idem) error {
	e.InProgress = false
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	return s.db.Update(func(tx *bolt.Tx) error { return put(tx, idemBucket, idemKey(client, key), e) })
}

// ReleaseIdem forgets a reserved key whose request failed before anything
// was ordered, so the client may retry with the same key.
func (s *Store) ReleaseIdem(client, key string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(idemBucket).Delete([]byte(idemKey(client, key))) })
}

// Expire deletes idempotency keys and finished receipts older than their
// retention; pending receipts are kept until they finish.
func (s *Store) Expire(keys, receipts time.Duration) (int, error) {
	now := s.now()
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(idemBucket).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var e Idem
			if json.Unmarshal(v, &e) == nil && now.Sub(e.CreatedAt) > keys {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		c = tx.Bucket(receiptsBucket).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var r Receipt
			if json.Unmarshal(v, &r) == nil && r.Status != Pending && now.Sub(r.SubmittedAt) > receipts {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// DB is the bbolt file, shared with the webhook hub so that both keep their
// state in one embedded store.
func (s *Store) DB() *bolt.DB { return s.db }
