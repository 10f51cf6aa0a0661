package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/portal/portaltest"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// The browser test opens a share link's page, served by the real gateway
// routes (gateway/api over package report), in a real headless Chromium,
// and presses "Verify": the page fetches a bundle for its own challenge,
// which a fake ledger endorses with verifytest's certificate authorities
// (real ECDSA signatures over real Fabric envelopes), and runs
// gateway/verify compiled to WebAssembly on it. An honest bundle passes; a
// bundle whose report lost one km after the endorsement fails, on the
// check the Go verifier names for the same bytes.

const (
	browserVIN = "1G4AH59H45G118341"
	channel    = "autoledger"
	// browserGuard bounds the whole test: a hung page fails it instead of
	// the test binary's timeout.
	browserGuard = 3 * time.Minute
)

func TestReportVerifiesInTheBrowser(t *testing.T) {
	path := portaltest.RequireBrowser(t)
	if report.VerifierSHA256() == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true and the gateway was built without the in-page verifier: run `make wasm` before the tests (make unit does)")
		}
		t.Skip("skipping the in-page verification: no verify.wasm embedded (make wasm)")
	}
	led := newLedger(t)
	base := newGateway(t, led)
	ctx, cancel := context.WithTimeout(context.Background(), browserGuard)
	t.Cleanup(cancel)
	tab, closeBrowser, err := portaltest.NewBrowser(ctx, path)
	require.NoError(t, err)
	t.Cleanup(closeBrowser)
	shots := artifacts(t)
	problems := watchConsole(tab)

	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+report.Path+"/"+led.token),
		chromedp.WaitReady(chromedp.CSS(`#verify[data-ready="true"]`)),
	))
	state, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('verify-status').dataset.state`))
	require.NoError(t, err)
	require.Equal(t, "ready", state, "the verifier loaded")
	shownHash, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('verify-wasm-hash').dataset.sha256`))
	require.NoError(t, err)
	assert.Equal(t, report.VerifierSHA256(), shownHash, "the page shows the hash of the verifier it loaded, the one the gateway embeds")
	challenge, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('challenge').value`))
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{64}$`, challenge, "a random challenge of 32 bytes")
	screenshot(t, tab, shots, "01-loaded")

	// The honest bundle.
	run := verifyOnPage(t, tab, 1)
	assert.Equal(t, "pass", run.State, run.Message)
	assert.True(t, strings.HasPrefix(run.Message, "PASS"), run.Message)
	names := make([]string, len(run.Checks))
	for i, c := range run.Checks {
		names[i] = c.Name
		assert.True(t, c.OK, "%s: %s", c.Name, c.Detail)
	}
	for _, n := range []string{verify.CheckFormat, verify.CheckProposal, verify.CheckResponse, verify.CheckSignatures,
		verify.CheckEndorsers, verify.CheckMajority} {
		assert.Contains(t, names, n, "the page shows every check")
	}
	assert.Equal(t, []string{challenge}, led.challenges(), "the gateway endorsed the page's own challenge, once")
	// The download is the exact bundle the page checked: Go's verifier
	// agrees with the page on it.
	b, file := downloaded(t, tab)
	assert.Equal(t, "autoledger-bundle-"+browserVIN+"-"+challenge[:8]+".json", file)
	assert.Equal(t, challenge, b.Challenge)
	assert.True(t, verify.Verify(b, led.net.Roots(), verify.Expect{Channel: channel, VIN: browserVIN, Challenge: challenge, Orderers: []string{"OrdererMSP"}}).OK)
	cli, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("verify-cli-bundle")))
	require.NoError(t, err)
	assert.Contains(t, cli, "autoledger verify --roots roots.json --vin "+browserVIN+" --challenge "+challenge+" autoledger-bundle-")
	screenshot(t, tab, shots, "02-pass")

	// One km less in the report after the peers endorsed it, with a new
	// challenge the buyer typed.
	led.tamper(true)
	typed := strings.Repeat("5a", 40)
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("challenge"), typed)))
	run = verifyOnPage(t, tab, 2)
	assert.Equal(t, "fail", run.State, run.Message)
	b, _ = downloaded(t, tab)
	want := verify.Verify(b, led.net.Roots(), verify.Expect{Channel: channel, VIN: browserVIN, Challenge: typed, Orderers: []string{"OrdererMSP"}})
	require.False(t, want.OK)
	assert.Equal(t, "FAIL: "+want.Failed().Name+": "+want.Failed().Detail, run.Message, "the page fails where the Go verifier does")
	assert.Equal(t, verify.CheckResponse, want.Failed().Name, "the endorsed payload is not the report served")
	var failed []string
	for _, c := range run.Checks {
		if !c.OK {
			failed = append(failed, c.Name)
		}
	}
	assert.Contains(t, failed, verify.CheckResponse)
	screenshot(t, tab, shots, "03-fail-tampered")

	// A challenge that is not whole bytes of hex is refused on the page,
	// before any request.
	require.NoError(t, chromedp.Do(tab, chromedp.SetValue(chromedp.ID("challenge"), "not-hex")))
	run = verifyOnPage(t, tab, 3)
	assert.Equal(t, "error", run.State)
	assert.Contains(t, run.Message, "Challenge: 32 to 128 hexadecimal digits")
	assert.Len(t, led.challenges(), 2)

	assert.Empty(t, problems(), "no console error, exception or Content-Security-Policy violation")
}

