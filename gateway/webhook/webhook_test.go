package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

const secret = "0123456789abcdef-secret"

// loopback admits the tests' receivers, which listen on 127.0.0.1.
func loopback(t *testing.T) webhook.Option {
	g, err := webhook.NewGuard([]string{"127.0.0.1"}, nil, nil)
	require.NoError(t, err)
	return webhook.WithGuard(g)
}

func hub(t *testing.T, opts ...webhook.Option) *webhook.Hub {
	opts = append([]webhook.Option{loopback(t)}, opts...)
	db, err := bolt.Open(filepath.Join(t.TempDir(), "w.db"), 0o600, nil)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	h, err := webhook.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	require.NoError(t, err)
	return h
}

type receiver struct {
	mu     sync.Mutex
	bodies []webhook.Body
	fail   bool
	bad    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		w.WriteHeader(500)
		return
	}
	if !webhook.Verify(secret, req.Header.Get("X-AutoLedger-Signature"), b, time.Minute, time.Now()) {
		r.bad++
	}
	var body webhook.Body
	_ = json.Unmarshal(b, &body)
	r.bodies = append(r.bodies, body)
}

func settled() webhook.Event {
	return webhook.Event{ID: "7-tx1", Block: 7, TxID: "tx1", Name: "PaymentSettled",
		Payload: json.RawMessage(`{"orderId":"O-1","holders":[{"party":"SupplierMSP","bp":6000},{"party":"SUB-7","bp":4000}]}`)}
}

func TestSettlementFansOutPerHolderOnceAndSigned(t *testing.T) {
	h := hub(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	require.NoError(t, h.Subscribe(context.Background(), webhook.Subscription{ID: "s1", Org: "SupplierMSP", URL: srv.URL, Events: []string{"PaymentSettled"}, Secret: secret}))
	require.NoError(t, h.Subscribe(context.Background(), webhook.Subscription{ID: "s2", Org: "SupplierMSP", URL: srv.URL, Events: []string{"PaymentSettled"}, Secret: secret, Party: "SUB-7"}))
	require.NoError(t, h.Subscribe(context.Background(), webhook.Subscription{ID: "s3", Org: "OemMSP", URL: srv.URL, Events: []string{"OrderCreated"}, Secret: secret}))

	n, err := h.Accept(settled())
	require.NoError(t, err)
	assert.Equal(t, 3, n, "two holders for s1, one for s2, none for s3")
	n, err = h.Accept(settled())
	require.NoError(t, err)
	assert.Equal(t, 0, n, "an event is enqueued once")
	c, _ := h.Cursor()
	assert.Equal(t, "7-tx1", c)

	h.DeliverDue(context.Background())
	h.Wait()
	h.DeliverDue(context.Background())
	h.Wait()
	var ids []string
	for _, b := range rcv.bodies {
		ids = append(ids, b.NotificationID)
	}
	assert.ElementsMatch(t, []string{"7-tx1:s1:SupplierMSP", "7-tx1:s1:SUB-7", "7-tx1:s2:SUB-7"}, ids, "each delivered once")
	assert.Zero(t, rcv.bad, "every signature verifies")
	assert.False(t, webhook.Verify("wrong-secret-0000", webhook.Sign(secret, time.Now().Unix(), []byte("x")), []byte("x"), time.Minute, time.Now()))
	assert.False(t, webhook.Verify(secret, webhook.Sign(secret, time.Now().Add(-time.Hour).Unix(), []byte("x")), []byte("x"), time.Minute, time.Now()), "stale timestamp")
}

func TestQuietEventsReachTheFileAtTheNextFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	var db *bolt.DB
	restart := func() *webhook.Hub { // what a gateway killed at this point reads back
		if db != nil {
			require.NoError(t, db.Close())
		}
		var err error
		db, err = bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		h, err := webhook.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), loopback(t))
		require.NoError(t, err)
		return h
	}
	t.Cleanup(func() { db.Close() })
	cursor := func(h *webhook.Hub) string {
		c, err := h.Cursor()
		require.NoError(t, err)
		return c
	}
	quiet := func(id string) webhook.Event {
		return webhook.Event{ID: id, Name: "OdometerRecorded", Payload: json.RawMessage(`{"vin":"X"}`)}
	}

	h := restart()
	require.NoError(t, h.Subscribe(context.Background(), webhook.Subscription{ID: "s1", URL: "http://127.0.0.1:1/", Events: []string{"OrderCreated"}, Secret: secret}))
	n, err := h.Accept(quiet("5-a"))
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, "5-a", cursor(h), "processed")
	h = restart()
	assert.Empty(t, cursor(h), "not yet in the file: a restart reads event 5 again, which again needs nothing")

	_, err = h.Accept(quiet("5-a"))
	require.NoError(t, err)
	require.NoError(t, h.FlushCursor())
	h = restart()
	assert.Equal(t, "5-a", cursor(h), "flushed")

	_, err = h.Accept(quiet("6-a"))
	require.NoError(t, err)
	n, err = h.Accept(webhook.Event{ID: "7-b", Name: "OrderCreated", Payload: json.RawMessage(`{"orderId":"O-7"}`)})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	require.NoError(t, h.FlushCursor(), "nothing older may overwrite 7-b")
	_, err = h.Accept(quiet("8-c"))
	require.NoError(t, err)
	h = restart()
	assert.Equal(t, "7-b", cursor(h), "an event with a notification is written with its notification")

	_, err = h.Accept(webhook.Event{ID: "9-d", Name: "OrderShipped", Payload: json.RawMessage(`{"orderId":"O-9","acceptBy":"2026-01-02T00:00:00Z"}`)})
	require.NoError(t, err)
	h = restart()
	assert.Equal(t, "9-d", cursor(h), "an event that sets a deadline is written at once, though nobody subscribed to it")
}

