package statement_test

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckAcceptsTheOwnersLiveStatement(t *testing.T) {
	priv, pub := newKey(t)
	s := sample(statement.Grant)
	b, err := s.Encode()
	require.NoError(t, err)
	want := statement.Expect{Channel: "autoledger", VIN: testVIN, Action: statement.Grant, Key: pub, TxTime: testExpires.Add(-time.Minute)}

	got, id, err := statement.Check(b, p1363(t, priv, b), want)
	require.NoError(t, err)
	assert.Equal(t, s, got)
	assert.Equal(t, statement.ID(b), id)
}

func TestCheckRefusesEachWrongInputWithItsCode(t *testing.T) {
	priv, pub := newKey(t)
	otherPriv, otherPub := newKey(t)
	txTime := testExpires.Add(-time.Minute)
	want := statement.Expect{Channel: "autoledger", VIN: testVIN, Action: statement.Grant, Key: pub, TxTime: txTime}
	signed := func(s statement.Statement, by any) ([]byte, []byte) {
		b, err := s.Encode()
		require.NoError(t, err)
		if by == "other" {
			return b, p1363(t, otherPriv, b)
		}
		return b, p1363(t, priv, b)
	}
	grant := sample(statement.Grant)
	otherVIN := sample(statement.Grant)
	otherVIN.VIN = "WVWZZZ1JZXW000001"
	otherChannel := sample(statement.Grant)
	otherChannel.Channel = "autoledger-test"
	revoke := sample(statement.Revoke)
	farFuture := sample(statement.Grant)
	farFuture.Expires = txTime.Add(statement.MaxLifetime + time.Second)
	lastSecond := sample(statement.Grant)
	lastSecond.Expires = txTime.Add(statement.MaxLifetime)

	cases := map[string]struct {
		s     statement.Statement
		by    string
		edit  func(*statement.Expect)
		code  ccerr.Code
		field string
	}{
		"signed by another key":          {grant, "other", nil, ccerr.OwnerSignatureInvalid, ""},
		"checked against another key":    {grant, "", func(e *statement.Expect) { e.Key = otherPub }, ccerr.OwnerSignatureInvalid, ""},
		"for another VIN":                {otherVIN, "", nil, ccerr.StatementMismatch, "statement.vin"},
		"for another channel":            {otherChannel, "", nil, ccerr.StatementMismatch, "statement.channel"},
		"for another action":             {revoke, "", nil, ccerr.StatementMismatch, "statement.action"},
		"expired a second ago":           {grant, "", func(e *statement.Expect) { e.TxTime = testExpires.Add(time.Second) }, ccerr.StatementExpired, ""},
		"expiring at the tx time":        {grant, "", func(e *statement.Expect) { e.TxTime = testExpires }, ccerr.StatementExpired, ""},
		"expiring too far in the future": {farFuture, "", nil, ccerr.InvalidArgument, "statement.expires"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, sig := signed(c.s, c.by)
			w := want
			if c.edit != nil {
				c.edit(&w)
			}
			_, _, err := statement.Check(b, sig, w)
			e, ok := ccerr.From(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, c.code, e.Code, "%v", err)
			if c.field != "" {
				require.NotEmpty(t, e.Fields)
				assert.Equal(t, c.field, e.Fields[0].Field)
			}
		})
	}

	b, sig := signed(lastSecond, "")
	_, _, err := statement.Check(b, sig, want)
	assert.NoError(t, err, "an expiry exactly MaxLifetime ahead is accepted")

	_, _, err = statement.Check(append(b, '\n'), sig, want)
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(err), "bytes that do not decode")
}

// A claim binds the key that signs it: a statement naming one key but
// signed by (and checked against) another is refused, so a relay cannot
// swap the key of someone else's claim.
func TestCheckClaimNamesTheSigningKey(t *testing.T) {
	priv, pub := newKey(t)
	want := statement.Expect{Channel: "autoledger", VIN: testVIN, Action: statement.Claim, Key: pub, TxTime: testExpires.Add(-time.Hour)}

	claim := sample(statement.Claim)
	claim.Params["key"] = pub.Fingerprint()
	b, err := claim.Encode()
	require.NoError(t, err)
	_, _, err = statement.Check(b, p1363(t, priv, b), want)
	require.NoError(t, err)

	claim.Params["key"] = fp
	b, err = claim.Encode()
	require.NoError(t, err)
	_, _, err = statement.Check(b, p1363(t, priv, b), want)
	e, ok := ccerr.From(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, ccerr.StatementMismatch, e.Code)
	assert.Equal(t, "statement.params.key", e.Fields[0].Field)
}