// pageRun is what the page shows after one press of Verify.
type pageRun struct {
	State   string
	Message string
	Checks  []struct {
		Name   string
		OK     bool
		Detail string
	}
}

// verifyOnPage presses Verify and waits for the n-th run to end.
func verifyOnPage(t *testing.T, tab context.Context, n int) pageRun {
	t.Helper()
	require.NoError(t, chromedp.Do(tab, chromedp.Click(chromedp.ID("verify-button"))))
	done := fmt.Sprintf(`(() => { const s = document.getElementById('verify-status');
		return s.dataset.run === '%d' && s.dataset.state !== 'busy'; })()`, n)
	_, err := chromedp.Run(tab, chromedp.Poll[bool](done))
	require.NoError(t, err, "the page did not finish run %d", n)
	out, err := chromedp.Run(tab, chromedp.Evaluate[pageRun](`(() => {
		const s = document.getElementById('verify-status');
		return {State: s.dataset.state, Message: s.textContent,
			Checks: [...document.querySelectorAll('#verify-checks li')].map(li => ({
				Name: li.dataset.check, OK: li.dataset.ok === 'true',
				Detail: li.textContent.replace(/^(ok|FAIL) [a-z]+(: )?/, '')}))};
	})()`))
	require.NoError(t, err)
	return out
}

// downloaded clicks the page's download link, as a buyer does, and
// returns the file the browser saved and the name the page gave it.
func downloaded(t *testing.T, tab context.Context) (verify.Bundle, string) {
	t.Helper()
	dir := t.TempDir()
	begin := chromedp.Events(tab, browser.DownloadWillBegin)
	progress := chromedp.Events(tab, browser.DownloadProgress)
	require.NoError(t, chromedp.Do(tab,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
			return err
		}),
		chromedp.Click(chromedp.ID("bundle-download")),
	))
	var name string
	for ev, err := range begin {
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(ev.URL, "blob:"), "the link holds the bundle the page checked, not a new request: %s", ev.URL)
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		require.NoError(t, err)
		require.NotEqual(t, browser.DownloadProgressStateCanceled, ev.State)
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		require.NoError(t, err)
		var b verify.Bundle
		require.NoError(t, json.Unmarshal(raw, &b))
		return b, name
	}
	t.Fatal("the download did not complete")
	return verify.Bundle{}, ""
}

