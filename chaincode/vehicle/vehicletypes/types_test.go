package vehicletypes_test

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/rules"
	vt "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
)

// A validate tag cannot name a constant; these hold the literals to the
// limits the contract and the docs use.
func TestTagsMatchTheLimits(t *testing.T) {
	limit := func(got float64, ok bool) float64 { assert.True(t, ok); return got }
	for _, km := range []float64{
		limit(rules.Limit[vt.TransferRequest]("OdometerKm", "max")),
		limit(rules.Limit[vt.OdometerRequest]("Km", "max")),
		limit(rules.Limit[vt.ClusterRequest]("OldClusterFinalKm", "max")),
		limit(rules.Limit[vt.ClusterRequest]("NewClusterStartKm", "max")),
		limit(rules.Limit[vt.ServiceRequest]("OdometerKm", "max")),
	} {
		assert.Equal(t, float64(vt.MaxKm), km)
	}
	assert.Equal(t, float64(vt.MaxPartSerials), limit(rules.Limit[vt.ServiceRequest]("PartSerials", "max")))
	assert.Equal(t, float64(vt.MaxRef), limit(rules.Limit[vt.ServiceRequest]("RecallID", "max")))
	assert.Equal(t, float64(vt.MaxRef), limit(rules.Limit[vt.IncidentRequest]("ClaimRef", "max")))
	assert.Equal(t, float64(vt.MaxRef), limit(rules.Limit[vt.BrandRequest]("ClaimRef", "max")))
	assert.Equal(t, float64(vt.MaxName), limit(rules.Limit[vt.BirthRecord]("Manufacturer", "max")))
	assert.Equal(t, float64(vt.MaxSerial), limit(rules.Limit[vt.BirthRecord]("BatteryPackID", "max")))
	assert.Equal(t, float64(vt.MaxCapacityKWh), limit(rules.Limit[vt.BatteryRequest]("RemainingCapacityKWh", "max")))
	assert.Equal(t, float64(vt.MaxCycleCount), limit(rules.Limit[vt.BatteryRequest]("CycleCount", "max")))
	_, ok := rules.Limit[vt.BatteryRequest]("Nope", "max")
	assert.False(t, ok)
}

func TestTransferRequestRules(t *testing.T) {
	err := vt.TransferRequest{OdometerKm: vt.MaxKm + 1, UseType: "private"}.Validate()
	assert.ErrorContains(t, err, "saleDate")
	assert.Error(t, vt.ValidateOwnerRef("someone@example.org"))
}
