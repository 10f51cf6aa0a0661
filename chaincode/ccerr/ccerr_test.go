package ccerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeSurvivesPeerWrapping(t *testing.T) {
	orig := ccerr.Field(ccerr.VINInvalid, "vin", "check_digit", "position 9 is %q, want %q", "5", "X")
	wrapped := "endorsement failure: chaincode response 500, " + orig.Error() + " (peer0.oem)"

	got, ok := ccerr.Decode(wrapped)
	require.True(t, ok)
	assert.Equal(t, ccerr.VINInvalid, got.Code)
	assert.Equal(t, ccerr.InvalidArgument, got.Category())
	assert.Equal(t, orig.Message, got.Message)
	assert.Equal(t, []ccerr.FieldError{{Field: "vin", Rule: "check_digit", Message: `position 9 is "5", want "X"`}}, got.Fields)
}

func TestDecodeRejectsTextWithoutCode(t *testing.T) {
	for _, s := range []string{"", "chaincode response 500, boom", ccerr.Marker + "{", ccerr.Marker + `{"message":"x"}`} {
		_, ok := ccerr.Decode(s)
		assert.False(t, ok, s)
	}
}

func TestEveryCodeHasAGeneralCategory(t *testing.T) {
	general := map[ccerr.Code]bool{ccerr.NotFound: true, ccerr.AlreadyExists: true, ccerr.InvalidArgument: true,
		ccerr.Forbidden: true, ccerr.Conflict: true, ccerr.FailedPrecondition: true}
	for _, c := range ccerr.Codes() {
		assert.True(t, general[c.Category()], "%s has category %s", c, c.Category())
	}
	assert.Equal(t, ccerr.FailedPrecondition, ccerr.Code("SOMETHING_NEW").Category())
}

func TestFromFindsWrappedAndEncodedErrors(t *testing.T) {
	base := ccerr.New(ccerr.NotFound, "vehicle %s not found", "X")
	e, ok := ccerr.From(fmt.Errorf("get: %w", base))
	require.True(t, ok)
	assert.Same(t, base, e)

	e, ok = ccerr.From(errors.New("rpc error: " + base.Error()))
	require.True(t, ok)
	assert.Equal(t, ccerr.NotFound, e.Code)

	_, ok = ccerr.From(errors.New("disk on fire"))
	assert.False(t, ok)
	_, ok = ccerr.From(nil)
	assert.False(t, ok)
	assert.Equal(t, ccerr.Code(""), ccerr.CodeOf(errors.New("x")))
	assert.True(t, errors.Is(fmt.Errorf("w: %w", base), ccerr.New(ccerr.NotFound, "")))
	assert.False(t, errors.Is(base, ccerr.New(ccerr.Forbidden, "")))
}
