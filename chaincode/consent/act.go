package consent

import (
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// RequireActingGrant is the consent check of a member acting for the
// owner under a grant (a dealer making a share link under scope report):
// grant id of vinCode must exist, be to msp, cover scope and be live at t,
// else CONSENT_REQUIRED; msp must be one of the scope's actors
// (consenttypes.Actors), else FORBIDDEN. Other contracts call it in their
// own transaction; it writes nothing.
func RequireActingGrant(stub shim.ChaincodeStubInterface, t time.Time, vinCode, id, msp, scope string) (*consenttypes.Grant, error) {
	if !slices.Contains(consenttypes.Actors[scope], msp) {
		return nil, ccerr.New(ccerr.Forbidden, "%s may not act under scope %s; its actors are %v", msp, scope, consenttypes.Actors[scope])
	}
	g, err := loadGrant(stub, vinCode, id, func() error {
		return ccerr.New(ccerr.ConsentRequired, "vehicle %s has no grant %s", vinCode, id)
	})
	if err != nil {
		return nil, err
	}
	if g.Grantee != msp {
		return nil, ccerr.New(ccerr.ConsentRequired, "grant %s of %s is to %s, not %s", id, vinCode, g.Grantee, msp)
	}
	if !g.Covers(scope) {
		return nil, ccerr.New(ccerr.ConsentRequired, "grant %s of %s covers %v, not %s", id, vinCode, g.Scopes, scope)
	}
	live, why, err := standing(stub, g, t)
	if err != nil {
		return nil, err
	}
	if !live {
		return nil, ccerr.New(ccerr.ConsentRequired, "grant %s of %s %s", id, vinCode, why)
	}
	return g, nil
}
