package ownertypes_test

import (
	"crypto/sha256"
	"encoding/hex"
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

const salt = "00112233445566778899aabbccddeeff"

func TestClaimHashIsSaltColonCode(t *testing.T) {
	sum := sha256.Sum256([]byte(salt + ":k3m9-abcd-efgh-jkmn"))
	assert.Equal(t, hex.EncodeToString(sum[:]), ot.ClaimHash(salt, "k3m9-abcd-efgh-jkmn"))
	assert.NotEqual(t, ot.ClaimHash(salt, "a"), ot.ClaimHash(salt+"0", "a"))
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
	assert.ElementsMatch(t, []string{"saleDate/required", "useType/one_of", "claimHash/sha256_hex", "claimSalt/salt"},
		fields(t, ot.SaleRequest{OdometerKm: 1}.Validate()))
	assert.Contains(t, fields(t, ot.SaleRequest{OdometerKm: -1}.Validate()), "odometerKm/range")

	sell := ot.SellRequest{Envelope: ot.StatementEnvelope{Signature: "%%"}, SaleDate: time.Now(), UseType: "private",
		ClaimSalt: salt, BuyerPublicKey: "AQ"}
	assert.ElementsMatch(t, []string{"envelope.statement/required", "envelope.signature/base64", "buyerPublicKey/one_buyer"},
		fields(t, sell.Validate()))

	assert.ElementsMatch(t, []string{"kind/one_of", "evidenceHash/sha256_hex", "claimHash/sha256_hex", "claimSalt/salt"},
		fields(t, ot.ExceptionRequest{Kind: "theft"}.Validate()))
	assert.NoError(t, ot.ExceptionRequest{Kind: ot.KindLostKey, EvidenceHash: strings.Repeat("a", 64),
		ClaimHash: strings.Repeat("b", 64), ClaimSalt: salt}.Validate())
}

func TestClaimCodeIsNeverQuoted(t *testing.T) {
	for _, code := range []string{"short", "sixteen chars ok", strings.Repeat("x", 129), "naïve-but-sixteen-long"} {
		err := ot.ClaimTransient{Code: code}.Validate()
		require.Error(t, err, code)
		assert.NotContains(t, err.Error(), code)
	}
	assert.NoError(t, ot.ClaimTransient{Code: "k3m9-abcd-efgh-jkmn"}.Validate())
}

func TestTagsMatchTheLimits(t *testing.T) {
	limit := func(got float64, ok bool) float64 { assert.True(t, ok); return got }
	assert.Equal(t, float64(statement.MaxSize), limit(rules.Limit[ot.StatementEnvelope]("Statement", "max")))
	assert.Equal(t, float64(ot.MaxStatement), float64(statement.MaxSize))
	assert.Equal(t, float64(ot.MaxSignature), limit(rules.Limit[ot.StatementEnvelope]("Signature", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.StatementEnvelope]("PublicKey", "max")))
	assert.Equal(t, float64(ot.MaxPublicKey), limit(rules.Limit[ot.SellRequest]("BuyerPublicKey", "max")))
	assert.Equal(t, float64(ot.MinClaimCode), limit(rules.Limit[ot.ClaimTransient]("Code", "min")))
	assert.Equal(t, float64(ot.MaxClaimCode), limit(rules.Limit[ot.ClaimTransient]("Code", "max")))
}
