package ownerclient

import (
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// ClaimCode is a claim key: the P-256 key whose private half, written out
// as the claim code, the buyer of a car proves they hold by signing their
// claim statement with it. The ledger holds only the public half; the code
// itself never leaves the buyer's device (docs/owners.md). The code's form
// and its parsing are the statement package's, the one place they are
// defined.
type ClaimCode struct {
	// Code is the text the seller hands the buyer: 13 groups of 4
	// Crockford base32 characters.
	Code string
	// Key is the claim key.
	Key *ecdsa.PrivateKey
	// Public is its public half; Public.Fingerprint() is what a
	// release-sale names (claim:<fingerprint>).
	Public statement.PublicKey
}

// NewClaimCode makes a fresh claim key from crypto/rand.
func NewClaimCode() (ClaimCode, error) {
	k, err := statement.NewClaimKey()
	if err != nil {
		return ClaimCode{}, err
	}
	return claimCodeOf(k)
}

// ParseClaimCode reads a claim code as a person typed or pasted it (any
// case, with or without dashes or spaces, i/l for 1, o for 0, a line end
// or tab around it). An invalid code is an INVALID_ARGUMENT about field
// claimCode that does not quote it.
func ParseClaimCode(code string) (ClaimCode, error) {
	k, err := statement.ParseClaimCode(strings.TrimSpace(code))
	if err != nil {
		return ClaimCode{}, err
	}
	return claimCodeOf(k)
}

func claimCodeOf(k *ecdsa.PrivateKey) (ClaimCode, error) {
	pub, err := statement.PublicKeyOf(k)
	if err != nil {
		return ClaimCode{}, fmt.Errorf("claim key: %w", err)
	}
	return ClaimCode{Code: statement.EncodeClaimCode(k), Key: k, Public: pub}, nil
}

// Fingerprint is the claim key's fingerprint.
func (c ClaimCode) Fingerprint() string { return c.Public.Fingerprint() }

// PublicKeyBase64 is the claim key's public half as requests carry it:
// base64 standard of the SPKI DER.
func (c ClaimCode) PublicKeyBase64() string {
	return base64.StdEncoding.EncodeToString(c.Public.SPKI())
}
