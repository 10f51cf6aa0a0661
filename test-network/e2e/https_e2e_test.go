//go:build e2e

package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The compose gateways serve HTTPS only, with certificates their org's CA
// issued for the host's loopback: the suite reaches them over TLS trusting
// AUTOLEDGER_GATEWAY_CA, and a plain-HTTP request is not served.
func TestE2EComposeGatewaysServeHTTPS(t *testing.T) {
	if !composed {
		t.Skip("the native suite's gateway is plain HTTP on loopback")
	}
	startGateway(t)
	plain := &http.Client{Timeout: 5 * time.Second}
	for org, base := range gwURLs {
		u, err := url.Parse(base)
		require.NoError(t, err)
		require.Equal(t, "https", u.Scheme, "%s's gateway URL", org)

		res, err := http.Get(base + "/healthz")
		require.NoError(t, err, "%s's gateway over HTTPS", org)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.NotNil(t, res.TLS)

		res, err = plain.Get("http://" + u.Host + "/healthz")
		if err == nil {
			res.Body.Close()
			require.Equal(t, http.StatusBadRequest, res.StatusCode, "%s's gateway must not serve plain HTTP", org)
		}
	}
}
