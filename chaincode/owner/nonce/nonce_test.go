package nonce_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/nonce"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fpA = "58a252215e67000000000000000000000000000000000000000000000000a465"
	fpB = "0000000000000000000000000000000000000000000000000000000000000001"
	n1  = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
)

// spend runs nonce.Spend(fingerprint, nonce) in a transaction of its own.
func spend(l *mockstub.Ledger, fp, n string) *mockstub.Result {
	return l.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("DealerMSP"), Args: []string{fp, n}, Function: "spend"})
}

func TestANonceIsSpentOncePerKey(t *testing.T) {
	expires := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := mockstub.New(t, mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		_, args := stub.GetFunctionAndParameters()
		if err := nonce.Spend(stub, args[0], args[1], expires); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	}))

	first := spend(l, fpA, n1)
	require.True(t, first.OK(), first.Message)
	again := spend(l, fpA, n1)
	require.False(t, again.OK())
	e, ok := ccerr.Decode(again.Message)
	require.True(t, ok, again.Message)
	assert.Equal(t, ccerr.NonceReused, e.Code)
	assert.Contains(t, e.Message, first.TxID, "names the transaction that spent it")

	// Another key's nonce of the same value is its own.
	assert.True(t, spend(l, fpB, n1).OK())

	k, err := nonce.Key(fpA, n1)
	require.NoError(t, err)
	var used nonce.Used
	require.NoError(t, json.Unmarshal(l.State(k), &used))
	assert.Equal(t, nonce.Used{Expires: expires, TxID: first.TxID}, used)
	want, err := shim.CreateCompositeKey("ownernonce", []string{fpA, n1})
	require.NoError(t, err)
	assert.Equal(t, want, k, "the key layout of docs/owners.md, which the owner contract shares")
}
