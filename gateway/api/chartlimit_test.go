package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"testing"

	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedHistory answers vehicle:History with pages full of events, pages
// of them, each naming the next by its bookmark; it counts the reads.
func pagedHistory(ledger *fakeLedger, pages int, reads *int) {
	full := make([]vehicletypes.LifeEvent, rules.MaxPageSize)
	ledger.answer = func(fn string, args []string) ([]byte, bool) {
		if fn != "vehicle:History" {
			return nil, false
		}
		*reads++
		n, _ := strconv.Atoi(args[2])
		page := vehicletypes.HistoryPage{VIN: args[0], Events: full}
		if n+1 < pages {
			page.Bookmark = strconv.Itoa(n + 1)
		} else {
			page.Events = full[:1]
		}
		out, _ := json.Marshal(page)
		return out, true
	}
}

func chartEnv(t *testing.T, owner config.Owner, pages int, reads *int) *env {
	ledger := ownerLedger()
	pagedHistory(ledger, pages, reads)
	return newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits, Owner: owner}, ledger)
}

// An anonymous battery chart reads at most 10 history pages, however long
// the car's history: one request cannot cost the peers more.
func TestBatteryChartReadsAtMostTenPages(t *testing.T) {
	var reads int
	e := chartEnv(t, config.Owner{RequestsPerMinute: 600, Burst: 100}, 1000, &reads)
	r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "", "")
	assert.Equal(t, http.StatusConflict, r.status, string(r.body))
	assert.Contains(t, r.problem(t).Detail, strconv.Itoa(10*rules.MaxPageSize))
	assert.Equal(t, 10, reads)

	reads = 0
	e = chartEnv(t, config.Owner{RequestsPerMinute: 600, Burst: 100}, 10, &reads)
	r = e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "", "")
	assert.Equal(t, http.StatusOK, r.status, "control: ten pages are drawn: %s", r.body)
	assert.Equal(t, 10, reads)
}

// Each history page a chart reads after the first costs a token of the
// caller's per-address limit, as a request of its own would: a long
// history drains the limit, a short one costs one request.
func TestBatteryChartPagesCountAgainstTheAddressLimit(t *testing.T) {
	var reads int
	e := chartEnv(t, config.Owner{RequestsPerMinute: 0.001, Burst: 5}, 7, &reads)
	r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status, string(r.body))
	assert.Equal(t, api.CodeRateLimited, r.problem(t).Code)
	assert.Equal(t, 5, reads, "the request's token pays the first page, four more the next four; the sixth finds the burst of 5 spent")
	r = e.do("GET", "/v1/owner/vehicles/"+ownerVIN, "", "")
	assert.Equal(t, http.StatusTooManyRequests, r.status, "the address is spent for every owner route")

	reads = 0
	e = chartEnv(t, config.Owner{RequestsPerMinute: 0.001, Burst: 3}, 1, &reads)
	for range 3 {
		r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "", "")
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		assert.Contains(t, string(r.body), "<svg")
	}
	assert.Equal(t, 3, reads)
	assert.Equal(t, http.StatusTooManyRequests, e.do("GET", "/v1/owner/vehicles/"+ownerVIN+"/battery.svg", "", "").status)
}
