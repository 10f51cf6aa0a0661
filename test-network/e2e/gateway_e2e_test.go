//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/api/apitest"
	"github.com/autoledger/autoledger/gateway/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gatewayProc is the gateway under test, run as a real process so that it
// can be killed with SIGKILL and started again on the same store.
type gatewayProc struct {
	bin, cfg, logPath string
	url               string
	cmd               *exec.Cmd
}

var (
	gwOnce   sync.Once
	gw       *gatewayProc
	gwKeys   map[string]string // "ORG_ROLE" (upper case) -> key
	gwURLs   map[string]string // MSP ID -> base URL
	contract *apitest.Checker
)

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// startGateway runs one gateway for every org (the demo layout) unless
// AUTOLEDGER_GATEWAY_URLS ("OemMSP=http://...,DealerMSP=...") and
// AUTOLEDGER_GATEWAY_KEYS (an env file) point at running ones.
func startGateway(t testing.TB) {
	gwOnce.Do(func() {
		var err error
		contract, err = apitest.NewChecker()
		require.NoError(t, err)
		if urls := os.Getenv("AUTOLEDGER_GATEWAY_URLS"); urls != "" {
			externalGateways(t, urls, os.Getenv("AUTOLEDGER_GATEWAY_KEYS"))
			return
		}
		dir, err := os.MkdirTemp("", "autoledger-gw-e2e")
		require.NoError(t, err)
		bin := filepath.Join(dir, "autoledger-gateway")
		build := exec.Command("go", "build", "-o", bin, "./gateway/cmd/autoledger-gateway")
		build.Dir = root
		out, err := build.CombinedOutput()
		require.NoError(t, err, string(out))
		addr := freePort(t)
		cfg, keys, err := demo.Generate(filepath.Join(runDir, "connection.json"), addr, filepath.Join(dir, "gateway.db"))
		require.NoError(t, err)
		cfg.Timeouts.Endorse, cfg.Timeouts.Evaluate = 5*time.Second, 5*time.Second
		// The suite's webhook receivers listen on loopback, which a gateway
		// refuses to deliver to unless its operator allow-lists it.
		cfg.Webhooks.Allow = []string{"127.0.0.1"}
		require.NoError(t, demo.Write(cfg, keys, "http://"+addr, filepath.Join(dir, "gateway.yaml"), filepath.Join(dir, "demo.env")))
		gwKeys = map[string]string{}
		for _, k := range keys {
			gwKeys[strings.TrimPrefix(k.EnvName(), "AUTOLEDGER_KEY_")] = k.Value
		}
		gwURLs = map[string]string{}
		for _, o := range netFile.Orgs {
			gwURLs[o.MSPID] = "http://" + addr
		}
		gw = &gatewayProc{bin: bin, cfg: filepath.Join(dir, "gateway.yaml"), logPath: filepath.Join(dir, "gateway.log"), url: "http://" + addr}
		gw.start(t)
	})
	require.NotEmpty(t, gwURLs, "gateway did not start")
}

// externalGateways points the suite at gateways it did not start (one per
// org, as in the compose layout): urls is "OemMSP=http://...,DealerMSP=...",
// keysFile an env file of AUTOLEDGER_KEY_<ORG>_<ROLE>=<key> lines.
func externalGateways(t testing.TB, urls, keysFile string) {
	gwURLs, gwKeys = map[string]string{}, map[string]string{}
	for _, kv := range strings.Split(urls, ",") {
		org, u, ok := strings.Cut(kv, "=")
		require.True(t, ok, "AUTOLEDGER_GATEWAY_URLS entry %q is not ORG=URL", kv)
		gwURLs[org] = u
	}
	b, err := os.ReadFile(keysFile)
	require.NoError(t, err, "AUTOLEDGER_GATEWAY_KEYS must name the env file of the gateways' keys")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "AUTOLEDGER_KEY_") {
			gwKeys[strings.TrimPrefix(k, "AUTOLEDGER_KEY_")] = v
		}
	}
}

