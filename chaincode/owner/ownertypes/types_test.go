package ownertypes_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claimKey is a claim key's public half as a client sends it.
func claimKey(t *testing.T) string {
	t.Helper()
	k, err := statement.NewClaimKey()
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(k)
	require.NoError(t, err)
	return ot.KeyBase64(pub)
}

func TestDecodeBase64TakesBothAlphabetsPaddedOrNot(t *testing.T) {
	want := []byte{0xfb, 0xff, 0xfe, 0x01}
	for _, s := range []string{"+//+AQ==", "+//+AQ", "-__-AQ==", "-__-AQ"} {
		got, err := ot.DecodeBase64(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, s)
	}
	_, err := ot.DecodeBase64("+/_-")
	assert.Error(t, err, "mixed alphabets")
}

func fields(t *testing.T, err error) []string {
	t.Helper()
	e, ok := ccerr.From(err)
	require.True(t, ok, "%v", err)
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"/"+f.Rule)
	}
	return out
}

func TestRequestsNameTheFieldAndRule(t *testing.T) {
	key := claimKey(t)
	assert.ElementsMatch(t, []string{"saleDate/required", "useType/one_of", "claimPublicKey/required"},
		fields(t, ot.SaleRequest{OdometerKm: 1}.Validate()))
	assert.Contains(t, fields(t, ot.SaleRequest{OdometerKm: -1}.Validate()), "odometerKm/range")
	assert.NoError(t, ot.SaleRequest{SaleDate: time.Now(), UseType: "private", ClaimPublicKey: key}.Validate())

	sell := ot.SellRequest{Envelope: ot.StatementEnvelope{Signature: "%%", ClaimSignature: "%%"}, ClaimPublicKey: key, BuyerPublicKey: key}
	assert.ElementsMatch(t, []string{"envelope.statement/required", "envelope.signature/base64", "envelope.claimSignature/base64", "buyerPublicKey/one_buyer"},
		fields(t, sell.Validate()))
	assert.ElementsMatch(t, []string{"envelope.statement/required", "envelope.signature/required", "claimPublicKey/p256_key"},
		fields(t, ot.SellRequest{ClaimPublicKey: "AQID"}.Validate()))
	assert.ElementsMatch(t, []string{"envelope.statement/required", "envelope.signature/required", "buyerPublicKey/base64"},
		fields(t, ot.SellRequest{BuyerPublicKey: "+/_-"}.Validate()))

	assert.ElementsMatch(t, []string{"kind/one_of", "evidenceHash/sha256_hex", "claimPublicKey/required"},
		fields(t, ot.ExceptionRequest{Kind: "theft"}.Validate()))
	assert.Contains(t, fields(t, ot.ExceptionRequest{Kind: ot.KindLostKey, EvidenceHash: strings.Repeat("a", 64), ClaimPublicKey: "AQID"}.Validate()),
		"claimPublicKey/p256_key")
	assert.NoError(t, ot.ExceptionRequest{Kind: ot.KindLostKey, EvidenceHash: strings.Repeat("a", 64), ClaimPublicKey: key}.Validate())
}

func TestParseKeyTakesEitherFormAndBothAlphabets(t *testing.T) {
	k, err := statement.NewClaimKey()
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(k)
	require.NoError(t, err)
	for _, s := range []string{ot.KeyBase64(pub), base64.RawURLEncoding.EncodeToString(pub.SPKI()), base64.StdEncoding.EncodeToString(pub.Raw())} {
		got, err := ot.ParseKey(s)
		require.NoError(t, err, s)
		assert.Equal(t, pub.Fingerprint(), got.Fingerprint())
	}
}

func TestTagsMatchTheLimits(t *testing.T) {
	limit := func(got float64, ok bool) float64 { assert.True(t, ok); return got }
	assert.Equal(t, float64(statement.MaxSize), limit(rules.Limit[ot.StatementEnvelope]("Statement", "max")))
	assert.Equal(t, float64(ot.MaxStatement), float64(statement.MaxSize))
	assert.Equal(t, float64(ot.MaxSignature), limit(rules.Limit[ot.StatementEnvelope]("Signature", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.StatementEnvelope]("PublicKey", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.SellRequest]("BuyerPublicKey", "max")))
	assert.Equal(t, float64(ot.MaxSignature), limit(rules.Limit[ot.StatementEnvelope]("ClaimSignature", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.SellRequest]("ClaimPublicKey", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.SaleRequest]("ClaimPublicKey", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.ExceptionRequest]("ClaimPublicKey", "max")))
}
