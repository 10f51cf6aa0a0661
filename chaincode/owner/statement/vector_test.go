package statement_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vectorFile is the fixed test vector a second implementation (the
// portal's script) checks itself against; docs/owners.md describes it.
var vectorFile = filepath.Join("testdata", "vector-v1.json")

var update = flag.Bool("update", false, "write a new "+vectorFile+" (a fresh key; its private half is discarded)")

type vector struct {
	Comment            string            `json:"comment"`
	PublicKeySPKIHex   string            `json:"publicKeySpkiHex"`
	PublicKeyRawHex    string            `json:"publicKeyRawHex"`
	Fingerprint        string            `json:"fingerprint"`
	FingerprintDisplay string            `json:"fingerprintDisplay"`
	Channel            string            `json:"channel"`
	VIN                string            `json:"vin"`
	Action             string            `json:"action"`
	Params             map[string]string `json:"params"`
	Nonce              string            `json:"nonce"`
	Expires            string            `json:"expires"`
	CanonicalText      string            `json:"canonicalText"`
	CanonicalHex       string            `json:"canonicalHex"`
	ID                 string            `json:"id"`
	SignatureHex       string            `json:"signatureHex"`
	SignatureOtherSHex string            `json:"signatureOtherSHex"`
	TxTime             string            `json:"txTime"`
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func vectorStatement(t *testing.T, fingerprint string) statement.Statement {
	s := sample(statement.ReleaseSale)
	s.Params["buyer"] = "key:" + fingerprint
	return s
}

func writeVector(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	pub, err := statement.ParsePublicKey(spki)
	require.NoError(t, err)
	// The buyer is named by the seller's own fingerprint only to keep the
	// vector self-contained; a real release names the buyer's key.
	s := vectorStatement(t, pub.Fingerprint())
	b, err := s.Encode()
	require.NoError(t, err)
	sig := p1363(t, priv, b)
	v := vector{
		Comment:            "AutoLedger owner statement v1 test vector (docs/owners.md). The private key was discarded. signatureOtherSHex is (r, n-s), equally valid.",
		PublicKeySPKIHex:   hex.EncodeToString(spki),
		PublicKeyRawHex:    hex.EncodeToString(pub.Raw()),
		Fingerprint:        pub.Fingerprint(),
		FingerprintDisplay: statement.FormatFingerprint(pub.Fingerprint()),
		Channel:            s.Channel,
		VIN:                s.VIN,
		Action:             string(s.Action),
		Params:             s.Params,
		Nonce:              s.Nonce,
		Expires:            statement.FormatTime(s.Expires),
		CanonicalText:      string(b),
		CanonicalHex:       hex.EncodeToString(b),
		ID:                 statement.ID(b),
		SignatureHex:       hex.EncodeToString(sig),
		SignatureOtherSHex: hex.EncodeToString(otherS(sig)),
		TxTime:             statement.FormatTime(s.Expires.Add(-5 * time.Minute)),
	}
	out, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(vectorFile, append(out, '\n'), 0o644))
}

func TestVector(t *testing.T) {
	if *update {
		writeVector(t)
	}
	raw, err := os.ReadFile(vectorFile)
	require.NoError(t, err)
	var v vector
	require.NoError(t, json.Unmarshal(raw, &v))

	fromSPKI, err := statement.ParsePublicKey(mustHex(t, v.PublicKeySPKIHex))
	require.NoError(t, err)
	fromRaw, err := statement.ParsePublicKey(mustHex(t, v.PublicKeyRawHex))
	require.NoError(t, err)
	assert.Equal(t, v.Fingerprint, fromSPKI.Fingerprint())
	assert.Equal(t, v.Fingerprint, fromRaw.Fingerprint())
	assert.Equal(t, v.FingerprintDisplay, statement.FormatFingerprint(v.Fingerprint))

	expires, err := time.Parse(statement.TimeLayout, v.Expires)
	require.NoError(t, err)
	s := statement.Statement{Channel: v.Channel, VIN: v.VIN, Action: statement.Action(v.Action), Params: v.Params, Nonce: v.Nonce, Expires: expires}
	b, err := s.Encode()
	require.NoError(t, err)
	assert.Equal(t, v.CanonicalHex, hex.EncodeToString(b))
	assert.Equal(t, v.CanonicalText, string(b))
	assert.Equal(t, v.ID, statement.ID(b))
	decoded, err := statement.Decode(mustHex(t, v.CanonicalHex))
	require.NoError(t, err)
	assert.Equal(t, s, decoded)

	txTime, err := time.Parse(statement.TimeLayout, v.TxTime)
	require.NoError(t, err)
	want := statement.Expect{Channel: v.Channel, VIN: v.VIN, Action: statement.Action(v.Action), Key: fromSPKI, TxTime: txTime}
	for _, sig := range []string{v.SignatureHex, v.SignatureOtherSHex} {
		_, id, err := statement.Check(b, mustHex(t, sig), want)
		require.NoError(t, err)
		assert.Equal(t, v.ID, id)
	}
	assert.NotEqual(t, v.SignatureHex, v.SignatureOtherSHex)
}