// restartGateway kills the OEM's gateway (SIGKILL) and starts it again on the
// same store: the process this run started, or the OEM's gateway container
// (docker kill sends SIGKILL). With other external gateways it only logs.
func restartGateway(t *testing.T) {
	if gw == nil && composed {
		c := container("gateway", "oem")
		docker(t, "kill", c)
		docker(t, "start", c)
		require.Eventually(t, func() bool {
			res, err := http.Get(gwURLs["OemMSP"] + "/healthz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == 200
		}, 30*time.Second, 100*time.Millisecond, "the OEM's gateway container did not come back")
		return
	}
	if gw == nil {
		t.Log("external gateways: the SIGKILL restart step is not exercised")
		return
	}
	gw.kill9(t)
	gw.start(t)
}

func (g *gatewayProc) start(t testing.TB) {
	logf, err := os.OpenFile(g.logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	g.cmd = exec.Command(g.bin, "-config", g.cfg)
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	require.NoError(t, g.cmd.Start())
	require.Eventually(t, func() bool {
		res, err := http.Get(g.url + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 20*time.Second, 50*time.Millisecond, "gateway did not come up; log: %s", g.logPath)
}

// stopGateway ends the gateway this run started, if any, and removes its files.
func stopGateway() {
	if gw == nil || gw.cmd == nil || gw.cmd.Process == nil {
		return
	}
	_ = gw.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = gw.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = gw.cmd.Process.Kill()
	}
	_ = os.RemoveAll(filepath.Dir(gw.bin))
}

func (g *gatewayProc) kill9(t testing.TB) {
	require.NoError(t, g.cmd.Process.Signal(syscall.SIGKILL))
	_ = g.cmd.Wait()
}

// call sends a request as ORG_ROLE to that org's gateway, or without a key
// to ORG's gateway ("INSURER") or the OEM's (""), and checks the answer
// against the OpenAPI document.
func call(t *testing.T, who, method, path, body string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, urlOf(t, who)+path, strings.NewReader(body))
	require.NoError(t, err)
	if key, ok := gwKeys[who]; ok {
		req.Header.Set("X-API-Key", key)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	check, _ := http.NewRequest(method, path, nil)
	assert.NoError(t, contract.Check(check, res.StatusCode, res.Header, b))
	return res.StatusCode, res.Header, b
}

// urlOf is the base URL of the gateway of who's org (ORG_ROLE or ORG; "" is the OEM).
func urlOf(t testing.TB, who string) string {
	if who == "" {
		return gwURLs["OemMSP"]
	}
	o, err := netFile.Org(strings.ToLower(strings.SplitN(who, "_", 2)[0]))
	require.NoError(t, err)
	return gwURLs[o.MSPID]
}

func codeOf(t *testing.T, b []byte) string {
	var p api.Problem
	require.NoError(t, json.Unmarshal(b, &p), string(b))
	return p.Code
}

// seen waits until each caller's own peer answers GET path with 200 and a
// body holding want. A write is committed on the writer's peer when the API
// answers; another org's peer commits the same block a moment later
// (docs/api.md), so a test that hands an object to another org waits here.
func seen(t *testing.T, path, want string, whos ...string) {
	t.Helper()
	for _, who := range whos {
		var out []byte
		require.Eventually(t, func() bool {
			var status int
			status, _, out = call(t, who, "GET", path, "")
			return status == 200 && strings.Contains(string(out), want)
		}, 10*time.Second, 20*time.Millisecond, "%s never saw %q in %s: %s", who, want, path, out)
	}
}

// visible waits until who's own peer has committed the vehicle: a commit
// confirmed by one org's peer reaches the others' a few milliseconds later.
func visible(t *testing.T, vinCode string, whos ...string) {
	t.Helper()
	seen(t, "/v1/vehicles/"+vinCode, "", whos...)
}

func now() string { return time.Now().UTC().Add(-time.Minute).Format(time.RFC3339Nano) }

func registerBody(v, powertrain string) string {
	pack := ""
	if powertrain == "BEV" {
		pack = `,"batteryPackId":"PACK-E2E"`
	}
	return fmt.Sprintf(`{"vin":%q,"birth":{"manufacturer":"AutoLedger Motors","model":"E2E","modelYear":2026,"plant":"P1",`+
		`"productionDate":%q,"countryOfOrigin":"DE","colour":"grey","powertrain":%q%s}}`, v, now(), powertrain, pack)
}

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestE2EGatewayEveryEndpoint(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	p := "/v1/vehicles/" + v
	type step struct {
		who, method, path, body string
		want                    int
	}
	steps := []step{
		{"DEALER_SALES", "POST", "/v1/vehicles", registerBody(v, "BEV"), 403},
		{"OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "BEV"), 201},
		{"", "GET", p, "", 401},
		{"INSURER_CLAIMS", "GET", p, "", 200},
		{"DEALER_SERVICE", "POST", p + "/sales", saleBody(t, "dlr1:e2e0000000000001"), 403},
		{"DEALER_SALES", "POST", p + "/sales", saleBody(t, "dlr1:e2e0000000000001"), 201},
		{"SUPPLIER_PRODUCTION", "POST", p + "/odometer-readings", `{"km":20,"source":"telematics","observedAt":"` + now() + `"}`, 403},
		{"OEM_TELEMATICS", "POST", p + "/odometer-readings", `{"km":20,"source":"telematics","observedAt":"` + now() + `"}`, 201},
		{"DEALER_SERVICE", "POST", p + "/odometer-readings", `{"km":30,"source":"service","observedAt":"` + now() + `"}`, 201},
		{"INSURER_CLAIMS", "POST", p + "/odometer-readings", `{"km":40,"source":"insurance-claim","observedAt":"` + now() + `"}`, 201},
		{"INSURER_CLAIMS", "POST", p + "/cluster-replacements", `{"oldClusterFinalKm":50,"newClusterStartKm":0,"evidenceHash":"` + hash + `","replacedAt":"` + now() + `"}`, 403},
		{"DEALER_SERVICE", "POST", p + "/cluster-replacements", `{"oldClusterFinalKm":50,"newClusterStartKm":0,"evidenceHash":"` + hash + `","replacedAt":"` + now() + `"}`, 201},
		{"OEM_PRODUCTION", "POST", p + "/service-records", `{"type":"maintenance","odometerKm":5,"documentHash":"` + hash + `","performedAt":"` + now() + `"}`, 403},
		{"DEALER_SERVICE", "POST", p + "/service-records", `{"type":"maintenance","odometerKm":5,"documentHash":"` + hash + `","partSerials":["NO-SUCH-` + v + `"],"performedAt":"` + now() + `"}`, 409},
		{"DEALER_SERVICE", "POST", p + "/service-records", `{"type":"maintenance","odometerKm":5,"documentHash":"` + hash + `","nonSerialisedParts":[{"partNumber":"OIL-FILTER-1","quantity":1}],"performedAt":"` + now() + `"}`, 201},
		{"DEALER_SERVICE", "POST", p + "/battery-reports", `{"stateOfHealthPct":97,"remainingCapacityKWh":71.5,"cycleCount":10,"status":"original","reportedAt":"` + now() + `"}`, 403},
		{"OEM_TELEMATICS", "POST", p + "/battery-reports", `{"stateOfHealthPct":97,"remainingCapacityKWh":71.5,"cycleCount":10,"status":"original","reportedAt":"` + now() + `"}`, 201},
		{"INSURER_UNDERWRITING", "POST", p + "/incidents", `{"date":"` + now() + `","severity":"moderate","airbagDeployed":true,"structuralDamage":false,"claimRef":"CLM-E2E"}`, 403},
		{"INSURER_CLAIMS", "POST", p + "/incidents", `{"date":"` + now() + `","severity":"moderate","airbagDeployed":true,"structuralDamage":false,"claimRef":"CLM-E2E"}`, 201},
		{"DEALER_SALES", "POST", p + "/title-brands", `{"brand":"flood","date":"` + now() + `","claimRef":"CLM-E2E"}`, 403},
		{"INSURER_CLAIMS", "POST", p + "/title-brands", `{"brand":"flood","date":"` + now() + `","claimRef":"CLM-E2E"}`, 201},
		{"", "GET", p + "/history", "", 401},
		{"SUPPLIER_LOGISTICS", "GET", p + "/history?pageSize=3", "", 200},
		{"", "GET", p + "/report", "", 401},
		{"", "GET", "/v1/events", "", 401},
		{"", "GET", "/v1/transactions/0000", "", 401},
		{"DEALER_FINANCE", "GET", p + "/report", "", 200},
	}
	var lastTx string
	for _, s := range steps {
		status, _, body := call(t, s.who, s.method, s.path, s.body)
		require.Equal(t, s.want, status, "%s %s as %s: %s", s.method, s.path, s.who, body)
		if s.path == "/v1/vehicles" && status == 201 {
			visible(t, v, "DEALER_SALES", "INSURER_CLAIMS", "SUPPLIER_LOGISTICS")
		}
		if status == 403 {
			assert.Equal(t, "FORBIDDEN", codeOf(t, body))
		}
		if status == 201 {
			var tx api.TxView
			require.NoError(t, json.Unmarshal(body, &tx))
			assert.Equal(t, "committed", tx.Status)
			lastTx = tx.TransactionID
		}
	}
	status, _, body := call(t, "INSURER_ADMIN", "GET", "/v1/transactions/"+lastTx, "")
	require.Equal(t, 200, status, string(body))
	status, _, _ = call(t, "DEALER_SALES", "GET", "/v1/transactions/"+lastTx, "")
	assert.Equal(t, 404, status, "another org's transaction")

	var rep struct {
		OwnerCount int      `json:"ownerCount"`
		Alerts     []string `json:"alerts"`
		Battery    *struct {
			StateOfHealthPct float64 `json:"stateOfHealthPct"`
		} `json:"battery"`
		Odometer struct {
			ClusterReplacements int `json:"clusterReplacements"`
		} `json:"odometer"`
	}
	require.Eventually(t, func() bool { // the dealer's peer may be a block behind the insurer's
		_, _, body := call(t, "DEALER_FINANCE", "GET", p+"/report", "")
		return json.Unmarshal(body, &rep) == nil && slices.Contains(rep.Alerts, "TITLE_flood")
	}, 10*time.Second, 20*time.Millisecond)
	assert.Equal(t, 1, rep.OwnerCount)
	assert.Contains(t, rep.Alerts, "TITLE_flood")
	assert.Contains(t, rep.Alerts, "AIRBAG_DEPLOYED")
	assert.Equal(t, 1, rep.Odometer.ClusterReplacements)
	require.NotNil(t, rep.Battery)
}

func TestE2EGatewayRollbackInvalidAndUnknown(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	p := "/v1/vehicles/" + v
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "ICE"))
	require.Equal(t, 201, status, string(body))
	visible(t, v, "DEALER_SERVICE", "INSURER_CLAIMS")
	t0 := time.Now().UTC().Add(-3 * time.Minute)
	for i, km := range []int{50000, 12000} {
		at := t0.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		status, _, body = call(t, "DEALER_SERVICE", "POST", p+"/odometer-readings", `{"km":`+fmt.Sprint(km)+`,"source":"service","observedAt":"`+at+`"}`)
		require.Equal(t, 201, status, string(body))
	}
	var rep struct {
		Alerts   []string `json:"alerts"`
		Odometer struct {
			RollbackSuspected bool `json:"rollbackSuspected"`
		} `json:"odometer"`
	}
	// The insurer's peer commits the dealer's last reading a moment after the dealer's peer.
	require.Eventually(t, func() bool {
		_, _, body := call(t, "INSURER_CLAIMS", "GET", p+"/report", "")
		return json.Unmarshal(body, &rep) == nil && rep.Odometer.RollbackSuspected
	}, 10*time.Second, 20*time.Millisecond)
	assert.Contains(t, rep.Alerts, "ODOMETER_ROLLBACK_SUSPECTED")

	endorsed := endorseCount(t)
	bad := registerBody("1M8GDM95XKP042788", "ICE")
	status, _, body = call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", bad)
	assert.Equal(t, 422, status)
	assert.Equal(t, "VIN_INVALID", codeOf(t, body))
	assert.Equal(t, endorsed, endorseCount(t), "an invalid VIN never reaches Fabric")

	status, _, body = call(t, "INSURER_CLAIMS", "GET", "/v1/vehicles/"+freshVIN(), "")
	assert.Equal(t, 404, status)
	assert.Equal(t, "NOT_FOUND", codeOf(t, body))
}

// endorseCount reads how many endorsements the gateway has made.
func endorseCount(t *testing.T) string {
	res, err := http.Get(gwURLs["OemMSP"] + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), `autoledger_gateway_fabric_phase_duration_seconds_count{phase="endorse"}`) {
			return sc.Text()
		}
	}
	return ""
}

