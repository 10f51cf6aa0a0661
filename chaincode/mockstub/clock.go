package mockstub

import (
	"sync"
	"time"
)

// Clock is the time source a test controls. It supplies transaction
// timestamps and can serve as the endorsing peer's clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// DefaultStart is the time a Ledger's clock starts at unless told otherwise.
var DefaultStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
