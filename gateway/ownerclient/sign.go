package ownerclient

import (
	"crypto/ecdsa"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// Sign signs canonical statement bytes with k: ECDSA P-256 over SHA-256,
// in the IEEE P1363 form r || s (32 bytes each, big-endian) that the
// ledger verifies (Go's crypto.Signer gives ASN.1 DER, which the ledger
// refuses). The statement package does it, for the owner's key and a
// claim key alike.
func Sign(k *ecdsa.PrivateKey, encoded []byte) ([]byte, error) {
	return statement.Sign(k, encoded)
}
