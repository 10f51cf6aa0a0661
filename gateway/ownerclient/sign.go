package ownerclient

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// Sign signs canonical statement bytes with k: ECDSA P-256 over SHA-256,
// in the IEEE P1363 form r || s (32 bytes each, big-endian) that the
// ledger verifies. Go's crypto.Signer gives ASN.1 DER, which the ledger
// refuses, so r and s are taken from ecdsa.Sign and laid out here.
func Sign(k *ecdsa.PrivateKey, encoded []byte) ([]byte, error) {
	digest := sha256.Sum256(encoded)
	r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	sig := make([]byte, statement.SignatureSize)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}

// randomHex is n random bytes from crypto/rand as lower-case hex.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
