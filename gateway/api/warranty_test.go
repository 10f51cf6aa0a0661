package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	bt "github.com/autoledger/autoledger/chaincode/benefit/benefittypes"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The warranty routes' request bodies are generated into openapi.yaml
// like every other (make openapi); they are registered here, with the
// routes' tests, under names no other body uses.
func init() {
	requestBodies["WarrantyClaimRequest"] = bt.ClaimRequest{}
	requestBodies["VehicleDeliveryRequest"] = api.DeliveryBody{}
	requestBodies["ModelTerms"] = bt.ModelTerms{}
}

const testVIN = "1M8GDM9AXKP042788"

// warrantyEnv is the test gateway with, besides the usual clients, the
// OEM's quality role, which alone (with admin) sets warranty terms, and
// the chaincode's policy of the benefit writes in the fake submitter.
func warrantyEnv(t *testing.T) *env {
	e := newEnv(t)
	a, keys := apiKeys(t, auth.Principal{Client: "erp", Org: "OemMSP", Role: "production"}, auth.Principal{Client: "qa", Org: "OemMSP", Role: "quality"},
		auth.Principal{Client: "dms", Org: "DealerMSP", Role: "sales"}, auth.Principal{Client: "svc", Org: "DealerMSP", Role: "service"},
		auth.Principal{Client: "uw", Org: "InsurerMSP", Role: "underwriting"})
	s := api.New(api.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: config.Default().Limits, Auth: a, Ledger: e.ledger,
		Submitter: e.sub, Store: e.sub.st, SyncWait: time.Second, Channel: testChannel})
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	e.keys = keys
	e.sub.policy = map[string][]string{
		"benefit:SetWarrantyTerms":    {"OemMSP quality", "OemMSP admin"},
		"benefit:RecordDelivery":      {"DealerMSP sales"},
		"benefit:RecordWarrantyClaim": {"DealerMSP service"},
	}
	return e
}

// The answer is the chaincode's, passed on as it is: a real one (computed
// by the contract's own pure function) must match the documented schema.
func TestEntitlementsEvaluateForAnyMember(t *testing.T) {
	e := warrantyEnv(t)
	sold := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	f := bt.Facts{InvoiceDate: sold, UseTypes: []string{"private"}, Brands: []bt.Brand{}, LatestTotalKm: 1200, MaxTotalKm: 1200,
		Services: []bt.Service{{Seq: 4, Type: "repair", PerformedAt: sold.AddDate(0, 0, 20), TotalKm: 900, FaultCode: "C1234", SafetyRelevant: true}}}
	answer := bt.Entitlements(bt.StatutoryTerms, f, sold.AddDate(0, 0, 30))
	answer.VIN, answer.TermsSource = testVIN, "statutory-minimum"
	out, err := json.Marshal(answer)
	require.NoError(t, err)
	e.ledger.out = map[string][]byte{"benefit:Entitlements": out}

	for _, client := range []string{"uw", "dms", "erp"} {
		r := e.do("GET", "/v1/vehicles/"+testVIN+"/entitlements", client, "")
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var got bt.Answer
		require.NoError(t, json.Unmarshal(r.body, &got))
		require.NotNil(t, got.Find(bt.Rule60DaySafety))
		assert.True(t, got.Find(bt.Rule60DaySafety).Applies, "the brake failure at day 20")
		assert.Equal(t, []int64{4}, got.Find(bt.Rule60DaySafety).Services)
	}
	assert.Equal(t, []string{"InsurerMSP benefit:Entitlements " + testVIN, "DealerMSP benefit:Entitlements " + testVIN,
		"OemMSP benefit:Entitlements " + testVIN}, e.ledger.calls)

	r := e.do("GET", "/v1/vehicles/1M8GDM9AXKP04278O/entitlements", "uw", "")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Len(t, e.ledger.calls, 3, "a bad VIN reaches no peer")
}

func TestWarrantyClaimSubmitsTheChaincodeRequest(t *testing.T) {
	e := warrantyEnv(t)
	hash := strings.Repeat("ab", 32)
	claim := bt.WarrantyClaim{SchemaVersion: 1, VIN: testVIN, ID: "txb", Rule: bt.Rule60DaySafety, ServiceSeq: 4, EvidenceHash: hash,
		Decision: bt.Refused, Reason: "rule 60-day-safety does not cover service 4: no record", RecordedBy: "DealerMSP",
		RecordedAt: time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)}
	result, err := json.Marshal(claim)
	require.NoError(t, err)
	e.sub.results = map[string]string{"benefit:RecordWarrantyClaim": string(result)}

	body := `{"rule":"60-day-safety","serviceSeq":4,"evidenceHash":"` + hash + `"}`
	r := e.do("POST", "/v1/vehicles/"+testVIN+"/warranty-claims", "svc", body)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "benefit:RecordWarrantyClaim", e.sub.reqs[0].Function)
	require.Len(t, e.sub.reqs[0].Args, 2)
	assert.Equal(t, testVIN, e.sub.reqs[0].Args[0])
	var sent bt.ClaimRequest
	require.NoError(t, json.Unmarshal([]byte(e.sub.reqs[0].Args[1]), &sent))
	assert.Equal(t, bt.ClaimRequest{Rule: bt.Rule60DaySafety, ServiceSeq: 4, EvidenceHash: hash}, sent)

	// A refusal is a recorded claim, answered 201 with its deciding reason.
	var tx struct {
		Result bt.WarrantyClaim `json:"result"`
	}
	require.NoError(t, json.Unmarshal(r.body, &tx))
	assert.Equal(t, claim, tx.Result)

	// Another role is the chaincode's FORBIDDEN, answered 403.
	r = e.do("POST", "/v1/vehicles/"+testVIN+"/warranty-claims", "dms", body)
	assert.Equal(t, http.StatusForbidden, r.status, string(r.body))
	assert.Equal(t, string(ccerr.Forbidden), r.problem(t).Code)
}

