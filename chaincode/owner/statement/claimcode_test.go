package statement_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The claim code vector of docs/owners.md: the private key of RFC 6979's
// P-256 example (A.2.5), whose public key that RFC also gives.
const (
	vectorScalarHex = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
	vectorCode      = "1jdf-n7c4-bekn-2snn-r8aq-cyrx-d4te-a31x-pdq8-kc97-q2k2-5c90-yss1"
	vectorPubRawHex = "04" + "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6" +
		"7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
	vectorSPKIBase64  = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Z5A/4QCLi8maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ=="
	vectorFingerprint = "5a7a78cca4a0f420d9bc62bb669c3c2759e39f723d3ae10dcbe0f0815a07ecd4"
)

func scalarKey(t *testing.T, d *big.Int) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d.FillBytes(make([]byte, 32)))
	require.NoError(t, err)
	return k
}

func TestClaimCodeVector(t *testing.T) {
	d, _ := new(big.Int).SetString(vectorScalarHex, 16)
	k := scalarKey(t, d)
	assert.Equal(t, vectorCode, statement.EncodeClaimCode(k))

	parsed, err := statement.ParseClaimCode(vectorCode)
	require.NoError(t, err)
	assert.Zero(t, d.Cmp(parsed.D), "the code is the scalar")
	pub, err := statement.PublicKeyOf(parsed)
	require.NoError(t, err)
	assert.Equal(t, vectorPubRawHex, hex.EncodeToString(pub.Raw()))
	assert.Equal(t, vectorSPKIBase64, base64.StdEncoding.EncodeToString(pub.SPKI()))
	assert.Equal(t, vectorFingerprint, pub.Fingerprint())

	// The edges of the range: 1 and n-1.
	n := elliptic.P256().Params().N
	assert.Equal(t, "0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0000-0001", statement.EncodeClaimCode(scalarKey(t, big.NewInt(1))))
	nMinus1 := new(big.Int).Sub(n, big.NewInt(1))
	assert.Equal(t, "1zzz-zzzg-0000-03zz-zzzz-zzzz-zzxw-wvxa-v9rq-kt2f-7eea-rby6-69ag", statement.EncodeClaimCode(scalarKey(t, nMinus1)))
}

func TestClaimCodeRoundTrips(t *testing.T) {
	for range 50 {
		k, err := statement.NewClaimKey()
		require.NoError(t, err)
		code := statement.EncodeClaimCode(k)
		assert.Len(t, code, statement.ClaimCodeLength+12, "13 groups of 4 and 12 dashes")
		assert.Contains(t, "01", code[:1], "the 4 leading bits are zero")
		back, err := statement.ParseClaimCode(code)
		require.NoError(t, err)
		assert.True(t, k.Equal(back))
	}
}

func TestParseClaimCodeNormalises(t *testing.T) {
	want, err := statement.ParseClaimCode(vectorCode)
	require.NoError(t, err)
	bare := strings.ReplaceAll(vectorCode, "-", "")
	forms := map[string]string{
		"no separators":      bare,
		"upper case":         strings.ToUpper(vectorCode),
		"spaces":             strings.ReplaceAll(vectorCode, "-", " "),
		"spaces and dashes":  " " + strings.ReplaceAll(vectorCode, "-", " - ") + " ",
		"other grouping":     bare[:10] + "-" + bare[10:],
		"i, L and O as 1/0":  strings.NewReplacer("1", "i", "0", "O").Replace(vectorCode[:20]) + strings.ReplaceAll(vectorCode[20:], "1", "L"),
		"mixed case letters": "1JDF-n7C4" + vectorCode[9:],
	}
	for name, code := range forms {
		got, err := statement.ParseClaimCode(code)
		if assert.NoError(t, err, name) {
			assert.True(t, want.Equal(got), name)
		}
	}
}

func TestParseClaimCodeRefusesWithoutQuotingTheCode(t *testing.T) {
	n := elliptic.P256().Params().N
	encode := func(d *big.Int) string {
		s := d.Text(32)
		s = strings.Repeat("0", statement.ClaimCodeLength-len(s)) + s
		// big.Int's base-32 digits to Crockford's
		return strings.NewReplacer("i", "j", "j", "k", "k", "m", "l", "n", "m", "p", "n", "q", "o", "r", "p", "s",
			"q", "t", "r", "v", "s", "w", "t", "x", "u", "y", "v", "z").Replace(s)
	}
	require.Equal(t, strings.ReplaceAll(vectorCode, "-", ""), encode(mustBig(vectorScalarHex)), "the test's own encoder agrees")
	bare := strings.ReplaceAll(vectorCode, "-", "")
	cases := map[string]struct{ code, rule string }{
		"empty":             {"", "length"},
		"one short":         {bare[1:], "length"},
		"one long":          {bare + "0", "length"},
		"u is no digit":     {"u" + bare[1:], "alphabet"},
		"a symbol":          {bare[:51] + "*", "alphabet"},
		"non-ASCII":         {bare[:50] + "é", "alphabet"},
		"a leading bit set": {"2" + bare[1:], "leading_bits"},
		"top digit z":       {"z" + bare[1:], "leading_bits"},
		"zero":              {strings.Repeat("0", 52), "range"},
		"n":                 {encode(n), "range"},
		"n+1":               {encode(new(big.Int).Add(n, big.NewInt(1))), "range"},
		"2^256-1":           {"1" + strings.Repeat("z", 51), "range"},
	}
	for name, c := range cases {
		_, err := statement.ParseClaimCode(c.code)
		e, ok := ccerr.From(err)
		if !assert.True(t, ok, "%s: %v", name, err) {
			continue
		}
		assert.Equal(t, ccerr.InvalidArgument, e.Code, name)
		require.Len(t, e.Fields, 1, name)
		assert.Equal(t, "claimCode", e.Fields[0].Field, name)
		assert.Equal(t, c.rule, e.Fields[0].Rule, name)
		if len(c.code) > 8 {
			assert.NotContains(t, err.Error(), c.code[1:9], "%s: the error must not quote the code", name)
		}
	}
}

func mustBig(h string) *big.Int {
	d, _ := new(big.Int).SetString(h, 16)
	return d
}

func TestClaimKeySignsWhatVerifyTakes(t *testing.T) {
	k, err := statement.ParseClaimCode(vectorCode)
	require.NoError(t, err)
	msg, err := sample(statement.Claim).Encode()
	require.NoError(t, err)
	sig, err := statement.Sign(k, msg)
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(k)
	require.NoError(t, err)
	require.NoError(t, pub.Verify(msg, sig))
	_, other := newKey(t)
	assert.Equal(t, ccerr.OwnerSignatureInvalid, ccerr.CodeOf(other.Verify(msg, sig)))
}
