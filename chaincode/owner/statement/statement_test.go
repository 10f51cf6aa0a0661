package statement_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testVIN   = "1G4AH59H45G118341"
	testNonce = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
	fp        = "3b7a9e0c4f1d2a6b8c5e7f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
)

var testExpires = time.Date(2026, 11, 30, 5, 10, 0, 0, time.UTC)

// sample returns a valid statement of each action.
func sample(a statement.Action) statement.Statement {
	params := map[statement.Action]map[string]string{
		statement.Claim:        {"key": fp},
		statement.ReleaseSale:  {"buyer": "claim:" + fp, "odometerKm": "48213", "saleDate": "2026-11-30T04:55:00Z", "useType": "private"},
		statement.Grant:        {"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z", "purpose": "usage-based-insurance", "scopes": "odometer,service"},
		statement.Revoke:       {"grant": fp},
		statement.Erase:        {"ownerNo": "2"},
		statement.ShareLink:    {"link": fp, "notAfter": "2026-12-07T00:00:00Z"},
		statement.UnshareLink:  {"link": fp},
		statement.RedeemPoints: {"member": "DealerMSP", "points": "500", "programme": "service-loyalty"},
		statement.MovePoints:   {"points": "1", "programme": "service-loyalty", "toKey": fp},
	}
	return statement.Statement{Channel: "autoledger", VIN: testVIN, Action: a, Params: params[a], Nonce: testNonce, Expires: testExpires}
}

func TestEveryActionRoundTrips(t *testing.T) {
	for _, a := range statement.Actions() {
		s := sample(a)
		b, err := s.Encode()
		require.NoError(t, err, a)
		got, err := statement.Decode(b)
		require.NoError(t, err, a)
		assert.Equal(t, s, got, a)
		again, err := got.Encode()
		require.NoError(t, err)
		assert.Equal(t, b, again, a)
	}
	assert.Len(t, statement.Params, len(statement.Actions()))
}

func TestEncodingIsTheDocumentedText(t *testing.T) {
	b, err := sample(statement.Grant).Encode()
	require.NoError(t, err)
	assert.Equal(t, "autoledger-owner-statement/v1\n"+
		"channel=autoledger\n"+
		"vin=1G4AH59H45G118341\n"+
		"action=grant\n"+
		"grantee=InsurerMSP\n"+
		"notAfter=2026-12-30T00:00:00Z\n"+
		"purpose=usage-based-insurance\n"+
		"scopes=odometer,service\n"+
		"nonce="+testNonce+"\n"+
		"expires=2026-11-30T05:10:00Z\n", string(b))
}

// The documented rule "parameters in ascending byte order of their names"
// is what Params says, so a second implementation may sort instead of
// keeping a table of orders.
func TestParamsAreInAscendingNameOrder(t *testing.T) {
	for a, ps := range statement.Params {
		for i := 1; i < len(ps); i++ {
			assert.Less(t, ps[i-1].Name, ps[i].Name, a)
		}
		for _, p := range ps {
			assert.NotContains(t, []string{"channel", "vin", "action", "nonce", "expires"}, p.Name, a)
		}
	}
}

