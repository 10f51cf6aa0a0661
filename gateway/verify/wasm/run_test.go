package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer is autoledgerVerify's result as the page reads it.
type answer struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Summary string `json:"summary"`
	Checks  []struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

func call(t *testing.T, bundle, roots, expect string) answer {
	t.Helper()
	var a answer
	require.NoError(t, json.Unmarshal([]byte(run(bundle, roots, expect)), &a))
	return a
}

// An input that is not JSON of its kind is named, and is never a pass.
func TestBadInputIsNamedAndFails(t *testing.T) {
	for _, c := range []struct{ bundle, roots, expect, want string }{
		{`{`, `{}`, `{}`, "bundle: "},
		{`{"envelope": "not base64!"}`, `{}`, `{}`, "bundle: "},
		{`{}`, `[]`, `{}`, "roots: "},
		{`{}`, `{"OemMSP": "one PEM, not a list"}`, `{}`, "roots: "},
		{`{}`, `{}`, `"vin"`, "expect: "},
	} {
		a := call(t, c.bundle, c.roots, c.expect)
		assert.False(t, a.OK)
		assert.Contains(t, a.Error, c.want)
		assert.Equal(t, "FAIL: "+a.Error+"\n", a.Summary)
		assert.Empty(t, a.Checks, "no check ran")
	}
}

// Well-formed input reaches the verifier, whose every check is passed on:
// an empty bundle fails its first check.
func TestInputReachesTheVerifier(t *testing.T) {
	a := call(t, `{}`, `{}`, `{"channel":"autoledger","vin":"1G4AH59H45G118341","challenge":"00"}`)
	assert.False(t, a.OK)
	assert.Empty(t, a.Error)
	require.NotEmpty(t, a.Checks)
	assert.Equal(t, "format", a.Checks[0].Name)
	assert.False(t, a.Checks[0].OK)
	assert.Contains(t, a.Summary, "FAIL: format: ")
}