// watchConsole collects the tab's console errors, exceptions and policy
// violations from now on.
func watchConsole(tab context.Context) func() []string {
	var (
		mu  sync.Mutex
		got []string
	)
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A failed load (source "network") is the favicon the page does
			// not have.
			if m.Source != "network" && (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Source == "security") {
				mu.Lock()
				got = append(got, fmt.Sprintf("%s %s: %s", m.Type, m.URL, m.Text))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

func artifacts(t *testing.T) string {
	t.Helper()
	dir, err := portaltest.ArtifactDir("report")
	require.NoError(t, err)
	old, err := filepath.Glob(filepath.Join(dir, "*.png"))
	require.NoError(t, err)
	for _, f := range old { // a previous run's
		require.NoError(t, os.Remove(f))
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func screenshot(t *testing.T, tab context.Context, dir, name string) {
	t.Helper()
	buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644))
}

// newGateway serves the gateway's routes (gateway/api) over the ledger.
func newGateway(t *testing.T, l *ledger) string {
	t.Helper()
	a, err := auth.New(config.Auth{})
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Auth: a, Ledger: l,
		Limits: config.Default().Limits, Channel: channel}).Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// ledger is a fake of the Fabric network for share links: one live link
// to one car, and endorsements made by verifytest's peers. With tamper
// set, the report it hands back has one km less than the one endorsed.
type ledger struct {
	net   *verifytest.Network
	token string
	link  string
	rep   vehicletypes.Report

	mu       sync.Mutex
	tampered bool
	asked    []string
}

func newLedger(t *testing.T) *ledger {
	t.Helper()
	net, err := verifytest.NewNetwork(channel)
	require.NoError(t, err)
	token, err := ownertypes.NewShareLinkToken()
	require.NoError(t, err)
	link, err := ownertypes.ShareLinkHash(token)
	require.NoError(t, err)
	day := func(d int) time.Time { return time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }
	rep := vehicletypes.Report{VIN: browserVIN, Manufacturer: "Buick", Model: "LaCrosse", ModelYear: 2025, Powertrain: "ICE",
		RegisteredAt: day(-30), OwnerCount: 2, EventCount: 4, GeneratedAt: day(420),
		Alerts: []string{"ODOMETER_ROLLBACK_SUSPECTED"},
		Odometer: vehicletypes.OdometerReport{LatestTotalKm: 30100, MaxTotalKm: 30100, RollbackSuspected: true,
			Timeline: []vehicletypes.OdometerReading{
				{DisplayedKm: 12, TotalKm: 12, Source: "sale", ObservedAt: day(0)},
				{DisplayedKm: 15400, TotalKm: 15400, Source: "service", ObservedAt: day(120)},
				{DisplayedKm: 9100, TotalKm: 9100, Source: "inspection", ObservedAt: day(200), Rollback: true},
				{DisplayedKm: 30100, TotalKm: 30100, Source: "telematics", ObservedAt: day(400)},
			}},
		Services: []vehicletypes.ServiceRecord{{Type: "maintenance", OdometerKm: 15400, PerformedAt: day(120)}}}
	return &ledger{net: net, token: token, link: link, rep: rep}
}

func (l *ledger) tamper(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tampered = on
}

// challenges are the challenges endorsed so far.
func (l *ledger) challenges() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.asked...)
}

func (l *ledger) Evaluate(_ context.Context, _ auth.Principal, function string, args ...string) ([]byte, error) {
	switch {
	case function == "owner:ShareLink" && len(args) == 1 && args[0] == l.link:
		return json.Marshal(ownertypes.ShareLinkView{Live: true, ShareLink: ownertypes.ShareLink{SchemaVersion: 1, Link: l.link,
			VIN: browserVIN, OwnerNo: 2, NotAfter: time.Now().Add(24 * time.Hour), CreatedAt: time.Now().Add(-time.Hour),
			CreatedBy: ownertypes.CreatedByOwner}})
	case function == "owner:ShareLink":
		return nil, ccerr.New(ccerr.NotFound, "no share link %s", args)
	case function == "vehicle:Report" && len(args) == 1 && args[0] == browserVIN:
		return json.Marshal(l.rep)
	}
	return nil, ccerr.New(ccerr.NotFound, "the fake ledger has no %s%q", function, args)
}

