package parttypes_test

import (
	"testing"

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
}
