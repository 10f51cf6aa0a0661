//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/require"
)

// benchSeq starts from the clock so that runs against a long-lived network
// do not reuse VINs.
var benchSeq = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(time.Now().UnixNano() / 1000 % 100000000)
	return &n
}()

func benchVIN() string { return fmt.Sprintf("WVWZZZ1JZ%08d", benchSeq.Add(1)%100000000) }

// BenchmarkE2ESubmit measures one client waiting for each commit in turn:
// the latency a write sees, dominated by block cutting.
func BenchmarkE2ESubmit(b *testing.B) {
	oem := connect(b, "OemMSP", "production")
	contract := oem.contract("autoledger")
	for b.Loop() {
		if _, err := contract.Submit("vehicle:Register", client.WithArguments(registerRequest(benchVIN()))); err != nil {
			b.Fatal(fabclient.Describe(err))
		}
	}
}

// BenchmarkE2ESubmitParallel measures throughput with 8 concurrent writers.
func BenchmarkE2ESubmitParallel(b *testing.B) {
	oem := connect(b, "OemMSP", "production")
	contract := oem.contract("autoledger")
	b.SetParallelism(4) // 4 x GOMAXPROCS(2) = 8 writers
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := contract.Submit("vehicle:Register", client.WithArguments(registerRequest(benchVIN()))); err != nil {
				b.Error(fabclient.Describe(err))
				return
			}
		}
	})
}

// BenchmarkE2EProvenance100HopsREST is the scale goal through REST on the
// real network: the provenance of a part that changed hands 100 times.
func BenchmarkE2EProvenance100HopsREST(b *testing.B) {
	startGateway(b)
	serial := "HOP-" + strings.ToLower(benchVIN()[9:])
	send := func(who, method, path, body string) int {
		req, _ := http.NewRequest(method, urlOf(b, who)+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", gwKeys[who])
		res, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	reg := fmt.Sprintf(`{"partNumber":"HOP","batch":"B1","manufacturer":"M","manufacturedAt":%q,"serials":[%q]}`,
		time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), serial)
	require.Equal(b, 201, send("SUPPLIER_PRODUCTION", "POST", "/v1/parts", reg))
	hops := [][2]string{{"SUPPLIER_LOGISTICS", "SupplierMSP"}, {"OEM_PRODUCTION", "OemMSP"}}
	for i := range 50 {
		from, to := hops[i%2], hops[(i+1)%2]
		ref := fmt.Sprintf(`{"to":%q,"shipmentRef":"SH-%d"}`, to[1], i)
		require.Eventually(b, func() bool { return send(from[0], "POST", "/v1/parts/"+serial+"/shipments", ref) == 201 }, 10*time.Second, 20*time.Millisecond)
		rcv := fmt.Sprintf(`{"shipmentRef":"SH-%d"}`, i)
		require.Eventually(b, func() bool { return send(to[0], "POST", "/v1/parts/"+serial+"/receipts", rcv) == 201 }, 10*time.Second, 20*time.Millisecond)
	}
	b.ResetTimer()
	for b.Loop() {
		require.Equal(b, 200, send("INSURER_CLAIMS", "GET", "/v1/parts/"+serial+"/provenance", ""))
	}
}

// BenchmarkE2EReportBundle1000EventsREST is issue 15's speed goal on the
// real network: a buyer's bundle (a majority's endorsement of the attested
// report, the channel's MSPs) for a car with 1,000 life events, through
// REST with no credential. Setting the car up (999 readings, one commit
// each) is not timed.
func BenchmarkE2EReportBundle1000EventsREST(b *testing.B) {
	startGateway(b)
	ctx := context.Background()
	v := benchVIN()
	oem := connect(b, "OemMSP", "production").contract("autoledger")
	_, err := oem.Submit("vehicle:Register", client.WithArguments(registerRequest(v)))
	require.NoError(b, err, fabclient.Describe(err))
	telematics := connect(b, "OemMSP", "telematics").contract("autoledger")
	start := time.Now().Add(-2 * time.Hour)
	for i := range 998 {
		reading := fmt.Sprintf(`{"km":%d,"source":"telematics","observedAt":%q}`, 10*(i+1),
			start.Add(time.Duration(i)*time.Second).UTC().Format(time.RFC3339))
		_, err := telematics.Submit("vehicle:RecordOdometer", client.WithArguments(v, reading))
		require.NoError(b, err, fabclient.Describe(err))
	}
	send := func(who, path, body string) []byte {
		req, _ := http.NewRequest("POST", urlOf(b, who)+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", gwKeys[who])
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		require.Equal(b, 201, res.StatusCode, string(out))
		return out
	}
	var sale struct {
		ClaimCode string `json:"claimCode"`
	}
	require.NoError(b, json.Unmarshal(send("DEALER_SALES", "/v1/vehicles/"+v+"/sales",
		fmt.Sprintf(`{"saleDate":%q,"odometerKm":9990,"useType":"private"}`, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339))), &sale))
	c, err := ownerclient.New(urlOf(b, ownerRelay), ownerclient.Options{HTTPClient: http.DefaultClient})
	require.NoError(b, err)
	k, err := ownerclient.GenerateKey()
	require.NoError(b, err)
	owner := &ownerclient.Owner{Client: c, Key: k, Channel: netFile.Channel}
	var link ownerclient.ShareLinkResult
	require.Eventually(b, func() bool { // the relay's peer may be a block behind the dealer's
		if _, err := owner.Claim(ctx, v, sale.ClaimCode); err != nil {
			return false
		}
		link, err = owner.ShareLink(ctx, v, time.Now().Add(time.Hour))
		return err == nil
	}, 20*time.Second, 200*time.Millisecond)

	challenge := strings.Repeat("5a", 32)
	url := urlOf(b, ownerRelay) + ownerclient.LinkPath + "/" + link.Token + "/bundle?challenge=" + challenge
	var events int
	for b.Loop() {
		res, err := http.Get(url)
		require.NoError(b, err)
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(b, err)
		require.Equal(b, 200, res.StatusCode, string(raw))
		var bundle struct {
			Facts []json.RawMessage `json:"facts"`
		}
		require.NoError(b, json.Unmarshal(raw, &bundle))
		events = len(bundle.Facts)
	}
	require.Equal(b, 1000, events, "register, 998 readings and the sale")
}
