package consent

import (
	"encoding/hex"
	"fmt"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// SharedHash returns the SHA-256 (hex) of the record shared under a grant
// for a scope, as every peer holds it, members of the collection or not:
// NOT_FOUND once it is purged (or before anything was shared). It lets any
// member check that a purge reached every peer, the grantee's included.
func (c *Contract) SharedHash(ctx contractapi.TransactionContextInterface, vinCode, grantID, scope string) (string, error) {
	if err := consenttypes.ValidateShareArgs(vinCode, grantID, scope); err != nil {
		return "", err
	}
	stub := ctx.GetStub()
	g, err := loadGrant(stub, vinCode, grantID, func() error {
		return ccerr.New(ccerr.NotFound, "vehicle %s has no grant %s", vinCode, grantID)
	})
	if err != nil {
		return "", err
	}
	key, err := sharedKey(vinCode, grantID, scope)
	if err != nil {
		return "", err
	}
	for _, coll := range collections.All {
		if coll.Consent == nil || coll.Consent.Grantee != g.Grantee {
			continue
		}
		h, err := stub.GetPrivateDataHash(coll.Name, key)
		if err != nil {
			return "", fmt.Errorf("read the hash of %s data of grant %s in %s: %w", scope, grantID, coll.Name, err)
		}
		if h != nil {
			return hex.EncodeToString(h), nil
		}
	}
	return "", ccerr.New(ccerr.NotFound, "no %s data of grant %s of %s is on record", scope, grantID, vinCode)
}