func TestE2EGatewayIdempotencyAndAsyncAcrossKill(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	key := "e2e-" + v
	reg := registerBody(v, "ICE")
	status, _, first := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", reg, "Idempotency-Key", key)
	require.Equal(t, 201, status, string(first))
	status, h, again := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", reg, "Idempotency-Key", key)
	require.Equal(t, 201, status, "a replay returns the first outcome, not ALREADY_EXISTS: %s", again)
	assert.Equal(t, "true", h.Get("Idempotent-Replayed"))
	var a, b api.TxView
	require.NoError(t, json.Unmarshal(first, &a))
	require.NoError(t, json.Unmarshal(again, &b))
	assert.Equal(t, a.TransactionID, b.TransactionID)
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(freshVIN(), "ICE"), "Idempotency-Key", key)
	assert.Equal(t, 422, status)
	assert.Equal(t, api.CodeIdempotencyReuse, codeOf(t, body))

	// Async submit, then SIGKILL before anyone waits: the status survives.
	v2 := freshVIN()
	reg2 := registerBody(v2, "ICE")
	status, h, body = call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", reg2, "Prefer", "respond-async", "Idempotency-Key", "async-"+v2)
	require.Equal(t, 202, status, string(body))
	loc := h.Get("Location")
	require.NotEmpty(t, loc)
	restartGateway(t)
	require.Eventually(t, func() bool {
		status, _, body := call(t, "OEM_PRODUCTION", "GET", loc, "")
		var tx api.TxView
		return status == 200 && json.Unmarshal(body, &tx) == nil && tx.Status == "committed"
	}, 30*time.Second, 200*time.Millisecond)
	status, _, body = call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", reg2, "Idempotency-Key", "async-"+v2)
	assert.Equal(t, 201, status, "the replay after restart reports the committed outcome: %s", body)
	visible(t, v2, "SUPPLIER_LOGISTICS")
}

