package consenttypes

import "github.com/autoledger/autoledger/chaincode/collections"

// ShareCollections are the collections through which any holder shares
// owner-granted data with grantee, in collections.All order: the chaincode
// purges a grant's records from these, and the gateway sends that purge to
// their holders, so both read the one rule.
func ShareCollections(grantee string) []collections.Collection {
	var out []collections.Collection
	for _, c := range collections.All {
		if c.Consent != nil && c.Consent.Grantee == grantee {
			out = append(out, c)
		}
	}
	return out
}
