package vin_test

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const allowedChars = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

var published = []string{"1M8GDM9AXKP042788", "1G4AH59H45G118341", "1HGCM82633A004352", "11111111111111111"}

func TestPublishedVINsAreAccepted(t *testing.T) {
	for _, v := range published {
		verified, err := vin.Validate(v)
		require.NoError(t, err, v)
		assert.True(t, verified, v)
	}
}

func TestEveryOtherCheckDigitIsRefused(t *testing.T) {
	for _, v := range published[:3] {
		for _, c := range allowedChars {
			if byte(c) == v[8] {
				continue
			}
			bad := v[:8] + string(c) + v[9:]
			verified, err := vin.Validate(bad)
			require.Error(t, err, bad)
			assert.False(t, verified)
			e, ok := ccerr.From(err)
			require.True(t, ok)
			assert.Equal(t, ccerr.VINInvalid, e.Code)
			assert.Equal(t, "check_digit", e.Fields[0].Rule, bad)
		}
	}
}

func TestChinaEnforcesCheckDigit(t *testing.T) {
	v := "LVSHCAMB1CE000001"
	v = v[:8] + string(vin.CheckDigit(v)) + v[9:]
	verified, err := vin.Validate(v)
	require.NoError(t, err)
	assert.True(t, verified)
	wrong := v[:8] + "Z" + v[9:]
	_, err = vin.Validate(wrong)
	assert.Equal(t, ccerr.VINInvalid, ccerr.CodeOf(err))
}

func TestEuropeanFillerIsAcceptedUnverified(t *testing.T) {
	for _, v := range []string{"WVWZZZ1JZXW000001", "VF1BB05CF26000000", "SAJAA01C5YA000000"} {
		verified, err := vin.Validate(v)
		require.NoError(t, err, v)
		assert.False(t, verified, v)
	}
}

func TestMalformedVINsNameTheRule(t *testing.T) {
	cases := map[string]string{
		"":                   "length",
		"1M8GDM9AXKP04278":   "length",
		"1M8GDM9AXKP0427888": "length",
		"1M8GDM9AXKP04278I":  "charset",
		"WVWZZZ1JZXW00000O":  "charset",
		"QVWZZZ1JZXW000001":  "charset",
		"1m8gdm9axkp042788":  "charset",
		"1M8GDM9AXKP04278-":  "charset",
	}
	for in, rule := range cases {
		_, err := vin.Validate(in)
		e, ok := ccerr.From(err)
		require.True(t, ok, in)
		assert.Equal(t, rule, e.Fields[0].Rule, in)
		assert.Equal(t, vin.Field, e.Fields[0].Field)
	}
}

// FuzzValidate checks the invariants that must hold for any input: an
// accepted VIN is 17 allowed characters, and a verified one carries the
// check digit the algorithm computes.
func FuzzValidate(f *testing.F) {
	for _, v := range append(published, "WVWZZZ1JZXW000001", "", "IIIIIIIIIIIIIIIII") {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		verified, err := vin.Validate(s)
		if err != nil {
			if _, ok := ccerr.From(err); !ok {
				t.Fatalf("error without code: %v", err)
			}
			return
		}
		if len(s) != vin.Length {
			t.Fatalf("accepted %q of length %d", s, len(s))
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			ok := (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q')
			if !ok {
				t.Fatalf("accepted %q with %q", s, c)
			}
		}
		mustVerify := (s[0] >= '1' && s[0] <= '5') || s[0] == 'L'
		if verified != mustVerify {
			t.Fatalf("%q verified=%v", s, verified)
		}
		if verified && s[8] != vin.CheckDigit(s) {
			t.Fatalf("%q verified with wrong check digit", s)
		}
	})
}
