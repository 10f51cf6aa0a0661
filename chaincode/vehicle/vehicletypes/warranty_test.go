package vehicletypes_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	vt "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func repairRequest(w vt.WarrantyFacts) vt.ServiceRequest {
	return vt.ServiceRequest{Type: "repair", OdometerKm: 100, PerformedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		DocumentHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", WarrantyFacts: w}
}

// The warranty facts are optional, and each bad one is named with its rule.
func TestWarrantyFactsValidation(t *testing.T) {
	require.NoError(t, repairRequest(vt.WarrantyFacts{}).Validate(), "a repair without warranty facts stays valid")
	require.NoError(t, repairRequest(vt.WarrantyFacts{FaultCode: "P0300", SafetyRelevant: true, DaysOffRoad: 365,
		MainPartsReplaced: []string{"engine", "brakes"}, Persists: true}).Validate())

	maint := repairRequest(vt.WarrantyFacts{FaultCode: "P0300"})
	maint.Type = "maintenance"
	for _, c := range []struct {
		name, field, rule string
		req               vt.ServiceRequest
	}{
		{"fault code shape", "faultCode", "code", repairRequest(vt.WarrantyFacts{FaultCode: "P 0300"})},
		{"days off the road above 365", "daysOffRoad", "range", repairRequest(vt.WarrantyFacts{FaultCode: "P0300", DaysOffRoad: 366})},
		{"negative days off the road", "daysOffRoad", "range", repairRequest(vt.WarrantyFacts{FaultCode: "P0300", DaysOffRoad: -1})},
		{"unknown main part", "mainPartsReplaced[]", "one_of", repairRequest(vt.WarrantyFacts{FaultCode: "P0300", MainPartsReplaced: []string{"wiper"}})},
		{"a part twice", "mainPartsReplaced", "unique", repairRequest(vt.WarrantyFacts{FaultCode: "P0300", MainPartsReplaced: []string{"engine", "engine"}})},
		{"facts without a fault code", "faultCode", "required_with_warranty_facts", repairRequest(vt.WarrantyFacts{SafetyRelevant: true})},
		{"facts on maintenance", "faultCode", "only_for_repair", maint},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, ok := ccerr.From(c.req.Validate())
			require.True(t, ok)
			assert.Equal(t, ccerr.InvalidArgument, e.Code)
			require.Len(t, e.Fields, 1, "%+v", e.Fields)
			assert.Equal(t, c.field, e.Fields[0].Field)
			assert.Equal(t, c.rule, e.Fields[0].Rule)
		})
	}
}

// A service stored before the warranty facts existed reads as one without them.
func TestOldServiceRecordsStillDecode(t *testing.T) {
	var r vt.ServiceRecord
	require.NoError(t, json.Unmarshal([]byte(`{"type":"repair","odometerKm":5,"documentHash":"x","partSerials":[],"performedAt":"2026-01-01T00:00:00Z"}`), &r))
	assert.Equal(t, vt.WarrantyFacts{}, r.WarrantyFacts)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "faultCode", "absent facts stay absent")
}

// The tag repeats MaxDaysOffRoad as a literal; this holds them together.
func TestDaysOffRoadTagMatchesTheLimit(t *testing.T) {
	got, ok := rules.Limit[vt.WarrantyFacts]("DaysOffRoad", "max")
	require.True(t, ok)
	assert.Equal(t, float64(vt.MaxDaysOffRoad), got)
	assert.Len(t, vt.MainParts, 10)
}
