package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"
)

// Callers that stop calling are forgotten once their bucket has refilled,
// the map never outgrows its cap, and a caller still being limited is
// neither forgotten nor given a fresh bucket.
func TestRateLimitForgetsIdleCallersAndIsBounded(t *testing.T) {
	rl := &rateLimit{perSec: rate.Limit(10), burst: 2, max: 100, clients: map[string]*rate.Limiter{}}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		rl.limiter(fmt.Sprint("idle-", i), t0).AllowN(t0, 1)
	}
	busy := rl.limiter("busy", t0)
	assert.True(t, busy.AllowN(t0, 2))
	assert.Len(t, rl.clients, 51)

	// Two minutes on, "busy" has just spent its burst again; the idle ones refilled long ago.
	t1 := t0.Add(2 * time.Minute)
	assert.True(t, rl.limiter("busy", t1).AllowN(t1, 2))
	rl.limiter("newcomer", t1)
	assert.Len(t, rl.clients, 2, "the idle callers were dropped, the busy one and the newcomer kept")
	assert.Same(t, busy, rl.limiter("busy", t1), "a caller being limited keeps its bucket")
	assert.False(t, rl.limiter("busy", t1).AllowN(t1, 1))

	// A flood of callers, all still limited, never grows the map past its cap.
	for i := range 1000 {
		rl.limiter(fmt.Sprint("flood-", i), t1).AllowN(t1, 2)
	}
	assert.LessOrEqual(t, len(rl.clients), 100)
	assert.Same(t, busy, rl.limiter("busy", t1), "nor pushes out a caller being limited")
}
