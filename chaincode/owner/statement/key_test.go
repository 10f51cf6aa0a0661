package statement_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// p1363 signs msg as WebCrypto does: SHA-256, then r || s, each 32 bytes,
// with s as it comes (not normalised to the lower half).
func p1363(t testing.TB, priv *ecdsa.PrivateKey, msg []byte) []byte {
	t.Helper()
	digest := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, priv, digest[:])
	require.NoError(t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig
}

// otherS returns the signature (r, n-s): as valid as (r, s).
func otherS(sig []byte) []byte {
	n := elliptic.P256().Params().N
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:]))
	out := append([]byte(nil), sig...)
	s.FillBytes(out[32:])
	return out
}

func newKey(t testing.TB) (*ecdsa.PrivateKey, statement.PublicKey) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	raw, err := priv.PublicKey.Bytes()
	require.NoError(t, err)
	pub, err := statement.ParsePublicKey(raw)
	require.NoError(t, err)
	return priv, pub
}

func TestRawAndSPKIFormsAreOneKey(t *testing.T) {
	priv, fromRaw := newKey(t)
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	fromSPKI, err := statement.ParsePublicKey(spki)
	require.NoError(t, err)

	assert.Equal(t, fromRaw.Fingerprint(), fromSPKI.Fingerprint())
	assert.Equal(t, spki, fromRaw.SPKI())
	raw, _ := priv.PublicKey.Bytes()
	assert.Equal(t, raw, fromSPKI.Raw())
	sum := sha256.Sum256(spki)
	assert.Equal(t, sum[:], mustHex(t, fromRaw.Fingerprint()))
	assert.Len(t, spki, 91)

	// docs/owners.md: the fingerprint of a raw key is the SHA-256 of a
	// fixed prefix followed by the point.
	prefixed := append(mustHex(t, "3059301306072a8648ce3d020106082a8648ce3d030107034200"), raw...)
	assert.Equal(t, spki, prefixed)
}

func TestFormatFingerprintGroupsOfFour(t *testing.T) {
	got := statement.FormatFingerprint(fp)
	assert.Equal(t, "3b7a 9e0c 4f1d 2a6b 8c5e 7f9a 0b1c 2d3e 4f5a 6b7c 8d9e 0f1a 2b3c 4d5e 6f7a 8b9c", got)
	assert.Equal(t, fp, strings.ReplaceAll(got, " ", ""))
}

func TestParsePublicKeyRefusesOtherKeys(t *testing.T) {
	priv, _ := newKey(t)
	raw, _ := priv.PublicKey.Bytes()
	spki, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	spki384, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)

	offCurve := append([]byte(nil), raw...)
	offCurve[64] ^= 1

	compressed := append([]byte{2 + raw[64]&1}, raw[1:33]...)

	cases := map[string][]byte{
		"empty":               nil,
		"compressed point":    compressed,
		"point off the curve": offCurve,
		"raw without 0x04":    raw[1:],
		"P-384 SPKI":          spki384,
		"SPKI with a tail":    append(append([]byte(nil), spki...), 0),
		"truncated SPKI":      spki[:90],
	}
	for name, b := range cases {
		_, err := statement.ParsePublicKey(b)
		assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(err), "%s: %v", name, err)
	}
}

func TestVerifyAcceptsBothSAndRefusesEverythingElse(t *testing.T) {
	priv, pub := newKey(t)
	_, other := newKey(t)
	msg, err := sample(statement.Claim).Encode()
	require.NoError(t, err)
	sig := p1363(t, priv, msg)

	require.NoError(t, pub.Verify(msg, sig))
	require.NoError(t, pub.Verify(msg, otherS(sig)), "a high-S signature (as WebCrypto may give) is accepted")

	n := elliptic.P256().Params().N
	withS := func(s *big.Int) []byte {
		out := append([]byte(nil), sig...)
		s.FillBytes(out[32:])
		return out
	}
	flipped := append([]byte(nil), sig...)
	flipped[10] ^= 0x40
	changed := append([]byte(nil), msg...)
	changed[len(changed)-2] = '1'

	cases := map[string]struct {
		key statement.PublicKey
		msg []byte
		sig []byte
	}{
		"another key":        {other, msg, sig},
		"another message":    {pub, changed, sig},
		"a flipped bit":      {pub, msg, flipped},
		"ASN.1 not P1363":    {pub, msg, asn1Of(t, priv, msg)},
		"65 bytes":           {pub, msg, append(append([]byte(nil), sig...), 0)},
		"empty":              {pub, msg, nil},
		"s = 0":              {pub, msg, withS(big.NewInt(0))},
		"s = n":              {pub, msg, withS(n)},
		"r = 0":              {pub, msg, append(make([]byte, 32), sig[32:]...)},
		"all bits set (> n)": {pub, msg, []byte(strings.Repeat("\xff", 64))},
	}
	for name, c := range cases {
		err := c.key.Verify(c.msg, c.sig)
		assert.Equal(t, ccerr.OwnerSignatureInvalid, ccerr.CodeOf(err), "%s: %v", name, err)
	}
}

// asn1Of is a valid signature by priv over msg in the ASN.1 DER form that
// Go and OpenSSL use by default, which a P1363 verifier must not take.
func asn1Of(t *testing.T, priv *ecdsa.PrivateKey, msg []byte) []byte {
	t.Helper()
	digest := sha256.Sum256(msg)
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	require.NoError(t, err)
	require.True(t, ecdsa.VerifyASN1(&priv.PublicKey, digest[:], der))
	return der
}
