// Package nonce is the replay guard of owner statements: the ledger of
// nonces each owner key has used. Every contract that acts on an owner
// statement (owner, consent) spends the statement's nonce here, in the
// same transaction, so that a signed statement is accepted once whichever
// contract it is sent to.
//
// It is a package of its own so that both contracts share one
// implementation without the consent contract importing the owner
// contract (which imports consent to purge an erased ownership's data).
package nonce

import (
	"fmt"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Object is the composite key object type of a used nonce; the key's
// attributes are the key fingerprint and the nonce (docs/owners.md).
const Object = "ownernonce"

// Used is the record of a spent nonce: until when its statement could have
// been accepted, and the transaction that accepted it.
type Used struct {
	Expires time.Time `json:"expires"`
	TxID    string    `json:"txId"`
}

// Key is the ledger key of fingerprint's nonce.
func Key(fingerprint, nonce string) (string, error) {
	return shim.CreateCompositeKey(Object, []string{fingerprint, nonce})
}

// Spend records that the key with fingerprint used nonce in a statement
// that expires at expires, in the caller's transaction; NONCE_REUSED when
// that key used it before. Entries are never pruned yet: a statement lives
// at most statement.MaxLifetime, so a later chaincode may drop the ones
// whose expiry has passed.
func Spend(stub shim.ChaincodeStubInterface, fingerprint, nonce string, expires time.Time) error {
	k, err := Key(fingerprint, nonce)
	if err != nil {
		return fmt.Errorf("nonce key: %w", err)
	}
	var used Used
	found, err := kit.GetJSON(stub, k, &used)
	if err != nil {
		return err
	}
	if found {
		return ccerr.New(ccerr.NonceReused, "key %s already used nonce %s (transaction %s): a statement is accepted once", fingerprint, nonce, used.TxID)
	}
	return kit.PutJSON(stub, k, Used{Expires: expires.UTC(), TxID: stub.GetTxID()})
}