func TestValidateRefusesEveryMalformedField(t *testing.T) {
	cases := map[string]struct {
		edit  func(*statement.Statement)
		field string
	}{
		"upper-case channel":   {func(s *statement.Statement) { s.Channel = "AutoLedger" }, "statement.channel"},
		"empty channel":        {func(s *statement.Statement) { s.Channel = "" }, "statement.channel"},
		"bad VIN":              {func(s *statement.Statement) { s.VIN = "1G4AH59H45G11834" }, "vin"},
		"unknown action":       {func(s *statement.Statement) { s.Action = "transfer" }, "statement.action"},
		"extra parameter":      {func(s *statement.Statement) { s.Params["colour"] = "red" }, "statement.params"},
		"missing parameter":    {func(s *statement.Statement) { delete(s.Params, "scopes"); s.Params["scope"] = "x" }, "statement.params.scopes"},
		"MSP with a space":     {func(s *statement.Statement) { s.Params["grantee"] = "Insurer MSP" }, "statement.params.grantee"},
		"purpose upper-case":   {func(s *statement.Statement) { s.Params["purpose"] = "UBI" }, "statement.params.purpose"},
		"purpose with =":       {func(s *statement.Statement) { s.Params["purpose"] = "a=b" }, "statement.params.purpose"},
		"purpose with LF":      {func(s *statement.Statement) { s.Params["purpose"] = "a\nnonce=x" }, "statement.params.purpose"},
		"scopes unsorted":      {func(s *statement.Statement) { s.Params["scopes"] = "service,odometer" }, "statement.params.scopes"},
		"scopes repeated":      {func(s *statement.Statement) { s.Params["scopes"] = "odometer,odometer" }, "statement.params.scopes"},
		"scopes empty":         {func(s *statement.Statement) { s.Params["scopes"] = "" }, "statement.params.scopes"},
		"scopes with a space":  {func(s *statement.Statement) { s.Params["scopes"] = "odometer, service" }, "statement.params.scopes"},
		"notAfter with offset": {func(s *statement.Statement) { s.Params["notAfter"] = "2026-12-30T08:00:00+08:00" }, "statement.params.notAfter"},
		"notAfter with millis": {func(s *statement.Statement) { s.Params["notAfter"] = "2026-12-30T00:00:00.000Z" }, "statement.params.notAfter"},
		"notAfter lower z":     {func(s *statement.Statement) { s.Params["notAfter"] = "2026-12-30T00:00:00z" }, "statement.params.notAfter"},
		"nonce short":          {func(s *statement.Statement) { s.Nonce = testNonce[1:] }, "statement.nonce"},
		"nonce upper-case":     {func(s *statement.Statement) { s.Nonce = strings.ToUpper(testNonce) }, "statement.nonce"},
		"expires not UTC":      {func(s *statement.Statement) { s.Expires = s.Expires.In(time.FixedZone("CST", 8*3600)) }, "statement.expires"},
		"expires sub-second":   {func(s *statement.Statement) { s.Expires = s.Expires.Add(time.Millisecond) }, "statement.expires"},
		"expires zero":         {func(s *statement.Statement) { s.Expires = time.Time{} }, "statement.expires"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := sample(statement.Grant)
			c.edit(&s)
			_, err := s.Encode()
			e, ok := ccerr.From(err)
			require.True(t, ok, "%v", err)
			require.NotEmpty(t, e.Fields)
			assert.Equal(t, c.field, e.Fields[0].Field)
		})
	}
}

func TestValidateRefusesMalformedParameterKinds(t *testing.T) {
	cases := []struct {
		action statement.Action
		name   string
		value  string
	}{
		{statement.Claim, "key", strings.ToUpper(fp)},
		{statement.Claim, "key", fp[:63]},
		{statement.ReleaseSale, "buyer", fp},
		{statement.ReleaseSale, "buyer", "owner:" + fp},
		{statement.ReleaseSale, "odometerKm", "048213"},
		{statement.ReleaseSale, "odometerKm", "-1"},
		{statement.ReleaseSale, "odometerKm", "+5"},
		{statement.ReleaseSale, "odometerKm", "10000001"},
		{statement.ReleaseSale, "odometerKm", "1e3"},
		{statement.ReleaseSale, "saleDate", "2026-11-30"},
		{statement.ReleaseSale, "saleDate", "2026-11-30T04:55:00.5Z"},
		{statement.ReleaseSale, "saleDate", "2026-11-30T05:55:00+01:00"},
		{statement.ReleaseSale, "useType", "Private"},
		{statement.ReleaseSale, "useType", ""},
		{statement.Erase, "ownerNo", "0"},
		{statement.Erase, "ownerNo", "1000000001"},
		{statement.Erase, "ownerNo", "99999999999999999999"},
		{statement.RedeemPoints, "points", ""},
		{statement.MovePoints, "programme", "-loyalty"},
	}
	for _, c := range cases {
		s := sample(c.action)
		s.Params[c.name] = c.value
		_, err := s.Encode()
		assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(err), "%s %s=%q", c.action, c.name, c.value)
	}
	s := sample(statement.ReleaseSale)
	s.Params["odometerKm"] = "0"
	_, err := s.Encode()
	assert.NoError(t, err, "0 km is a valid reading")
}

