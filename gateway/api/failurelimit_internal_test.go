package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tracked is how many addresses f remembers.
func (f *failureLimit) tracked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.buckets)
}

func slowFailures() config.Limits {
	lim := config.Default().Limits
	lim.AuthFailuresPerMinute, lim.AuthFailureBurst = 1, 1
	return lim
}

// More failing addresses than the limiter may remember, none of them
// forgiven yet: memory stays bounded, the addresses already limited stay
// limited, and a valid key from any address is never slowed.
func TestAuthFailureLimitIsBounded(t *testing.T) {
	key, err := auth.NewKey()
	require.NoError(t, err)
	a, err := auth.New(config.Auth{JWT: config.Default().Auth.JWT,
		APIKeys: []config.APIKey{{Client: "erp", Org: "OemMSP", Role: "production", KeyHash: auth.HashKey(key)}}})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	f := newFailureLimit(slowFailures())
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(authenticate(a, func(string) bool { return true }, f))
	r.GET("/", func(c *gin.Context) { c.Status(http.StatusOK) })
	get := func(addr, authorization string) int {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = addr + ":40000"
		req.Header.Set("Authorization", authorization)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		return w.Code
	}
	addr := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }

	now := time.Now()
	for i := range maxTracked + 500 {
		f.fail(addr(i), now)
	}
	assert.LessOrEqual(t, f.tracked(), maxTracked)

	for _, i := range []int{0, maxTracked - 1, maxTracked + 499} {
		assert.Equal(t, http.StatusTooManyRequests, get(addr(i), "Bearer al_wrong"), "address %d is still limited", i)
		assert.Equal(t, http.StatusOK, get(addr(i), "Bearer "+key), "a valid key from address %d", i)
	}
	assert.LessOrEqual(t, f.tracked(), maxTracked)
}

// A forgiven address (its bucket refilled) makes room for a new one.
func TestAuthFailureLimitForgetsForgivenAddresses(t *testing.T) {
	f := newFailureLimitOf(slowFailures(), 2)
	now := time.Now()
	f.fail("10.0.0.1", now)
	f.fail("10.0.0.2", now)
	_, over := f.fail("10.0.0.3", now)
	assert.False(t, over, "the overflow bucket's first failure")
	_, over = f.fail("10.0.0.4", now)
	assert.True(t, over, "newcomers share the overflow bucket while every address is limited")
	later := now.Add(2 * time.Minute)
	_, over = f.fail("10.0.0.5", later)
	assert.False(t, over, "10.0.0.1 was forgiven and made room")
	assert.Equal(t, 2, f.tracked())
	_, over = f.fail("10.0.0.5", later)
	assert.True(t, over, "10.0.0.5 has a bucket of its own")
}

// An IPv6 /64 is one address: rotating inside it gains nothing.
func TestAuthFailureLimitKeysIPv6By64(t *testing.T) {
	f := newFailureLimitOf(slowFailures(), 10)
	now := time.Now()
	_, over := f.fail("2001:db8:1:2::1", now)
	assert.False(t, over)
	_, over = f.fail("2001:db8:1:2:ffff::9", now)
	assert.True(t, over, "same /64")
	_, over = f.fail("2001:db8:1:3::1", now)
	assert.False(t, over, "another /64")
	_, over = f.fail("::ffff:10.0.0.1", now)
	assert.False(t, over)
	_, over = f.fail("10.0.0.1", now)
	assert.True(t, over, "an IPv4-mapped address is the IPv4 address")
	assert.Equal(t, "2001:db8:1:2::/64", addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))
}
