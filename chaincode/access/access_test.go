package access_test

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var policy = access.Policy{
	"vehicle:Register": {access.Allow(access.OemMSP, "production")},
	"vehicle:Get":      access.AnyMember(),
}

func TestCheck(t *testing.T) {
	assert.NoError(t, policy.Check("vehicle:Register", access.Caller{MSP: access.OemMSP, Role: "production"}))
	assert.NoError(t, policy.Check("vehicle:Get", access.Caller{MSP: access.InsurerMSP}))

	err := policy.Check("vehicle:Register", access.Caller{MSP: access.OemMSP, Role: "telematics"})
	e, ok := ccerr.From(err)
	require.True(t, ok)
	assert.Equal(t, ccerr.Forbidden, e.Code)
	assert.Contains(t, e.Message, "OemMSP with role telematics")

	err = policy.Check("vehicle:Register", access.Caller{MSP: access.DealerMSP, Role: "production"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
	err = policy.Check("vehicle:Register", access.Caller{MSP: access.OemMSP})
	assert.Contains(t, err.Error(), "role (none)")
	err = policy.Check("vehicle:Get", access.Caller{MSP: "OrdererMSP"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
	err = policy.Check("vehicle:Nope", access.Caller{MSP: access.OemMSP})
	assert.Equal(t, ccerr.UnknownFunction, ccerr.CodeOf(err))
}

func TestRowsAreSorted(t *testing.T) {
	rows := policy.Rows()
	require.Len(t, rows, 5)
	assert.Equal(t, [3]string{"vehicle:Get", "DealerMSP", "*"}, rows[0])
	assert.Equal(t, [3]string{"vehicle:Register", "OemMSP", "production"}, rows[4])
}
