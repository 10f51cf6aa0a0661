package paymenttypes_test

import (
	"testing"

	pt "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/stretchr/testify/assert"
)

func TestTagsMatchTheLimits(t *testing.T) {
	limit := func(got float64, ok bool) float64 { assert.True(t, ok); return got }
	assert.Equal(t, float64(pt.ReceivableHardMaxDays), limit(rules.Limit[pt.OrderRequest]("PaymentTermsDays", "max")))
	assert.Equal(t, float64(pt.WholeBP-1), limit(rules.Limit[pt.ShareSplitRequest]("BP", "max")))
	assert.Equal(t, float64(pt.MinCalendarYear), limit(rules.Limit[pt.CalendarRequest]("Year", "min")))
	assert.Equal(t, float64(pt.MaxCalendarYear), limit(rules.Limit[pt.CalendarRequest]("Year", "max")))
}

func TestCalendarRequestRules(t *testing.T) {
	err := pt.CalendarRequest{Year: 1999, UTCOffset: "+25:00", Holidays: []string{"soon"}}.Validate()
	assert.ErrorContains(t, err, "year")
	off, err := pt.ParseOffset("")
	assert.NoError(t, err)
	assert.Equal(t, pt.DefaultOffsetMinutes, off)
}
