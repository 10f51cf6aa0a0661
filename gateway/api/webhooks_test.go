package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/api/apitest"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// webhookEnv is a gateway with webhooks on, whose guard admits loopback
// only by its allow-list entry, as the e2e suite's gateway does.
func webhookEnv(t *testing.T) (call func(method, path, client, body string) resp) {
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	a, keys := apiKeys(t, auth.Principal{Client: "erp", Org: "OemMSP", Role: "production"}, auth.Principal{Client: "dms", Org: "DealerMSP", Role: "sales"})
	g, err := webhook.NewGuard([]string{"127.0.0.1/32"}, nil, nil)
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := webhook.New(st.DB(), log, webhook.WithGuard(g))
	require.NoError(t, err)
	s := api.New(api.Deps{Log: log, Auth: a, Ledger: &fakeLedger{ready: true}, Submitter: &fakeSubmitter{st: st},
		Store: st, Limits: config.Default().Limits, SyncWait: time.Second, Hub: hub})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	contract, err := apitest.NewChecker()
	require.NoError(t, err)
	return func(method, path, client, body string) resp {
		t.Helper()
		r := send(t, method, srv.URL+path, body, "X-API-Key", keys[client], "Content-Type", "application/json")
		check, _ := http.NewRequest(method, path, nil)
		assert.NoError(t, contract.Check(check, r.status, r.header, r.body))
		return r
	}
}

func TestWebhookRoutesRefuseInwardURLsAndOtherOrgs(t *testing.T) {
	call := webhookEnv(t)
	const secret = `"secret":"0123456789abcdef-s"`

	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]:8080/"} {
		r := call("POST", "/v1/subscriptions", "erp", `{"url":"`+u+`","events":["OrderCreated"],`+secret+`}`)
		require.Equal(t, 422, r.status, string(r.body))
		p := r.problem(t)
		require.Len(t, p.Errors, 1)
		assert.Equal(t, "url", p.Errors[0].Field, u)
	}
	r := call("POST", "/v1/subscriptions", "erp", `{"url":"http://127.0.0.1:9/hook","events":["OrderCreated"],`+secret+`}`)
	require.Equal(t, 201, r.status, string(r.body))
	var sub webhook.Subscription
	require.NoError(t, json.Unmarshal(r.body, &sub))
	assert.NotContains(t, string(r.body), "0123456789abcdef")

	assert.Equal(t, 404, call("DELETE", "/v1/subscriptions/"+sub.ID, "dms", "").status, "another org's subscription")
	assert.Equal(t, 404, call("POST", "/v1/subscriptions/"+sub.ID+"/secret", "dms", `{"secret":"another-secret-0123456"}`).status)
	assert.Equal(t, 404, call("POST", "/v1/dead-letters/1-a:"+sub.ID+"/replay", "dms", "").status)
	r = call("POST", "/v1/subscriptions/"+sub.ID+"/secret", "erp", `{"secret":"short"}`)
	assert.Equal(t, 422, r.status)
	r = call("POST", "/v1/subscriptions/"+sub.ID+"/secret", "erp", `{"secret":"another-secret-0123456"}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.NotContains(t, string(r.body), "secret-0123456")
	assert.Contains(t, string(r.body), "previousSecretUntil")

	assert.Equal(t, 204, call("DELETE", "/v1/subscriptions/"+sub.ID, "erp", "").status)
	assert.Equal(t, 404, call("DELETE", "/v1/subscriptions/"+sub.ID, "erp", "").status, "gone")
	r = call("GET", "/v1/subscriptions", "erp", "")
	assert.JSONEq(t, `[]`, string(r.body))
}