func TestDecodeRefusesNonCanonicalBytes(t *testing.T) {
	good, err := sample(statement.Grant).Encode()
	require.NoError(t, err)
	text := string(good)
	cases := map[string]string{
		"CRLF line ends":          strings.ReplaceAll(text, "\n", "\r\n"),
		"no final LF":             strings.TrimSuffix(text, "\n"),
		"extra final LF":          text + "\n",
		"trailing line":           text + "note=hi\n",
		"fields swapped":          strings.Replace(text, "channel=autoledger\nvin="+testVIN, "vin="+testVIN+"\nchannel=autoledger", 1),
		"params swapped":          strings.Replace(text, "grantee=InsurerMSP\nnotAfter=2026-12-30T00:00:00Z", "notAfter=2026-12-30T00:00:00Z\ngrantee=InsurerMSP", 1),
		"space around =":          strings.Replace(text, "vin=", "vin = ", 1),
		"repeated field":          strings.Replace(text, "action=grant\n", "action=grant\naction=grant\n", 1),
		"other domain":            strings.Replace(text, "/v1", "/v2", 1),
		"leading blank line":      "\n" + text,
		"BOM":                     "\ufeff" + text,
		"missing expires":         strings.Split(text, "expires=")[0],
		"lower-case VIN":          strings.Replace(text, testVIN, strings.ToLower(testVIN), 1),
		"expires with offset":     strings.Replace(text, "05:10:00Z", "05:10:00+00:00", 1),
		"expires without seconds": strings.Replace(text, "05:10:00Z", "05:10Z", 1),
		"expires 24:00":           strings.Replace(text, "2026-11-30T05:10:00Z", "2026-11-29T24:00:00Z", 1),
		"expires Feb 30":          strings.Replace(text, "2026-11-30T05:10:00Z", "2026-02-30T05:10:00Z", 1),
		"empty":                   "",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, text, in, "the case must change the bytes")
			_, err := statement.Decode([]byte(in))
			require.Error(t, err)
			assert.Contains(t, []ccerr.Code{ccerr.InvalidArgument, ccerr.VINInvalid}, ccerr.CodeOf(err), "%v", err)
		})
	}
}

func TestDecodeRefusesOversizedInputUnread(t *testing.T) {
	good, err := sample(statement.Claim).Encode()
	require.NoError(t, err)
	_, err = statement.Decode(append(good, bytes.Repeat([]byte("x"), statement.MaxSize)...))
	e, ok := ccerr.From(err)
	require.True(t, ok)
	assert.Equal(t, "max_size", e.Fields[0].Rule)
}

func TestHelpersProduceCanonicalValues(t *testing.T) {
	assert.Equal(t, "odometer,service", statement.FormatScopes([]string{"service", "odometer", "service"}))
	cst := time.FixedZone("CST", 8*3600)
	assert.Equal(t, "2026-11-30T05:10:00Z", statement.FormatTime(time.Date(2026, 11, 30, 13, 10, 0, 999, cst)))
}

func TestIDIsTheSHA256OfTheBytes(t *testing.T) {
	assert.Equal(t, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", statement.ID(nil))
}

// FuzzDecode: whatever Decode accepts is the one encoding of what it
// returns; nothing panics.
func FuzzDecode(f *testing.F) {
	for _, a := range statement.Actions() {
		b, err := sample(a).Encode()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(statement.Domain + "\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := statement.Decode(in)
		if err != nil {
			if _, ok := ccerr.From(err); !ok {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		out, err := s.Encode()
		if err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", in, err)
		}
		if !bytes.Equal(in, out) {
			t.Fatalf("accepted a non-canonical encoding:\n%q\nre-encodes as\n%q", in, out)
		}
	})
}