// sse reads server-sent events from an open response.
type sse struct {
	res *http.Response
	sc  *bufio.Scanner
}

func openEvents(t *testing.T, who, query, lastID string) *sse {
	req, err := http.NewRequest("GET", urlOf(t, who)+"/v1/events?"+query, nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", gwKeys[who])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	t.Cleanup(func() { res.Body.Close() })
	return &sse{res: res, sc: bufio.NewScanner(res.Body)}
}

func (s *sse) next(t *testing.T) api.Event {
	done := make(chan api.Event, 1)
	go func() {
		var id string
		for s.sc.Scan() {
			line := s.sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				var ev api.Event
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev) == nil && ev.ID == id {
					done <- ev
					return
				}
			}
		}
		close(done)
	}()
	select {
	case ev, ok := <-done:
		require.True(t, ok, "event stream ended")
		return ev
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30s")
	}
	return api.Event{}
}

func TestE2EGatewayEventsResumeWithLastEventID(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	p := "/v1/vehicles/" + v
	stream := openEvents(t, "INSURER_CLAIMS", "name=OdometerRecorded", "")
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "ICE"))
	require.Equal(t, 201, status, string(body))
	var txs []string
	t0 := time.Now().UTC().Add(-4 * time.Minute)
	for i := range 3 {
		at := t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		status, _, body := call(t, "OEM_TELEMATICS", "POST", p+"/odometer-readings", `{"km":`+fmt.Sprint(100*(i+1))+`,"source":"telematics","observedAt":"`+at+`"}`)
		require.Equal(t, 201, status, string(body))
		var tx api.TxView
		require.NoError(t, json.Unmarshal(body, &tx))
		txs = append(txs, tx.TransactionID)
	}
	first := stream.next(t)
	for first.TransactionID != txs[0] { // events of other writers on a shared network are skipped
		first = stream.next(t)
	}
	assert.Equal(t, "OdometerRecorded", first.Name)
	assert.Equal(t, fmt.Sprintf("%d-%s", first.BlockNumber, first.TransactionID), first.ID)

	resumed := openEvents(t, "DEALER_SALES", "name=OdometerRecorded", first.ID)
	var got []string
	for len(got) < 2 {
		ev := resumed.next(t)
		if strings.Contains(string(ev.Payload), v) {
			got = append(got, ev.TransactionID)
		}
	}
	assert.Equal(t, txs[1:], got, "resume delivers the later events once, in order")
}

