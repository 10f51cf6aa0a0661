package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
)

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, raw, 0o600))
	return p
}

func TestVerifyPrintsPassAndExitsZero(t *testing.T) {
	n := verifytest.MustNetwork("autoledger")
	b, err := n.Bundle(verifytest.BundleOptions{})
	require.NoError(t, err)
	dir := t.TempDir()
	bundle, roots := writeJSON(t, dir, "bundle.json", b), writeJSON(t, dir, "roots.json", n.Roots())

	o := runCLI(t, nil, "", "verify", "--roots", roots, "--vin", b.VIN, "--challenge", b.Challenge, "--channel", "autoledger", bundle)
	require.Equal(t, 0, o.code, o.stderr)
	assert.True(t, strings.HasPrefix(o.stdout, "PASS\n"), o.stdout)
	for _, name := range []string{verify.CheckFormat, verify.CheckProposal, verify.CheckResponse, verify.CheckSignatures,
		verify.CheckEndorsers, verify.CheckMajority, verify.CheckFacts} {
		assert.Contains(t, o.stdout, "ok   "+name, "every check is listed")
	}
	assert.Empty(t, o.stderr)

	// What the consortium endorsed, from the verified bytes, not from any page.
	assert.Contains(t, o.stdout, "The endorsed report (proved at "+b.ProvedAt.UTC().Format(time.RFC3339))
	assert.Contains(t, o.stdout, b.VIN)

	// Without the buyer's own VIN, challenge and channel nothing shows the proof is the one asked for, now.
	for _, drop := range []string{"--vin", "--challenge", "--channel"} {
		args := []string{"verify", "--roots", roots}
		for _, kv := range [][2]string{{"--vin", b.VIN}, {"--challenge", b.Challenge}, {"--channel", "autoledger"}} {
			if kv[0] != drop {
				args = append(args, kv[0], kv[1])
			}
		}
		o = runCLI(t, nil, "", append(args, bundle)...)
		assert.Equal(t, exitUsage, o.code, "without %s", drop)
		assert.Contains(t, o.stderr, drop)
	}

	// A bundle file with a field the format lacks, or a second value, is refused unread.
	raw, err := os.ReadFile(bundle)
	require.NoError(t, err)
	for name, text := range map[string]string{"extra.json": strings.Replace(string(raw), "{", `{"RESULT":"e30=",`, 1),
		"twice.json": strings.Replace(string(raw), "{", `{"vin":"1HGCM82633A004352",`, 1), "two.json": string(raw) + "{}"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
		o = runCLI(t, nil, "", "verify", "--roots", roots, "--vin", b.VIN, "--challenge", b.Challenge, "--channel", "autoledger", filepath.Join(dir, name))
		assert.Equal(t, exitFailure, o.code, name)
		assert.Contains(t, o.stderr, "bundle: ", name)
	}

	o = runCLI(t, nil, "", "verify", "--json", "--roots", roots, "--vin", b.VIN, "--challenge", b.Challenge, "--channel", "autoledger", bundle)
	require.Equal(t, 0, o.code, o.stderr)
	var r verify.Result
	require.NoError(t, json.Unmarshal([]byte(o.stdout), &r))
	assert.True(t, r.OK)
}

func TestVerifyFailsWithTheCheckAndExitsOne(t *testing.T) {
	n := verifytest.MustNetwork("autoledger")
	b, err := n.Bundle(verifytest.BundleOptions{})
	require.NoError(t, err)
	dir := t.TempDir()
	bundle, roots := writeJSON(t, dir, "bundle.json", b), writeJSON(t, dir, "roots.json", n.Roots())

	o := runCLI(t, nil, "", "verify", "--roots", roots, "--vin", b.VIN, "--challenge", strings.Repeat("0", 64), "--channel", "autoledger", bundle)
	require.Equal(t, exitFailure, o.code)
	assert.True(t, strings.HasPrefix(o.stdout, "FAIL: proposal: "), o.stdout)
	assert.Contains(t, o.stderr, "did not verify")

	// Roots from another consortium: nothing chains.
	other := verifytest.MustNetwork("autoledger")
	otherRoots := writeJSON(t, dir, "other.json", other.Roots())
	o = runCLI(t, nil, "", "verify", "--roots", otherRoots, "--vin", b.VIN, "--challenge", b.Challenge, "--channel", "autoledger", bundle)
	require.Equal(t, exitFailure, o.code)
	assert.True(t, strings.HasPrefix(o.stdout, "FAIL: endorsers: "), o.stdout)
}

func TestVerifyCommandLineMistakes(t *testing.T) {
	dir := t.TempDir()
	o := runCLI(t, nil, "", "verify", filepath.Join(dir, "bundle.json"))
	assert.Equal(t, exitUsage, o.code, "--roots is required")
	assert.Contains(t, o.stderr, "roots")

	roots := writeJSON(t, dir, "roots.json", verify.Roots{})
	o = runCLI(t, nil, "", "verify", "--roots", roots, "--vin", "V", "--challenge", "C", "--channel", "ch", filepath.Join(dir, "missing.json"))
	assert.Equal(t, exitFailure, o.code)
	assert.Contains(t, o.stderr, "bundle: ")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o600))
	o = runCLI(t, nil, "", "verify", "--roots", filepath.Join(dir, "bad.json"), "--vin", "V", "--challenge", "C", "--channel", "ch", roots)
	assert.Equal(t, exitFailure, o.code)
	assert.Contains(t, o.stderr, "roots: ", "a roots file that is not JSON is named")
}
