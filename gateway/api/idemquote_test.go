package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client's Idempotency-Key (up to 255 bytes) is quoted in a problem's
// detail, never echoed raw, and a long one is cut to 64 bytes.
func TestIdempotencyKeyIsQuotedAndCutInProblems(t *testing.T) {
	e := newEnv(t)
	long := `"><script>` + strings.Repeat("x", 240)
	require.Equal(t, http.StatusCreated, e.do("POST", "/v1/vehicles", "erp", register, "Idempotency-Key", long).status)
	reused := e.do("POST", "/v1/vehicles", "erp", strings.Replace(register, `"red"`, `"blue"`, 1), "Idempotency-Key", long)
	require.Equal(t, http.StatusUnprocessableEntity, reused.status)
	detail := reused.problem(t).Detail
	assert.Contains(t, detail, `Idempotency-Key "\"><script>xxx`)
	assert.Contains(t, detail, `xxx"... was used with a different request`)
	assert.NotContains(t, detail, long[:70], "at most 64 bytes of the key are quoted")
}
