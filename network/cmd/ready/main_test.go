package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errNoPlan = errors.New("no combination of peers can be derived which satisfy the endorsement policy")

// An org becomes ready after a few refusals; another never does: the error
// names the second with its peer's answer, and not the first.
func TestWaitAllNamesTheOrgThatIsNotReady(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	probe := func(ctx context.Context, org string) error {
		mu.Lock()
		defer mu.Unlock()
		calls[org]++
		if org == "OemMSP" && calls[org] >= 3 {
			return nil
		}
		return errNoPlan
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := waitAll(ctx, []string{"OemMSP", "InsurerMSP"}, probe, 10*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "InsurerMSP: a write cannot be endorsed yet: no combination of peers can be derived")
	assert.NotContains(t, err.Error(), "OemMSP")
	assert.Equal(t, 3, calls["OemMSP"], "no probe after success")
}

func TestWaitAllReturnsWhenEveryOrgIsReady(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	probe := func(ctx context.Context, org string) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls < 4 {
			return errNoPlan
		}
		return nil
	}
	t0 := time.Now()
	require.NoError(t, waitAll(context.Background(), []string{"OemMSP", "SupplierMSP", "DealerMSP"}, probe, 10*time.Millisecond))
	assert.Less(t, time.Since(t0), 2*time.Second)
}

// The answer reported is the peer's, not the deadline that cut the last probe short.
func TestWaitOneReportsThePeersAnswerNotTheDeadline(t *testing.T) {
	probe := func(ctx context.Context, _ string) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
			return errNoPlan
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := waitOne(ctx, "DealerMSP", probe, 15*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no combination of peers")
	assert.NotContains(t, err.Error(), "deadline")
}
