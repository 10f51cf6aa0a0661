package paymenttypes_test

import (
	"testing"
	"time"

	pt "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/stretchr/testify/assert"
)

func TestOverdueIsStrictlyAfterTheDueDate(t *testing.T) {
	due := time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC)
	assert.False(t, pt.IsOverdue(due, due.Add(-time.Nanosecond)))
	assert.False(t, pt.IsOverdue(due, due), "paying at the due date is on time")
	assert.True(t, pt.IsOverdue(due, due.Add(time.Nanosecond)))
	assert.Equal(t, due.Add(time.Nanosecond), pt.OverdueFrom(due))
	assert.True(t, pt.IsOverdue(due, pt.OverdueFrom(due)))
	assert.False(t, pt.IsOverdue(due, pt.OverdueFrom(due).Add(-time.Nanosecond)))
}
