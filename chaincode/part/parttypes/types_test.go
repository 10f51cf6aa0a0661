package parttypes_test

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	pt "github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/stretchr/testify/assert"
)

func TestTagsMatchTheLimits(t *testing.T) {
	n, ok := rules.Limit[pt.RegisterPartsRequest]("Serials", "max")
	assert.True(t, ok)
	assert.Equal(t, float64(pt.MaxSerialsPerCall), n)
	n, ok = rules.Limit[pt.AssembleRequest]("Children", "max")
	assert.True(t, ok)
	assert.Equal(t, float64(pt.MaxChildren), n)
	n, ok = rules.Limit[pt.RegisterPartsRequest]("Materials", "max")
	assert.True(t, ok)
	assert.Equal(t, float64(pt.MaxMaterials), n)
	n, ok = rules.Limit[pt.RegisterPartsRequest]("ConformityCertHashes", "max")
	assert.True(t, ok)
	assert.Equal(t, float64(pt.MaxCertHashes), n)
}

// validator's required only refuses a nil slice; an empty list of serials
// registers nothing and is refused too.
func TestRegisterPartsNeedsAtLeastOneSerial(t *testing.T) {
	ok := pt.RegisterPartsRequest{PartNumber: "PN-1", Batch: "B1", Manufacturer: "Acme",
		ManufacturedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Serials: []string{"S1"}}
	assert.NoError(t, ok.Validate())
	for name, serials := range map[string][]string{"nil": nil, "empty": {}} {
		r := ok
		r.Serials = serials
		err := r.Validate()
		e, isCC := ccerr.From(err)
		if assert.True(t, isCC, "%s: %v", name, err) && assert.Len(t, e.Fields, 1, name) {
			assert.Equal(t, "serials", e.Fields[0].Field, name)
		}
	}
}
