package vehicle_test

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A repair's warranty facts are stored on its service record as given; a
// bad one is refused with its field and rule, and nothing is written.
func TestServiceRecordsWarrantyFacts(t *testing.T) {
	f := newFixture(t)
	f.register(bevVIN, "BEV")
	req := service(f.Clock.Now().Add(-time.Minute))
	req.WarrantyFacts = vehicletypes.WarrantyFacts{FaultCode: "C0040", SafetyRelevant: true, DaysOffRoad: 3,
		MainPartsReplaced: []string{"brakes", "traction-battery"}, Persists: true}
	res := contractstest.OK[vehicletypes.OdometerResult](t, f.invoke("DealerMSP", "service", "RecordService", bevVIN, req))

	page := contractstest.OK[vehicletypes.HistoryPage](t, f.evaluate("InsurerMSP", "History", bevVIN, 10, ""))
	var got *vehicletypes.ServiceRecord
	for _, e := range page.Events {
		if e.Seq == res.Seq {
			got = e.Service
		}
	}
	require.NotNil(t, got)
	assert.Equal(t, req.WarrantyFacts, got.WarrantyFacts)

	bad := req
	bad.WarrantyFacts.MainPartsReplaced = []string{"wheel"}
	e := contractstest.FailsWith(t, f.invoke("DealerMSP", "service", "RecordService", bevVIN, bad), ccerr.InvalidArgument)
	require.Len(t, e.Fields, 1)
	assert.Equal(t, ccerr.FieldError{Field: "mainPartsReplaced[]", Rule: "one_of", Message: e.Fields[0].Message}, e.Fields[0])
}