func TestDeliverySubmitsVINAndDate(t *testing.T) {
	e := warrantyEnv(t)
	r := e.do("POST", "/v1/vehicles/"+testVIN+"/delivery", "dms", `{"date":"2026-03-04"}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "benefit:RecordDelivery", e.sub.reqs[0].Function)
	assert.Equal(t, []string{testVIN, "2026-03-04"}, e.sub.reqs[0].Args)

	r = e.do("POST", "/v1/vehicles/"+testVIN+"/delivery", "svc", `{"date":"2026-03-04"}`)
	assert.Equal(t, http.StatusForbidden, r.status, string(r.body))
	assert.Equal(t, string(ccerr.Forbidden), r.problem(t).Code)
}

func TestWarrantyTermsPutBuildsTheTermsRequest(t *testing.T) {
	e := warrantyEnv(t)
	body := `{"warrantyYears":4,"warrantyKm":100000,"sanbaoYears":2,"sanbaoKm":50000,"batteryYears":8,"batteryKm":160000}`
	r := e.do("PUT", "/v1/warranty-terms/AutoLedger%20Motors/Aurora%20EV", "qa", body)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "benefit:SetWarrantyTerms", e.sub.reqs[0].Function)
	require.Len(t, e.sub.reqs[0].Args, 2)
	assert.Equal(t, "Aurora EV", e.sub.reqs[0].Args[0])
	var sent bt.TermsRequest
	require.NoError(t, json.Unmarshal([]byte(e.sub.reqs[0].Args[1]), &sent))
	assert.Equal(t, bt.TermsRequest{Manufacturer: "AutoLedger Motors",
		Terms: bt.ModelTerms{WarrantyYears: 4, WarrantyKm: 100_000, SanbaoYears: 2, SanbaoKm: 50_000, BatteryYears: 8, BatteryKm: 160_000}}, sent)

	for _, client := range []string{"erp", "dms"} {
		r = e.do("PUT", "/v1/warranty-terms/AutoLedger%20Motors/Aurora%20EV", client, body)
		assert.Equal(t, http.StatusForbidden, r.status, "%s: %s", client, r.body)
		assert.Equal(t, string(ccerr.Forbidden), r.problem(t).Code)
	}
}

// Bad input is refused by the chaincode's own rules, naming the field and
// the rule, before anything reaches Fabric.
func TestBadWarrantyInputNeverReachesFabric(t *testing.T) {
	e := warrantyEnv(t)
	hash := strings.Repeat("ab", 32)
	terms := `{"warrantyYears":3,"warrantyKm":60000,"sanbaoYears":2,"sanbaoKm":50000}`
	for _, c := range []struct {
		name, method, path, client, body, field, rule string
	}{
		{"unknown rule", "POST", "/v1/vehicles/" + testVIN + "/warranty-claims", "svc", `{"rule":"goodwill","serviceSeq":4,"evidenceHash":"` + hash + `"}`, "rule", "one_of"},
		{"no service", "POST", "/v1/vehicles/" + testVIN + "/warranty-claims", "svc", `{"rule":"warranty-repair","serviceSeq":0,"evidenceHash":"` + hash + `"}`, "serviceSeq", "range"},
		{"not a date", "POST", "/v1/vehicles/" + testVIN + "/delivery", "dms", `{"date":"2026-03-04T00:00:00Z"}`, "date", "date"},
		{"no date", "POST", "/v1/vehicles/" + testVIN + "/delivery", "dms", `{}`, "date", "date"},
		{"below the law", "PUT", "/v1/warranty-terms/AutoLedger%20Motors/Aurora", "qa", `{"warrantyYears":2,"warrantyKm":60000,"sanbaoYears":2,"sanbaoKm":50000}`, "warrantyYears", "range"},
		{"battery alone", "PUT", "/v1/warranty-terms/AutoLedger%20Motors/Aurora", "qa", `{"warrantyYears":3,"warrantyKm":60000,"sanbaoYears":2,"sanbaoKm":50000,"batteryYears":8}`, "batteryKm", "both_or_neither"},
		{"long manufacturer", "PUT", "/v1/warranty-terms/" + strings.Repeat("m", 101) + "/Aurora", "qa", terms, "manufacturer", "max_length"},
		{"long model", "PUT", "/v1/warranty-terms/AutoLedger%20Motors/" + strings.Repeat("m", 101), "qa", terms, "model", "max_length"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(c.method, c.path, c.client, c.body)
			require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.body))
			p := r.problem(t)
			require.NotEmpty(t, p.Errors)
			assert.Equal(t, c.field, p.Errors[0].Field)
			assert.Equal(t, c.rule, p.Errors[0].Rule)
		})
	}
	assert.Empty(t, e.sub.reqs)
}
