package contracts_test

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/stretchr/testify/assert"
)

// The collections the contracts write to by name are the ones package
// collections defines (and network/collections_config.json gives the peers).
func TestContractsUseDefinedCollections(t *testing.T) {
	assert.Equal(t, collections.Owners, vehicle.OwnersCollection)
	assert.Equal(t, collections.OemSupplier, part.TermsCollection)
	assert.Equal(t, []string{access.OemMSP, access.SupplierMSP}, collections.MembersOf(part.TermsCollection),
		"only the supplier and the OEM may see commercial terms")
	// Which orgs are members of which collection is anchored by hand in
	// package collections' TestCollectionsAreTheAgreedOnes.
}