func TestE2EGatewayOwnerReferenceNeverReachesSupplier(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	ref := "dlr1:" + strings.ToLower(v)
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "ICE"))
	require.Equal(t, 201, status, string(body))
	visible(t, v, "DEALER_SALES")
	status, _, body = call(t, "DEALER_SALES", "POST", "/v1/vehicles/"+v+"/sales", saleBody(t, ref))
	require.Equal(t, 201, status, string(body))
	// Give gossip time to disseminate, had the data been meant for others.
	time.Sleep(2 * time.Second)
	assert.True(t, peerDataContains(t, "dealer", ref), "control: the dealer's peer holds it")
	assert.False(t, peerDataContains(t, "supplier", ref), "the supplier's peer must never hold an owner reference")
	assert.False(t, peerDataContains(t, "insurer", ref), "nor the insurer's, which has no owners membership")
}

// saleBody is a dealer's REST sale from stock, linked to the dealer's
// customer reference ref with a fresh salt.
func saleBody(t testing.TB, ref string) string {
	return fmt.Sprintf(`{"saleDate":%q,"odometerKm":10,"useType":"private","ownerRef":%q,"ownerSalt":%q}`, now(), ref, newSalt(t))
}

func dirContains(t *testing.T, dir, needle string) bool {
	found := false
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || found {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(b), needle) {
			found = true
		}
		return nil
	})
	require.NoError(t, err)
	return found
}
