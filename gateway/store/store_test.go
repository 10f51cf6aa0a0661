package store_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T, opts ...store.Option) (*store.Store, string) {
	path := filepath.Join(t.TempDir(), "gw.db")
	s, err := store.Open(path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestReceiptsSurviveReopen(t *testing.T) {
	s, path := open(t)
	r := store.Receipt{TxID: "tx1", Status: store.Pending, Function: "vehicle:Register", Commit: []byte{1, 2}, SubmittedAt: time.Now()}
	require.NoError(t, s.PutReceipt(r))
	require.NoError(t, s.PutReceipt(store.Receipt{TxID: "tx2", Status: store.Committed}))
	require.NoError(t, s.Close())

	s2, err := store.Open(path)
	require.NoError(t, err)
	defer s2.Close()
	got, err := s2.Receipt("tx1")
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2}, got.Commit)
	pending, err := s2.PendingReceipts()
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, "tx1", pending[0].TxID)
	_, err = s2.Receipt("nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestReserveIsExclusive(t *testing.T) {
	s, _ := open(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			existing, err := s.Reserve("c", "k", "h")
			require.NoError(t, err)
			if existing == nil {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, winners)

	e, err := s.Reserve("c", "k", "other")
	require.NoError(t, err)
	assert.True(t, e.InProgress)
	assert.Equal(t, "h", e.BodyHash)

	// Keys are scoped by client.
	e, err = s.Reserve("d", "k", "h")
	require.NoError(t, err)
	assert.Nil(t, e)

	require.NoError(t, s.CompleteIdem("c", "k", store.Idem{BodyHash: "h", TxID: "tx9"}))
	e, _ = s.Reserve("c", "k", "h")
	assert.False(t, e.InProgress)
	assert.Equal(t, "tx9", e.TxID)

	require.NoError(t, s.ReleaseIdem("d", "k"))
	e, _ = s.Reserve("d", "k", "h2")
	assert.Nil(t, e)
}

func TestExpire(t *testing.T) {
	t0 := time.Now()
	now := t0
	s, _ := open(t, store.WithClock(func() time.Time { return now }))
	_, _ = s.Reserve("c", "old", "h")
	require.NoError(t, s.PutReceipt(store.Receipt{TxID: "done", Status: store.Committed, SubmittedAt: t0}))
	require.NoError(t, s.PutReceipt(store.Receipt{TxID: "wait", Status: store.Pending, SubmittedAt: t0}))
	now = t0.Add(48 * time.Hour)
	_, _ = s.Reserve("c", "new", "h")
	n, err := s.Expire(24*time.Hour, 24*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	e, _ := s.Reserve("c", "old", "x")
	assert.Nil(t, e, "expired key is free again")
	_, err = s.Receipt("done")
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.Receipt("wait")
	assert.NoError(t, err, "pending receipts are kept")
}
