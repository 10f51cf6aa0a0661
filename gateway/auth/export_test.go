package auth

import "time"

// SetRefreshFloor sets the least time between two kid-miss fetches of
// issuer iss's key set, for tests that rotate keys faster than production.
func SetRefreshFloor(a *Authenticator, iss string, d time.Duration) {
	is := a.issuers[iss]
	is.mu.Lock()
	defer is.mu.Unlock()
	is.floor = d
}
