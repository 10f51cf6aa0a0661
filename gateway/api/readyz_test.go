package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orgsLedger answers Ready from a per-org table (fabric.Pool's answer: the
// peer connection and an endorsement probe per org).
type orgsLedger struct {
	fakeLedger
	orgs map[string]bool
	wait time.Duration
}

func (l *orgsLedger) Ready(_ context.Context, wait time.Duration) map[string]bool {
	l.wait = wait
	return l.orgs
}

func readyz(t *testing.T, l *orgsLedger) (int, http.Header, map[string]any) {
	t.Helper()
	s := api.New(api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Ledger: l, Limits: config.Default().Limits})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	return rec.Code, rec.Header(), body
}

// One org whose write cannot be endorsed yet (its peer answers, discovery
// cannot satisfy the policy) keeps the whole gateway unready.
func TestReadyzNeedsEveryServedOrg(t *testing.T) {
	l := &orgsLedger{orgs: map[string]bool{"OemMSP": true, "DealerMSP": false, "InsurerMSP": true}}
	code, h, body := readyz(t, l)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "2", h.Get("Retry-After"))
	assert.Equal(t, "unavailable", body["status"])
	assert.Equal(t, map[string]any{"OemMSP": true, "DealerMSP": false, "InsurerMSP": true}, body["orgs"])
	assert.Positive(t, l.wait, "the connection is given time to form")

	l.orgs["DealerMSP"] = true
	code, h, body = readyz(t, l)
	assert.Equal(t, http.StatusOK, code)
	assert.Empty(t, h.Get("Retry-After"))
	assert.Equal(t, "ready", body["status"])
}

// A gateway that serves no org has nothing to be ready for.
func TestReadyzWithoutOrgsIsNotReady(t *testing.T) {
	code, _, _ := readyz(t, &orgsLedger{orgs: map[string]bool{}})
	assert.Equal(t, http.StatusServiceUnavailable, code)
}
