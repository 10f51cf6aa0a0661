package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSalt has the shape of a client's salt: 16 random bytes in hex.
const testSalt = "3f9a0c1e7b5d2468ace0f1b2c3d4e5f6"

const transferPath = "/v1/vehicles/1M8GDM9AXKP042788/ownership-transfers"

func transferBody(salt string) string {
	return `{"saleDate":"2026-01-01T00:00:00Z","odometerKm":5,"useType":"fleet","ownerRef":"dlr1:fleet-op-0007","salt":"` + salt + `"}`
}

func TestTransferSendsOwnerAndSaltAsTransientToOwnersMembersOnly(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", transferPath, "dms", transferBody(testSalt))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	req := e.sub.reqs[0]
	assert.Equal(t, "vehicle:TransferOwnership", req.Function)
	assert.JSONEq(t, `{"ownerRef":"dlr1:fleet-op-0007","salt":"`+testSalt+`"}`, string(req.Transient["owner"]))
	assert.ElementsMatch(t, []string{"DealerMSP", "InsurerMSP", "OemMSP"}, req.Endorsers, "never SupplierMSP")
	for _, a := range req.Args {
		assert.NotContains(t, a, testSalt, "the salt is never a public argument")
		assert.NotContains(t, a, "fleet-op-0007")
	}
	assert.NotContains(t, string(r.body), testSalt)
}

func TestTransferRefusesAMissingOrShortSaltWithoutEchoingIt(t *testing.T) {
	e := newEnv(t)
	for _, salt := range []string{"", "0123456789abcdef", strings.ToUpper(testSalt)} {
		r := e.do("POST", transferPath, "dms", transferBody(salt))
		require.Equal(t, http.StatusUnprocessableEntity, r.status, salt)
		p := r.problem(t)
		require.Len(t, p.Errors, 1, salt)
		assert.Equal(t, "salt", p.Errors[0].Field)
		assert.Equal(t, "salt", p.Errors[0].Rule)
		if salt != "" {
			assert.NotContains(t, string(r.body), salt, "a refused salt is not echoed")
		}
	}
	assert.Empty(t, e.sub.reqs, "nothing reaches Fabric")
}

// syncBuffer is a log sink the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTransferLogsNeitherSaltNorOwner(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	key, err := auth.NewKey()
	require.NoError(t, err)
	a, err := auth.New(config.Auth{APIKeys: []config.APIKey{{Client: "dms", Org: "DealerMSP", Role: "sales", KeyHash: auth.HashKey(key)}}})
	require.NoError(t, err)
	var logs syncBuffer
	s := api.New(api.Deps{Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Auth: a,
		Ledger: &fakeLedger{evalOut: []byte(vehicleJSON), ready: true}, Submitter: &fakeSubmitter{st: st},
		Store: st, Limits: config.Default().Limits, SyncWait: time.Second})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	for _, body := range []string{transferBody(testSalt), transferBody(testSalt[:16])} {
		req, err := http.NewRequest("POST", srv.URL+transferPath, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
	}
	require.Contains(t, logs.String(), "ownership-transfers", "control: the requests were logged")
	assert.NotContains(t, logs.String(), testSalt[:16])
	assert.NotContains(t, logs.String(), "fleet-op-0007")
}
