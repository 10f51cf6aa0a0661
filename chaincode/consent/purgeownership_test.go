package consent_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PurgeOwnership refuses the grants of an ownership that is still the
// car's current, owned one, whoever calls it: owner:Erase refuses such an
// ownership before, so this is the consent contract's own guard.
func TestPurgeOwnershipRefusesALiveGrant(t *testing.T) {
	l := mockstub.New(t, mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		fn, args := stub.GetFunctionAndParameters()
		var err error
		if fn == "seed" {
			err = stub.PutState(args[0], []byte(args[1]))
		} else {
			err = consent.PurgeOwnership(stub, vinA, 1)
		}
		if err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	}))
	seed := func(key string, v any) {
		res := l.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "seed", Args: []string{key, mockstub.JSON(v)}})
		require.True(t, res.OK(), res.Message)
	}
	ok, err := shim.CreateCompositeKey("ownership", []string{vinA, fmt.Sprintf("%06d", 1)})
	require.NoError(t, err)
	seed(ok, ownertypes.Ownership{SchemaVersion: 1, VIN: vinA, OwnerNo: 1, Status: ownertypes.StatusOwned})
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	gk, err := shim.CreateCompositeKey("grant", []string{vinA, id})
	require.NoError(t, err)
	seed(gk, consenttypes.Grant{SchemaVersion: 1, ID: id, VIN: vinA, OwnerNo: 1, Grantee: "InsurerMSP", Scopes: []string{"driving"},
		NotAfter: mockstub.DefaultStart.Add(time.Hour)})

	res := l.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "purge"})
	require.False(t, res.OK())
	e, found := ccerr.Decode(res.Message)
	require.True(t, found, res.Message)
	assert.Equal(t, ccerr.FailedPrecondition, e.Code)
	assert.False(t, res.Committed)
}
