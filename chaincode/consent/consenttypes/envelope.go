package consenttypes

import (
	"encoding/base64"
	"strings"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// StatementEnvelope carries one signed owner statement: its canonical
// text, the owner's IEEE P1363 signature over it and, for a claim only,
// the signer's public key. consent:Grant and consent:Revoke take it; the
// key that must have signed is the one the ledger binds to the ownership.
//
// It has the owner contract's envelope's name and JSON shape on purpose:
// contract-api names an argument's schema by its Go type name alone.
type StatementEnvelope struct {
	// Statement is the canonical statement text, LF line ends included.
	Statement string `json:"statement" validate:"required,max=2048"`
	// Signature is the 64-byte P1363 signature (r || s), base64 standard
	// or URL-safe, padded or not.
	Signature string `json:"signature" validate:"required,max=100"`
	// PublicKey is unused by the consent contract: the ledger's key of the
	// ownership is the one that must have signed.
	PublicKey string `json:"publicKey,omitempty" metadata:",optional" validate:"max=200"`
}

// Validate checks the fields' shapes; whether the signature is the
// owner's is the chaincode's check (OWNER_SIGNATURE_INVALID).
func (e StatementEnvelope) Validate() error {
	var c rules.Checker
	c.Struct(e)
	if e.Signature != "" {
		if _, err := decodeBase64(e.Signature); err != nil {
			c.Fail("signature", "base64", "must be base64 (standard or URL-safe) of the 64-byte P1363 signature")
		}
	}
	return c.Err()
}

// SignatureBytes decodes the signature.
func (e StatementEnvelope) SignatureBytes() ([]byte, error) { return decodeBase64(e.Signature) }

// decodeBase64 reads base64 in either alphabet, padded or not: WebCrypto
// clients send either.
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
