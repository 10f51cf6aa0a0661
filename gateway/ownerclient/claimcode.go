package ownerclient

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
)

// crockford is Crockford's base32 alphabet in lower case: no i, l, o or u,
// so that a code read aloud or copied by hand has no look-alikes.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// Claim code shape: 7 groups of 4 characters, 5 bits each: 140 random
// bits, above the 128 a claim code must have.
const (
	claimGroups    = 7
	claimGroupSize = 4
)

// ClaimCode is a code the buyer redeems to claim a car, with the salt and
// hash the ledger knows it by (only Hash and Salt go on the chain).
type ClaimCode struct {
	// Code is the secret the seller hands the buyer, e.g.
	// "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr".
	Code string
	// Salt is 16 random bytes as 32 lower-case hex characters.
	Salt string
	// Hash is ownertypes.ClaimHash(Salt, Code).
	Hash string
}

// NewClaimCode makes a claim code and its salt from crypto/rand.
func NewClaimCode() (ClaimCode, error) {
	raw := make([]byte, claimGroups*claimGroupSize)
	if _, err := rand.Read(raw); err != nil {
		return ClaimCode{}, fmt.Errorf("random: %w", err)
	}
	var b strings.Builder
	for i, r := range raw {
		if i > 0 && i%claimGroupSize == 0 {
			b.WriteByte('-')
		}
		// 256 is a multiple of 32: the low five bits of a uniform byte are uniform.
		b.WriteByte(crockford[r&31])
	}
	salt, err := randomHex(16)
	if err != nil {
		return ClaimCode{}, err
	}
	code := b.String()
	return ClaimCode{Code: code, Salt: salt, Hash: ownertypes.ClaimHash(salt, code)}, nil
}

// NormalizeClaimCode undoes what a person does to a code of NewClaimCode's
// shape when copying it: other case, spaces or missing dashes, and the
// look-alikes Crockford's base32 maps (i and l to 1, o to 0). Anything not
// of that shape (a code another client made) is only trimmed: the ledger
// hashes the code exactly as given.
func NormalizeClaimCode(s string) string {
	s = strings.TrimSpace(s)
	var chars []byte
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'i' || r == 'l':
			r = '1'
		case r == 'o':
			r = '0'
		}
		if r > 0x7f || !strings.ContainsRune(crockford, r) {
			return s
		}
		chars = append(chars, byte(r))
	}
	if len(chars) != claimGroups*claimGroupSize {
		return s
	}
	var b strings.Builder
	for i, c := range chars {
		if i > 0 && i%claimGroupSize == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}