func TestFailuresBackOffThenDeadLetterAndReplay(t *testing.T) {
	h := hub(t, webhook.WithMaxAttempts(2))
	rcv := &receiver{fail: true}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	require.NoError(t, h.Subscribe(context.Background(), webhook.Subscription{ID: "s1", URL: srv.URL, Events: []string{"OrderCreated"}, Secret: secret}))
	_, err := h.Accept(webhook.Event{ID: "3-tx9", Name: "OrderCreated", Payload: json.RawMessage(`{}`)})
	require.NoError(t, err)
	h.DeliverDue(context.Background())
	h.Wait()
	h.DeliverDue(context.Background()) // backing off: not due yet
	h.Wait()
	dead, _ := h.DeadLetters("")
	assert.Empty(t, dead)
	time.Sleep(1100 * time.Millisecond)
	h.DeliverDue(context.Background())
	h.Wait()
	dead, _ = h.DeadLetters("")
	require.Len(t, dead, 1)
	assert.Equal(t, 2, dead[0].Attempts)

	rcv.mu.Lock()
	rcv.fail = false
	rcv.mu.Unlock()
	require.NoError(t, h.Replay("", "3-tx9:s1"))
	h.DeliverDue(context.Background())
	h.Wait()
	assert.Len(t, rcv.bodies, 1)
	dead, _ = h.DeadLetters("")
	assert.Empty(t, dead)
	assert.ErrorIs(t, h.Replay("", "3-tx9:s1"), webhook.ErrNotDead, "only dead notifications replay")
	assert.Error(t, webhook.Subscription{URL: "ftp://x", Events: []string{"A"}, Secret: secret}.Validate())
}

// fakeApplier records the orders it is asked to apply and fails while fail is set.
type fakeApplier struct {
	applied []string
	fail    bool
}

func (f *fakeApplier) ApplyDeadlines(_ context.Context, orderID string) error {
	f.applied = append(f.applied, orderID)
	if f.fail {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func TestDeadlinesAreAppliedWhenTheyPass(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h := hub(t, webhook.WithClock(func() time.Time { return now }))
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339Nano) }
	accept := func(id, name, payload string) {
		_, err := h.Accept(webhook.Event{ID: id, Name: name, Payload: json.RawMessage(payload)})
		require.NoError(t, err)
	}
	accept("1-a", "OrderShipped", `{"orderId":"O-1","acceptBy":"`+at(0)+`"}`)
	accept("2-b", "OrderShipped", `{"orderId":"O-2","acceptBy":"`+at(time.Nanosecond)+`"}`)
	accept("3-c", "PaymentDue", `{"orderId":"O-3","dueDate":"`+at(-time.Minute)+`"}`)
	accept("4-d", "PaymentDue", `{"orderId":"O-4","dueDate":"`+at(0)+`"}`)
	accept("5-e", "OrderShipped", `{"orderId":"O-5","acceptBy":"`+at(-time.Minute)+`"}`)
	accept("6-f", "OrderRejected", `{"orderId":"O-5"}`)

	ctx := context.Background()
	f := &fakeApplier{fail: true}
	h.ApplyDue(ctx, f)
	assert.ElementsMatch(t, []string{"O-1", "O-3"}, f.applied,
		"a window that ends now and a payment due a minute ago; not a window still open, not a payment due now (overdue is after the due date), not a rejected order")
	f.applied, f.fail = nil, false
	h.ApplyDue(ctx, f)
	assert.ElementsMatch(t, []string{"O-1", "O-3"}, f.applied, "retried after a failure")
	f.applied = nil
	h.ApplyDue(ctx, f)
	assert.Empty(t, f.applied, "forgotten once applied")
}
