package statement

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// SignatureSize is the length of an IEEE P1363 P-256 signature: r || s,
// each 32 bytes big-endian, as WebCrypto's ECDSA sign returns it.
const SignatureSize = 64

// PublicKey is an owner's P-256 public key.
type PublicKey struct {
	key  *ecdsa.PublicKey
	spki []byte
}

// ParsePublicKey reads a P-256 public key in either form WebCrypto exports:
// "raw", the 65-byte uncompressed SEC1 point 0x04 || X || Y, or "spki", the
// DER SubjectPublicKeyInfo (91 bytes for P-256). Compressed points, other
// curves and non-canonical DER are refused.
func ParsePublicKey(b []byte) (PublicKey, error) {
	var pub *ecdsa.PublicKey
	if len(b) == 65 && b[0] == 4 {
		k, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b)
		if err != nil {
			return PublicKey{}, keyError("point", "not a point on P-256: %v", err)
		}
		pub = k
	} else {
		k, err := x509.ParsePKIXPublicKey(b)
		if err != nil {
			return PublicKey{}, keyError("encoding", "neither a 65-byte uncompressed P-256 point nor an SPKI: %v", err)
		}
		ek, ok := k.(*ecdsa.PublicKey)
		if !ok || ek.Curve != elliptic.P256() {
			return PublicKey{}, keyError("curve", "must be an ECDSA P-256 key")
		}
		pub = ek
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return PublicKey{}, fmt.Errorf("marshal public key: %w", err) // cannot happen for a parsed P-256 key
	}
	if len(b) != 65 && !bytes.Equal(spki, b) {
		return PublicKey{}, keyError("encoding", "SPKI is not in canonical DER")
	}
	return PublicKey{key: pub, spki: spki}, nil
}

func keyError(rule, format string, args ...any) error {
	return ccerr.Field(ccerr.InvalidArgument, "publicKey", rule, format, args...)
}

// SPKI returns the key's DER SubjectPublicKeyInfo.
func (k PublicKey) SPKI() []byte { return bytes.Clone(k.spki) }

// Raw returns the key's 65-byte uncompressed SEC1 point.
func (k PublicKey) Raw() []byte {
	// The raw point is the SPKI's last 65 bytes (its BIT STRING content).
	return bytes.Clone(k.spki[len(k.spki)-65:])
}

// Fingerprint is the lower-case hex SHA-256 of the key's SPKI, the form a
// statement names a key in.
func (k PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k.spki)
	return hex.EncodeToString(sum[:])
}

// FormatFingerprint is a fingerprint as people compare it: sixteen groups
// of four hex characters separated by spaces.
func FormatFingerprint(fp string) string {
	var groups []string
	for len(fp) > 4 {
		groups = append(groups, fp[:4])
		fp = fp[4:]
	}
	return strings.Join(append(groups, fp), " ")
}

// Verify checks an IEEE P1363 signature (r || s) by k over the SHA-256 of
// msg, the canonical statement bytes. It answers OWNER_SIGNATURE_INVALID
// for any signature k did not make over msg.
//
// A signature with a high s (s > n/2) is accepted: WebCrypto does not
// normalise s, so refusing it would refuse about half of all honest
// signatures. The price is malleability: from (r, s) anyone can make the
// equally valid (r, n-s). Nothing here depends on signature bytes being
// unique: a statement is named by ID over its bytes, and replay is refused
// by its nonce, which the signature covers.
func (k PublicKey) Verify(msg, sig []byte) error {
	if len(sig) != SignatureSize {
		return ccerr.New(ccerr.OwnerSignatureInvalid, "signature must be %d bytes (IEEE P1363 r||s), got %d", SignatureSize, len(sig))
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	digest := sha256.Sum256(msg)
	// ecdsa.Verify also refuses r or s outside [1, n-1].
	if !ecdsa.Verify(k.key, digest[:], r, s) {
		return ccerr.New(ccerr.OwnerSignatureInvalid, "the signature is not the owner key's (fingerprint %s) over this statement", k.Fingerprint())
	}
	return nil
}
