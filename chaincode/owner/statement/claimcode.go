package statement

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"math/big"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// A claim code is the private half of a P-256 key, the claim key, written
// out for a person to copy. The seller's device (or the dealer's system)
// makes the key, the ledger holds only its public half, and the buyer
// proves they hold the code by signing their claim statement with it. The
// code itself never leaves the buyer's device: an endorsing peer sees a
// signature over a statement that names the buyer's own key, which is of
// no use for any other key.
//
// Form: the 32-byte big-endian scalar d (1 <= d < n, the P-256 group
// order) as a 260-bit number in Crockford base32, lower case: 52
// characters, the first of which is 0 or 1 (the 4 leading bits are zero),
// shown as 13 groups of 4 joined by '-'.

// ClaimCodeAlphabet is Crockford's base32 alphabet, lower case: no i, l,
// o or u, so the code survives being read aloud or copied by hand.
const ClaimCodeAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// ClaimCodeLength is a claim code's length without separators.
const ClaimCodeLength = 52

// bigAlphabet is the digit set of big.Int's base-32 text form, which
// ClaimCodeAlphabet maps to one to one.
const bigAlphabet = "0123456789abcdefghijklmnopqrstuv"

var (
	toCrockford   = strings.NewReplacer(pairs(bigAlphabet, ClaimCodeAlphabet)...)
	fromCrockford = strings.NewReplacer(pairs(ClaimCodeAlphabet, bigAlphabet)...)
	// normalise undoes what people do to a code: upper case is lowered
	// before it runs; separators go; the letters Crockford reads as digits
	// become those digits.
	normalise = strings.NewReplacer("-", "", " ", "", "i", "1", "l", "1", "o", "0")
)

func pairs(from, to string) []string {
	out := make([]string, 0, 2*len(from))
	for i := range len(from) {
		out = append(out, from[i:i+1], to[i:i+1])
	}
	return out
}

// NewClaimKey makes a fresh claim key from the system's cryptographic
// random source.
func NewClaimKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate claim key: %w", err)
	}
	return k, nil
}

// EncodeClaimCode writes a P-256 private key as a claim code. It panics if
// k is not a P-256 key, a programming error.
func EncodeClaimCode(k *ecdsa.PrivateKey) string {
	d, err := k.Bytes()
	if err != nil || k.Curve != elliptic.P256() {
		panic(fmt.Sprintf("statement: EncodeClaimCode needs a P-256 private key: %v", err))
	}
	digits := toCrockford.Replace(new(big.Int).SetBytes(d).Text(32))
	digits = strings.Repeat("0", ClaimCodeLength-len(digits)) + digits
	groups := make([]string, 0, ClaimCodeLength/4)
	for i := 0; i < ClaimCodeLength; i += 4 {
		groups = append(groups, digits[i:i+4])
	}
	return strings.Join(groups, "-")
}

// ParseClaimCode reads a claim code as a person may type it (any case,
// with or without '-' and spaces, i/l for 1 and o for 0) and returns its
// claim key. An invalid code is refused with INVALID_ARGUMENT, field
// claimCode; the error never quotes the code, which is a secret.
func ParseClaimCode(code string) (*ecdsa.PrivateKey, error) {
	s := normalise.Replace(strings.ToLower(code))
	if len(s) != ClaimCodeLength {
		return nil, claimCodeError("length", "must be %d characters of %s (separators aside), got %d", ClaimCodeLength, ClaimCodeAlphabet, len(s))
	}
	if strings.Trim(s, ClaimCodeAlphabet) != "" {
		return nil, claimCodeError("alphabet", "must use only the characters %s", ClaimCodeAlphabet)
	}
	// 52 digits hold 260 bits; a 256-bit scalar leaves the top 4 zero, so
	// the first digit is 0 or 1.
	if s[0] != '0' && s[0] != '1' {
		return nil, claimCodeError("leading_bits", "the first character must be 0 or 1")
	}
	d, ok := new(big.Int).SetString(fromCrockford.Replace(s), 32)
	if !ok {
		return nil, claimCodeError("alphabet", "must use only the characters %s", ClaimCodeAlphabet) // unreachable after the Trim
	}
	// ParseRawPrivateKey refuses 0 and anything >= n.
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d.FillBytes(make([]byte, 32)))
	if err != nil {
		return nil, claimCodeError("range", "is not a P-256 private key (it must be 1 to n-1)")
	}
	return k, nil
}

func claimCodeError(rule, format string, args ...any) error {
	return ccerr.Field(ccerr.InvalidArgument, "claimCode", rule, format, args...)
}

// PublicKeyOf returns the public half of a P-256 private key (an owner's
// key or a claim key) in the form statements name keys by.
func PublicKeyOf(k *ecdsa.PrivateKey) (PublicKey, error) {
	raw, err := k.PublicKey.Bytes()
	if err != nil {
		return PublicKey{}, fmt.Errorf("public key: %w", err)
	}
	return ParsePublicKey(raw)
}

// Sign signs msg (canonical statement bytes) with k as WebCrypto's ECDSA
// P-256 SHA-256 does: the IEEE P1363 form r || s that Verify takes.
func Sign(k *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	digest := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sign statement: %w", err)
	}
	sig := make([]byte, SignatureSize)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}
