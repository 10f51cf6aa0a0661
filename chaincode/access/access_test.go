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
	assert.NoError(t, policy.Check("vehicle:Get", access.Caller{MSP: access.InsurerMSP, Role: "claims"}))

	err := policy.Check("vehicle:Register", access.Caller{MSP: access.OemMSP, Role: "telematics"})
	e, ok := ccerr.From(err)
	require.True(t, ok)
	assert.Equal(t, ccerr.Forbidden, e.Code)
	assert.Contains(t, e.Message, "OemMSP with role telematics")

	err = policy.Check("vehicle:Register", access.Caller{MSP: access.DealerMSP, Role: "production"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
	err = policy.Check("vehicle:Register", access.Caller{MSP: access.OemMSP})
	assert.Contains(t, err.Error(), "role (none)")
	err = policy.Check("vehicle:Get", access.Caller{MSP: "OrdererMSP", Role: "admin"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
	err = policy.Check("vehicle:Nope", access.Caller{MSP: access.OemMSP, Role: "production"})
	assert.Equal(t, ccerr.UnknownFunction, ccerr.CodeOf(err))
}

func TestRowsAreSorted(t *testing.T) {
	rows := policy.Rows()
	require.Len(t, rows, 5)
	assert.Equal(t, [3]string{"vehicle:Get", "DealerMSP", "*"}, rows[0])
	assert.Equal(t, [3]string{"vehicle:Register", "OemMSP", "production"}, rows[4])
}

// An "any role" grant admits the org's listed roles only: an identity with
// no role attribute (a node's, a TLS certificate issued by the org's CA) or
// with a role of another org is refused.
func TestAnyRoleAdmitsOnlyTheOrgsRoles(t *testing.T) {
	for _, role := range access.Roles[access.OemMSP] {
		assert.NoError(t, policy.Check("vehicle:Get", access.Caller{MSP: access.OemMSP, Role: role}), role)
	}
	for name, c := range map[string]access.Caller{
		"no role":              {MSP: access.OemMSP},
		"another org's role":   {MSP: access.OemMSP, Role: "sales"},
		"a role of no org":     {MSP: access.DealerMSP, Role: "peer"},
		"the AnyRole wildcard": {MSP: access.InsurerMSP, Role: access.AnyRole},
	} {
		err := policy.Check("vehicle:Get", c)
		assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err), name)
		assert.Contains(t, err.Error(), "roles are", name)
	}
	// A grant naming a role outright admits it only if the org has that role.
	p := access.Policy{"f": {access.Allow(access.OemMSP, "sales")}}
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(p.Check("f", access.Caller{MSP: access.OemMSP, Role: "sales"})))
}

func TestEveryMemberHasRoles(t *testing.T) {
	require.Len(t, access.Roles, len(access.Members))
	for _, m := range access.Members {
		assert.Contains(t, access.Roles[m], "admin", "%s: every org administers its own parties", m)
		assert.NotContains(t, access.Roles[m], "", m)
		assert.NotContains(t, access.Roles[m], access.AnyRole, m)
	}
}

func TestEveryMember(t *testing.T) {
	p := access.Policy{"governance:Approve": access.EveryMember("admin")}
	for _, m := range access.Members {
		assert.NoError(t, p.Check("governance:Approve", access.Caller{MSP: m, Role: "admin"}), m)
	}
	err := p.Check("governance:Approve", access.Caller{MSP: access.OemMSP, Role: "production"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
	err = p.Check("governance:Approve", access.Caller{MSP: "OrdererMSP", Role: "admin"})
	assert.Equal(t, ccerr.Forbidden, ccerr.CodeOf(err))
}

// The relays are the orgs whose roles list owner-services, in Members
// order; the supplier has no such role and relays nothing.
func TestMembersWithRole(t *testing.T) {
	assert.Equal(t, []string{access.OemMSP, access.DealerMSP, access.InsurerMSP}, access.MembersWithRole(access.OwnerServices))
	assert.Empty(t, access.MembersWithRole("no-such-role"))
}
