//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func composeOnly(t *testing.T) {
	if !composed {
		t.Skip("compose network only (AUTOLEDGER_NETWORK=compose)")
	}
}

// Each org's gateway serves that org alone: its readiness names only its own
// MSP, and a key of another org is refused.
func TestE2EComposeGatewaysServeOnlyTheirOrg(t *testing.T) {
	composeOnly(t)
	startGateway(t)
	require.Len(t, gwURLs, len(netFile.Orgs))
	for _, o := range netFile.Orgs {
		res, err := http.Get(gwURLs[o.MSPID] + "/readyz")
		require.NoError(t, err)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var ready struct {
			Orgs map[string]bool `json:"orgs"`
		}
		require.NoError(t, json.Unmarshal(b, &ready), string(b))
		assert.Equal(t, map[string]bool{o.MSPID: true}, ready.Orgs, "%s's gateway", o.MSPID)
	}
	req, err := http.NewRequest("GET", gwURLs["InsurerMSP"]+"/v1/vehicles/"+freshVIN(), nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", gwKeys["OEM_PRODUCTION"])
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 401, res.StatusCode, "the OEM's key at the insurer's gateway")
}

func TestE2EComposeDeploysOnlyItsChaincode(t *testing.T) {
	composeOnly(t)
	out, err := networkScript("deploy", "conformance")
	require.Error(t, err)
	assert.Contains(t, string(out), "runs chaincode autoledger only")
}
