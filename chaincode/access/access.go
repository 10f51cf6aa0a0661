// Package access decides which organisations and roles may call each
// transaction function. Every contract declares a Policy; the check runs
// before the function body, and a function without a rule is refused, so a
// new transaction cannot ship open by accident.
package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
)

// The consortium's MSP IDs.
const (
	OemMSP      = "OemMSP"
	SupplierMSP = "SupplierMSP"
	DealerMSP   = "DealerMSP"
	InsurerMSP  = "InsurerMSP"
)

// Members are the channel's application orgs, in a stable order.
var Members = []string{OemMSP, SupplierMSP, DealerMSP, InsurerMSP}

// Roles are each member org's roles: the values of the role attribute its
// users are enrolled with. A caller whose role is not in its org's list is
// no user of the application, whatever its certificate otherwise says (a
// node's or a TLS identity has no role), and no grant admits it.
// network/topology restates them for enrolment; a test holds the two equal.
var Roles = map[string][]string{
	OemMSP:      {"production", "telematics", "quality", "finance", "admin", OwnerServices},
	SupplierMSP: {"production", "logistics", "finance", "admin"},
	DealerMSP:   {"sales", "service", "finance", "admin", OwnerServices},
	InsurerMSP:  {"claims", "underwriting", "admin", OwnerServices},
}

// OwnerServices is the role of the identity that relays car owners'
// signed statements (docs/owners.md). It decides nothing: the owner's
// signature, which the chaincode verifies, does. The supplier relays none,
// so its peers never see an owner's statement.
const OwnerServices = "owner-services"

// MembersWithRole are the member orgs whose Roles list role, in Members
// order: MembersWithRole(OwnerServices) are the orgs that relay owner
// statements, which the gateway's configuration and its API both ask.
func MembersWithRole(role string) []string {
	var out []string
	for _, m := range Members {
		if slices.Contains(Roles[m], role) {
			out = append(out, m)
		}
	}
	return out
}

// RoleAttr is the Fabric CA certificate attribute holding a user's role.
const RoleAttr = "role"

// AnyRole in a Grant admits every role in the org's Roles list.
const AnyRole = "*"

// Grant admits callers of one org holding one of Roles.
type Grant struct {
	MSP   string
	Roles []string
}

// Allow grants the listed roles of msp (AnyRole for all of them).
func Allow(msp string, roles ...string) Grant { return Grant{MSP: msp, Roles: roles} }

// AnyMember grants every role of every member org: reads of shared state.
func AnyMember() []Grant { return EveryMember(AnyRole) }

// EveryMember grants the listed roles in each member org, such as "admin"
// for a consortium-wide decision that any org's admin may take part in.
func EveryMember(roles ...string) []Grant {
	gs := make([]Grant, len(Members))
	for i, m := range Members {
		gs[i] = Allow(m, roles...)
	}
	return gs
}

// admits is true for a caller of g's org whose role is one of the org's
// Roles and one of g's (any of them for AnyRole). An empty role is in no
// org's list, so an identity without one is refused even under AnyRole.
func (g Grant) admits(msp, role string) bool {
	if g.MSP != msp || !slices.Contains(Roles[msp], role) {
		return false
	}
	return slices.Contains(g.Roles, AnyRole) || slices.Contains(g.Roles, role)
}

// Policy maps a fully qualified function name ("vehicle:Register") to its grants.
type Policy map[string][]Grant

// Caller is who is calling: the MSP ID and the role attribute ("" if none).
type Caller struct {
	MSP  string
	Role string
}

// CallerOf reads the caller from the transaction's client identity.
func CallerOf(ci cid.ClientIdentity) (Caller, error) {
	msp, err := ci.GetMSPID()
	if err != nil {
		return Caller{}, fmt.Errorf("read caller MSP ID: %w", err)
	}
	role, _, err := ci.GetAttributeValue(RoleAttr)
	if err != nil {
		return Caller{}, fmt.Errorf("read caller role: %w", err)
	}
	return Caller{MSP: msp, Role: role}, nil
}

// Check returns nil when c may call function, else a FORBIDDEN error naming
// the caller's MSP and role, or UNKNOWN_FUNCTION when no rule exists.
func (p Policy) Check(function string, c Caller) error {
	grants, ok := p[function]
	if !ok {
		return ccerr.New(ccerr.UnknownFunction, "no transaction named %s", function)
	}
	for _, g := range grants {
		if g.admits(c.MSP, c.Role) {
			return nil
		}
	}
	role := c.Role
	if role == "" {
		role = "(none)"
	}
	why := ""
	if roles, member := Roles[c.MSP]; member && !slices.Contains(roles, c.Role) {
		why = fmt.Sprintf(" (%s's roles are %s)", c.MSP, strings.Join(roles, ", "))
	}
	return ccerr.New(ccerr.Forbidden, "caller %s with role %s may not call %s%s; allowed: %s", c.MSP, role, function, why, describe(grants))
}

func describe(gs []Grant) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.MSP + " " + strings.Join(g.Roles, "|")
	}
	return strings.Join(parts, ", ")
}

// Rows flattens p into sorted (function, msp, role) rows, the form of the
// table in docs/access-control.md.
func (p Policy) Rows() [][3]string {
	var rows [][3]string
	for fn, gs := range p {
		for _, g := range gs {
			for _, r := range g.Roles {
				rows = append(rows, [3]string{fn, g.MSP, r})
			}
		}
	}
	slices.SortFunc(rows, func(a, b [3]string) int {
		return strings.Compare(a[0]+"\x00"+a[1]+"\x00"+a[2], b[0]+"\x00"+b[1]+"\x00"+b[2])
	})
	return rows
}
