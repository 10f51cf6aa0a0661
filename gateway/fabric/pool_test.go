package fabric

import (
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/stretchr/testify/require"
)

// The pool refuses to sign with a role that is not one of the org's roles,
// whatever authentication let through: the org admin above all.
func TestPoolNeverSignsAsOrgAdminOrAnotherOrgsRole(t *testing.T) {
	p := &Pool{gateways: map[[2]string]*client.Gateway{}}
	for _, c := range []struct{ org, role string }{
		{"OemMSP", "orgadmin"},
		{"OemMSP", ""},
		{"OemMSP", "sales"}, // a dealer's role
		{"InsurerMSP", "admin2"},
	} {
		_, err := p.Gateway(c.org, c.role)
		require.ErrorContains(t, err, "is not one of", "%s %q", c.org, c.role)
	}
	// A role of the org gets past the guard and fails only on the missing connection.
	_, err := p.Gateway("OemMSP", "production")
	require.ErrorContains(t, err, "not served by this gateway")
}
