package collections_test

import (
	"slices"
	"testing"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryCollectionIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range collections.All {
		assert.False(t, seen[c.Name], "%s is defined twice", c.Name)
		seen[c.Name] = true
		assert.GreaterOrEqual(t, len(c.Members), 2, "%s: a collection of one org is just that org's database", c.Name)
		for _, m := range append(slices.Clone(c.Members), c.Endorsers...) {
			assert.Contains(t, access.Members, m, "%s names %s, not a channel member", c.Name, m)
		}
		for _, e := range c.Endorsers {
			assert.Contains(t, c.Members, e, "%s: endorser %s must hold the data", c.Name, e)
		}
		assert.LessOrEqual(t, c.RequiredPeerCount, c.MaxPeerCount, c.Name)
		if c.Consent != nil {
			assert.ElementsMatch(t, []string{c.Consent.Holder, c.Consent.Grantee}, c.Members,
				"%s: only the holder and the grantee may see shared data", c.Name)
			assert.Equal(t, []string{c.Consent.Holder}, c.Endorsers,
				"%s: the holder alone endorses, so a grantee can neither forge shared data nor block a purge", c.Name)
		}
		if c.Orders != nil {
			assert.ElementsMatch(t, []string{c.Orders.Buyer, c.Orders.Seller}, c.Members,
				"%s: only the buyer and the seller may see an order's amount", c.Name)
		}
	}
}

func TestForPair(t *testing.T) {
	name, ok := collections.ForPair(access.OemMSP, access.SupplierMSP)
	assert.True(t, ok)
	assert.Equal(t, collections.OemSupplier, name)
	name, ok = collections.ForPair(access.OemMSP, access.DealerMSP)
	assert.True(t, ok)
	assert.Equal(t, collections.OemDealer, name)
	for _, p := range [][2]string{{access.SupplierMSP, access.OemMSP}, {access.OemMSP, access.InsurerMSP},
		{access.DealerMSP, access.InsurerMSP}, {access.OemMSP, access.OemMSP}, {"", ""}} {
		_, ok := collections.ForPair(p[0], p[1])
		assert.False(t, ok, "%v has no order collection", p)
	}
	assert.Equal(t, map[[2]string]string{{access.OemMSP, access.SupplierMSP}: collections.OemSupplier,
		{access.OemMSP, access.DealerMSP}: collections.OemDealer}, collections.Pairs())
}

func TestForShare(t *testing.T) {
	name, ok := collections.ForShare(access.OemMSP, access.InsurerMSP)
	assert.True(t, ok)
	assert.Equal(t, collections.OemInsurer, name)
	for _, p := range [][2]string{{access.InsurerMSP, access.OemMSP}, {access.OemMSP, access.SupplierMSP},
		{access.DealerMSP, access.InsurerMSP}, {"", ""}} {
		_, ok := collections.ForShare(p[0], p[1])
		assert.False(t, ok, "%v has no consent collection", p)
	}
}

func TestNoOwnerLinkReachesTheSupplierOrTheInsurer(t *testing.T) {
	c, ok := collections.Get(collections.Owners)
	require.True(t, ok)
	assert.Equal(t, []string{access.OemMSP, access.DealerMSP}, c.Members)
	assert.Equal(t, "AND('DealerMSP.peer')", c.EndorsementPolicy(), "the dealer alone writes owner links")
}

func TestGetAndMembersOf(t *testing.T) {
	c, ok := collections.Get(collections.OemDealer)
	require.True(t, ok)
	assert.Equal(t, []string{access.OemMSP, access.DealerMSP}, c.Members)
	_, ok = collections.Get("nope")
	assert.False(t, ok)
	assert.Nil(t, collections.MembersOf("nope"))
	m := collections.MembersOf(collections.OemSupplier)
	m[0] = "changed"
	assert.Equal(t, access.OemMSP, collections.MembersOf(collections.OemSupplier)[0], "MembersOf returns a copy")
}

func TestPolicies(t *testing.T) {
	c, _ := collections.Get(collections.OemSupplier)
	assert.Equal(t, "OR('OemMSP.member', 'SupplierMSP.member')", c.MemberPolicy())
	assert.Equal(t, "AND('OemMSP.peer', 'SupplierMSP.peer')", c.EndorsementPolicy())
	var withEndorsement int
	for _, cfg := range collections.Configs() {
		assert.True(t, cfg.MemberOnlyRead && cfg.MemberOnlyWrite, cfg.Name)
		if cfg.Endorsement != nil {
			withEndorsement++
		}
	}
	assert.Equal(t, len(collections.All), withEndorsement, "every collection names who endorses its writes")
}

// The consortium's collections written out by hand, independent of All:
// a change to a collection's members or endorsement policy must change
// this table too, on purpose.
func TestCollectionsAreTheAgreedOnes(t *testing.T) {
	want := []struct {
		name        string
		members     []string
		endorsement string
	}{
		{"owners", []string{"OemMSP", "DealerMSP"}, "AND('DealerMSP.peer')"},
		{"oemSupplier", []string{"OemMSP", "SupplierMSP"}, "AND('OemMSP.peer', 'SupplierMSP.peer')"},
		{"oemDealer", []string{"OemMSP", "DealerMSP"}, "AND('OemMSP.peer', 'DealerMSP.peer')"},
		{"dealerInsurer", []string{"DealerMSP", "InsurerMSP"}, "AND('DealerMSP.peer', 'InsurerMSP.peer')"},
		{"oemInsurer", []string{"OemMSP", "InsurerMSP"}, "AND('OemMSP.peer')"},
	}
	require.Len(t, collections.All, len(want))
	for i, w := range want {
		c := collections.All[i]
		assert.Equal(t, w.name, c.Name)
		assert.Equal(t, w.members, c.Members, w.name)
		assert.Equal(t, w.endorsement, c.EndorsementPolicy(), w.name)
	}
}