// Endorse has the peers of the named orgs endorse the attested report, as
// the chaincode would answer it.
func (l *ledger) Endorse(_ context.Context, _ auth.Principal, endorsers []string, function string, args ...string) (report.Endorsement, error) {
	if function != verify.Function || len(args) != 2 || args[0] != browserVIN {
		return report.Endorsement{}, ccerr.New(ccerr.NotFound, "the fake ledger endorses only %s for %s", verify.Function, browserVIN)
	}
	if err := vehicletypes.ValidateChallenge(args[1]); err != nil {
		return report.Endorsement{}, err
	}
	now := time.Now().UTC()
	ar := vehicletypes.AttestedReport{Format: vehicletypes.AttestedReportFormat, Channel: channel, VIN: browserVIN,
		Challenge: args[1], AsOf: now, Report: l.rep, Facts: []vehicletypes.ReportFact{}}
	result, err := json.Marshal(ar)
	if err != nil {
		return report.Endorsement{}, err
	}
	var peers []*verifytest.Identity
	for _, id := range endorsers {
		o := l.net.Org(id)
		if o == nil {
			return report.Endorsement{}, fmt.Errorf("no org %s", id)
		}
		peers = append(peers, o.Peer)
	}
	env, txID, err := l.net.Endorse(verifytest.Tx{Channel: channel, Args: append([]string{function}, args...),
		Timestamp: now, Payload: result, Endorsers: peers})
	if err != nil {
		return report.Endorsement{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked = append(l.asked, args[1])
	if l.tampered {
		ar.Report.Odometer.LatestTotalKm--
		ar.Report.Odometer.Timeline[len(ar.Report.Odometer.Timeline)-1].TotalKm--
		if result, err = json.Marshal(ar); err != nil {
			return report.Endorsement{}, err
		}
	}
	return report.Endorsement{TxID: txID, Envelope: env, Result: result}, nil
}

// ConfigBlock is the channel's configuration block as qscc answers it:
// each org's MSP with its root certificates and its peer OU.
func (l *ledger) ConfigBlock(context.Context, auth.Principal) ([]byte, error) {
	groups := map[string]*common.ConfigGroup{"Application": {Groups: map[string]*common.ConfigGroup{}},
		"Orderer": {Groups: map[string]*common.ConfigGroup{}}}
	for _, m := range l.net.MSPs() {
		fc := &msp.FabricMSPConfig{Name: m.ID, FabricNodeOus: &msp.FabricNodeOUs{Enable: true,
			PeerOuIdentifier: &msp.FabricOUIdentifier{OrganizationalUnitIdentifier: m.PeerOU}}}
		for _, c := range m.RootCerts {
			fc.RootCerts = append(fc.RootCerts, []byte(c))
		}
		for _, c := range m.IntermediateCerts {
			fc.IntermediateCerts = append(fc.IntermediateCerts, []byte(c))
		}
		for _, c := range m.CRLs {
			fc.RevocationList = append(fc.RevocationList, []byte(c))
		}
		config, err := proto.Marshal(fc)
		if err != nil {
			return nil, err
		}
		value, err := proto.Marshal(&msp.MSPConfig{Type: 0, Config: config})
		if err != nil {
			return nil, err
		}
		group := "Application"
		if m.Orderer {
			group = "Orderer"
		}
		groups[group].Groups[m.ID] = &common.ConfigGroup{Values: map[string]*common.ConfigValue{"MSP": {Value: value}}}
	}
	ce, err := proto.Marshal(&common.ConfigEnvelope{Config: &common.Config{ChannelGroup: &common.ConfigGroup{Groups: groups}}})
	if err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(&common.Payload{Data: ce})
	if err != nil {
		return nil, err
	}
	env, err := proto.Marshal(&common.Envelope{Payload: payload})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&common.Block{Data: &common.BlockData{Data: [][]byte{env}}})
}

func (l *ledger) BlockByTxID(context.Context, auth.Principal, string) ([]byte, error) {
	return nil, ccerr.New(ccerr.NotFound, "the fake ledger keeps no blocks")
}

func (l *ledger) Serves(string) bool { return true }

func (l *ledger) Ready(context.Context, time.Duration) map[string]bool { return map[string]bool{} }

func (l *ledger) Height(context.Context, auth.Principal) (uint64, error) { return 1, nil }

func (l *ledger) Events(context.Context, auth.Principal, fabric.Position) (<-chan *client.ChaincodeEvent, error) {
	return nil, ccerr.New(ccerr.NotFound, "no events")
}
