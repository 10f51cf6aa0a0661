package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/portal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The page and its files are served to anyone, with the portal's headers,
// and only the page's own files.
func TestPortalIsServedWithItsHeaders(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/portal", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "text/html; charset=utf-8", r.header.Get("Content-Type"))
	assert.Equal(t, portal.ContentSecurityPolicy, r.header.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	assert.Contains(t, string(r.body), `<script src="/portal/portal.js" defer></script>`)

	r = e.do("GET", "/portal/portal.js", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, portal.Script(), r.body)
	r = e.do("GET", "/portal/portal.js", "", "", "If-None-Match", r.header.Get("ETag"))
	assert.Equal(t, http.StatusNotModified, r.status)

	for _, path := range []string{"/portal/index.html", "/portal/portal.go", "/portal/x.js"} {
		assert.Equal(t, http.StatusNotFound, e.do("GET", path, "", "").status, path)
	}
	assert.Empty(t, e.ledger.calls)
}

func odometerReport(t *testing.T) (vehicletypes.Report, []byte) {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// As the chaincode makes it: every list present, if empty.
	r := vehicletypes.Report{VIN: ownerVIN, UseTypes: []string{"private"}, Incidents: []vehicletypes.Incident{},
		TitleBrands: []vehicletypes.TitleBrand{}, Services: []vehicletypes.ServiceRecord{}, OpenRecalls: []string{},
		Alerts: []string{"ODOMETER_ROLLBACK_SUSPECTED"}, Sources: map[string]int64{"sale": 1, "service": 1, "inspection": 1},
		Odometer: vehicletypes.OdometerReport{RollbackSuspected: true, Timeline: []vehicletypes.OdometerReading{
			{DisplayedKm: 100, TotalKm: 100, Source: "sale", ObservedAt: at},
			{DisplayedKm: 20000, TotalKm: 20000, Source: "service", ObservedAt: at.AddDate(0, 6, 0)},
			{DisplayedKm: 9000, TotalKm: 9000, Source: "inspection", ObservedAt: at.AddDate(1, 0, 0), Rollback: true},
		}}}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	return r, b
}

// The odometer chart is the report's timeline drawn by package portal,
// read without a credential as the owner relay.
func TestOdometerChart(t *testing.T) {
	report, raw := odometerReport(t)
	ledger := &fakeLedger{ready: true, out: map[string][]byte{"vehicle:Report": raw}}
	e := newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, ledger)
	r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/odometer.svg", "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, portal.SVGContentType, r.header.Get("Content-Type"))
	assert.Equal(t, portal.ImagePolicy, r.header.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", r.header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
	assert.Equal(t, portal.OdometerSVG(report.Odometer.Timeline), r.body)
	assert.Equal(t, 1, strings.Count(string(r.body), `class="rollback"`))
	assert.Equal(t, []string{"OemMSP vehicle:Report " + ownerVIN}, ledger.calls, "as the relay org")

	r = e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/report", "", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, string(raw), string(r.body))
}

func TestChartRefusals(t *testing.T) {
	ledger := &fakeLedger{ready: true, evalErr: &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.NotFound, "vehicle not found")}}
	e := newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, ledger)
	for _, chart := range []string{"odometer.svg", "battery.svg"} {
		r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/"+chart, "", "")
		assert.Equal(t, http.StatusNotFound, r.status, chart)
		assert.Equal(t, string(ccerr.NotFound), r.problem(t).Code)

		r = e.do("GET", "/v1/owner/vehicles/1G4AH59H45G11834X/"+chart, "", "")
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "a bad VIN never reaches Fabric")
	}
	assert.Len(t, ledger.calls, 2)

	// The charts are owner routes: a gateway without a relay identity
	// answers 503 for them as for the others.
	none := &fakeLedger{ready: true, notServed: []string{"OemMSP", "DealerMSP", "InsurerMSP", "SupplierMSP"}}
	e = newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, none)
	for _, path := range []string{"odometer.svg", "battery.svg", "report"} {
		r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/"+path, "", "")
		assert.Equal(t, http.StatusServiceUnavailable, r.status, path)
	}
	assert.Empty(t, none.calls)
	assert.Equal(t, http.StatusOK, e.do("GET", "/portal", "", "").status, "the page itself needs no relay")
}

// historyLedger answers vehicle:History in pages of rules.MaxPageSize
// events, each page naming the next by its bookmark.
type historyLedger struct {
	fakeLedger
	events []vehicletypes.LifeEvent
}

func (h *historyLedger) Evaluate(ctx context.Context, pr auth.Principal, fn string, args ...string) ([]byte, error) {
	if fn != "vehicle:History" {
		return h.fakeLedger.Evaluate(ctx, pr, fn, args...)
	}
	h.calls = append(h.calls, fn+" "+strings.Join(args, ","))
	start := 0
	if args[2] != "" {
		start = int(args[2][0]-'0') * rules.MaxPageSize
	}
	end := min(start+rules.MaxPageSize, len(h.events))
	page := vehicletypes.HistoryPage{VIN: args[0], Events: h.events[start:end]}
	if end < len(h.events) {
		page.Bookmark = string(rune('0' + end/rules.MaxPageSize))
	}
	return json.Marshal(page)
}

// The battery chart draws every battery report of the car's life events,
// reading page after page.
func TestBatteryChartReadsEveryHistoryPage(t *testing.T) {
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var events []vehicletypes.LifeEvent
	var reports []vehicletypes.BatteryReport
	for i := range rules.MaxPageSize + 5 {
		e := vehicletypes.LifeEvent{VIN: ownerVIN, Seq: int64(i + 1), Type: vehicletypes.EventOdometer}
		if i == 3 || i == rules.MaxPageSize+2 { // one report on each page
			b := vehicletypes.BatteryReport{StateOfHealthPct: 99 - float64(i)/100, Status: "original", ReportedAt: at.AddDate(0, 0, i)}
			e.Type, e.Battery = vehicletypes.EventBatteryReport, &b
			reports = append(reports, b)
		}
		events = append(events, e)
	}
	ledger := &historyLedger{fakeLedger: fakeLedger{ready: true}, events: events}
	s := api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Auth: &auth.Authenticator{}, Ledger: ledger, Limits: config.Default().Limits, Channel: testChannel})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	r := send(t, "GET", srv.URL+"/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, portal.BatterySVG(reports), r.body)
	assert.Equal(t, 2, strings.Count(string(r.body), `class="report"`))
	assert.Equal(t, []string{"vehicle:History " + ownerVIN + ",1000,", "vehicle:History " + ownerVIN + ",1000,1"}, ledger.calls)
}
