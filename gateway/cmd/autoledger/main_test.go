package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/ownerclient/ownerclienttest"
)

const testVIN = "1G4AH59H45G118341"

// testCode is the claim code of the dealer's sale in these tests.
var testCode = newCode()

func newCode() string {
	c, err := ownerclient.NewClaimCode()
	if err != nil {
		panic(err)
	}
	return c.Code
}

// recently is a sale date inside the ledger's window, as --sale-date takes it.
func recently() string { return time.Now().Add(-time.Hour).UTC().Format(time.RFC3339) }

type outcome struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line with its own environment and input.
func runCLI(t *testing.T, vars map[string]string, stdin string, args ...string) outcome {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
	})
	return outcome{code: code, stdout: out.String(), stderr: errOut.String()}
}

// keygen makes a key file in dir and returns its path and fingerprint.
func keygen(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	o := runCLI(t, nil, "", "owner", "keygen", "--out", path)
	require.Equal(t, 0, o.code, o.stderr)
	k, err := ownerclient.LoadKeyFile(path)
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	return path, pub.Fingerprint()
}

func TestKeygenWritesAnOwnerOnlyKeyAndPrintsItsFingerprint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	o := runCLI(t, nil, "", "owner", "keygen", "--out", path)
	require.Equal(t, 0, o.code, o.stderr)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	k, err := ownerclient.LoadKeyFile(path)
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	assert.Contains(t, o.stdout, "fingerprint: "+statement.FormatFingerprint(pub.Fingerprint()))
	assert.Regexp(t, regexp.MustCompile(`fingerprint: [0-9a-f]{4}( [0-9a-f]{4}){15}\n`), o.stdout)

	before, err := os.ReadFile(path)
	require.NoError(t, err)
	o = runCLI(t, nil, "", "owner", "keygen", "--out", path)
	assert.Equal(t, exitFailure, o.code)
	assert.Contains(t, o.stderr, "refusing to overwrite")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)

	// The key file named by the environment is the default place.
	envPath := filepath.Join(dir, "env.pem")
	o = runCLI(t, map[string]string{envKey: envPath}, "", "owner", "keygen")
	require.Equal(t, 0, o.code, o.stderr)
	assert.FileExists(t, envPath)
}

func TestPubkeyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	key, fp := keygen(t, dir, "buyer.pem")
	for _, format := range []string{"pem", "base64"} {
		out := filepath.Join(dir, "buyer.pub."+format)
		o := runCLI(t, nil, "", "owner", "pubkey", "--key", key, "--out", out, "--format", format)
		require.Equal(t, 0, o.code, o.stderr)
		assert.Contains(t, o.stdout, statement.FormatFingerprint(fp))
		pub, err := ownerclient.ReadPublicKeyFile(out)
		require.NoError(t, err)
		assert.Equal(t, fp, pub.Fingerprint(), format)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "PRIVATE")
	}
	o := runCLI(t, nil, "", "owner", "pubkey", "--key", key, "--format", "base64")
	require.Equal(t, 0, o.code, o.stderr)
	pub, err := ownerclient.ParsePublicKeyText([]byte(o.stdout))
	require.NoError(t, err)
	assert.Equal(t, fp, pub.Fingerprint())
	assert.Contains(t, o.stderr, statement.FormatFingerprint(fp), "the fingerprint goes beside the key, not into it")
}

// Every write through the command line, each statement verified by the
// fake gateway with statement.Check as the chaincode does.
func TestOwnerCommandsAgainstAGateway(t *testing.T) {
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	dir := t.TempDir()
	alice, aliceFP := keygen(t, dir, "alice.pem")
	bob, bobFP := keygen(t, dir, "bob.pem")
	carol, carolFP := keygen(t, dir, "carol.pem")
	asAlice := map[string]string{envGateway: g.URL, envKey: alice}
	last := func() ownerclienttest.Posted { p := g.Posted(); return p[len(p)-1] }

	// The code from standard input, in lower case as a person may type it.
	o := runCLI(t, asAlice, " "+testCode+"\n", "owner", "claim", "--vin", strings.ToLower(testVIN), "--code", "-")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, statement.Claim, last().Statement.Action)
	assert.Equal(t, aliceFP, last().Statement.Params["key"])
	assert.Equal(t, aliceFP, g.Current(testVIN).KeyFingerprint)
	assert.Contains(t, o.stdout, "owner no. 1")
	assert.Contains(t, o.stdout, statement.FormatFingerprint(aliceFP))

	o = runCLI(t, asAlice, "", "owner", "grant", "--vin", testVIN, "--grantee", "InsurerMSP", "--scopes", "odometer,driving",
		"--purpose", "usage-based-insurance", "--days", "30")
	require.Equal(t, 0, o.code, o.stderr)
	grant := last()
	assert.Equal(t, "InsurerMSP", grant.Statement.Params["grantee"])
	assert.Equal(t, "driving,odometer", grant.Statement.Params["scopes"])
	assert.Equal(t, "usage-based-insurance", grant.Statement.Params["purpose"])
	notAfter, err := time.Parse(statement.TimeLayout, grant.Statement.Params["notAfter"])
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(30*24*time.Hour), notAfter, time.Hour)
	assert.Contains(t, o.stdout, "grant ID "+grant.ID)

	o = runCLI(t, asAlice, "", "owner", "revoke", "--vin", testVIN, "--grant", grant.ID)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, map[string]string{"grant": grant.ID}, last().Statement.Params)
	assert.Contains(t, o.stdout, "purge of the grantee's copies: committed")

	pubFile := filepath.Join(dir, "bob.pub")
	require.Equal(t, 0, runCLI(t, nil, "", "owner", "pubkey", "--key", bob, "--out", pubFile).code)
	saleDate := recently()
	o = runCLI(t, asAlice, "", "owner", "sign-sale", "--vin", testVIN, "--buyer-key", pubFile, "--odometer-km", "48213",
		"--sale-date", saleDate, "--use-type", "private")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, map[string]string{"buyer": "key:" + bobFP, "odometerKm": "48213", "saleDate": saleDate, "useType": "private"},
		last().Statement.Params, "the sale's facts are signed")
	assert.NotContains(t, last().Body, "saleDate")
	assert.NotContains(t, last().Body, "useType")
	assert.Equal(t, bobFP, g.Current(testVIN).KeyFingerprint)

	asBob := map[string]string{envGateway: g.URL, envKey: bob}
	o = runCLI(t, asBob, "", "owner", "sign-sale", "--vin", testVIN, "--new-claim-code", "--odometer-km", "50000",
		"--sale-date", time.Now().UTC().Format(time.DateOnly), "--use-type", "fleet")
	require.Equal(t, 0, o.code, o.stderr)
	code := regexp.MustCompile(`(?m)^  ([0-9a-z]{4}(?:-[0-9a-z]{4}){12})$`).FindStringSubmatch(o.stdout)
	require.Len(t, code, 2, o.stdout)
	sale := last()
	claim, err := ownerclient.ParseClaimCode(code[1])
	require.NoError(t, err)
	assert.Equal(t, "claim:"+claim.Fingerprint(), sale.Statement.Params["buyer"], "the statement names the printed code's key")
	assert.Equal(t, claim.PublicKeyBase64(), sale.Body["claimPublicKey"])
	assert.Equal(t, 1, strings.Count(o.stdout, code[1]), "the code is printed once")

	asCarol := map[string]string{envGateway: g.URL, envKey: carol}
	o = runCLI(t, asCarol, "", "owner", "claim", "--vin", testVIN, "--code", strings.ToUpper(code[1]))
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, carolFP, g.Current(testVIN).KeyFingerprint)

	o = runCLI(t, asAlice, "", "owner", "erase", "--vin", testVIN, "--owner-no", "1")
	require.Equal(t, 0, o.code, o.stderr)
	assert.Equal(t, map[string]string{"ownerNo": "1"}, last().Statement.Params)

	o = runCLI(t, asCarol, "", "owner", "show", "--vin", testVIN)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Contains(t, o.stdout, "3 ownership(s)")
	assert.Contains(t, o.stdout, statement.FormatFingerprint(carolFP)+" (yours)")
	assert.Contains(t, o.stdout, "your key (--key) is the current owner's")
	assert.Contains(t, o.stdout, grant.ID)
	assert.Contains(t, o.stdout, "revoked")
	o = runCLI(t, asAlice, "", "owner", "show", "--vin", testVIN)
	require.Equal(t, 0, o.code, o.stderr)
	assert.Contains(t, o.stdout, "your key (--key) is not the current owner's")

	o = runCLI(t, asCarol, "", "owner", "show", "--vin", testVIN, "--json")
	require.Equal(t, 0, o.code, o.stderr)
	assert.True(t, json.Valid([]byte(o.stdout)))
}

func TestGatewayRefusalsPrintTheProblem(t *testing.T) {
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	key, _ := keygen(t, t.TempDir(), "k.pem")
	o := runCLI(t, map[string]string{envGateway: g.URL, envKey: key}, "", "owner", "claim", "--vin", testVIN, "--code", newCode())
	assert.Equal(t, exitFailure, o.code)
	assert.Contains(t, o.stderr, "Forbidden (HTTP 403, CLAIM_CODE_INVALID): the claim is not signed by this car's claim key")
	assert.Empty(t, o.stdout)
}

// A bad flag value is refused before anything is asked of the gateway,
// with exit 2 and the flag's name.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	dir := t.TempDir()
	key, _ := keygen(t, dir, "k.pem")
	pub := filepath.Join(dir, "k.pub")
	require.Equal(t, 0, runCLI(t, nil, "", "owner", "pubkey", "--key", key, "--out", pub).code)
	vars := map[string]string{envGateway: g.URL, envKey: key}
	sale := func(extra ...string) []string {
		return append([]string{"owner", "sign-sale", "--vin", testVIN, "--new-claim-code", "--odometer-km", "10", "--sale-date", recently(), "--use-type", "private"}, extra...)
	}
	grant := func(extra ...string) []string {
		return append([]string{"owner", "grant", "--vin", testVIN, "--grantee", "InsurerMSP", "--scopes", "driving", "--purpose", "ubi"}, extra...)
	}
	cases := []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"missing vin", vars, []string{"owner", "claim", "--code", testCode}, `"vin"`},
		{"bad vin", vars, []string{"owner", "claim", "--vin", "1G4AH59H45G118342", "--code", testCode}, "--vin: check digit"},
		{"short code", vars, []string{"owner", "claim", "--vin", testVIN, "--code", "abc"}, "--code: must be 52 characters"},
		{"an old-style code", vars, []string{"owner", "claim", "--vin", testVIN, "--code", "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr"}, "--code:"},
		{"no gateway", map[string]string{envKey: key}, []string{"owner", "claim", "--vin", testVIN, "--code", testCode}, "--gateway: required"},
		{"remote http", vars, []string{"owner", "claim", "--vin", testVIN, "--code", testCode, "--gateway", "http://gateway.example"}, "--gateway:"},
		{"no key", map[string]string{envGateway: g.URL}, []string{"owner", "claim", "--vin", testVIN, "--code", testCode}, "--key: required"},
		{"days zero", vars, grant("--days", "0"), "--days: must be 1-366"},
		{"days over", vars, grant("--days", "367"), "--days: must be 1-366"},
		{"days not a number", vars, grant("--days", "x"), "--days"},
		{"unknown grantee", vars, []string{"owner", "grant", "--vin", testVIN, "--grantee", "AcmeMSP", "--scopes", "driving", "--purpose", "ubi", "--days", "3"}, "--grantee: must be a member org"},
		{"unknown scope", vars, []string{"owner", "grant", "--vin", testVIN, "--grantee", "InsurerMSP", "--scopes", "driving,location", "--purpose", "ubi", "--days", "3"}, "--scopes:"},
		{"bad purpose", vars, []string{"owner", "grant", "--vin", testVIN, "--grantee", "InsurerMSP", "--scopes", "driving", "--purpose", "Usage Based", "--days", "3"}, "--purpose:"},
		{"grant id", vars, []string{"owner", "revoke", "--vin", testVIN, "--grant", "1234"}, "--grant:"},
		{"both buyers", vars, sale("--buyer-key", pub), "buyer-key"},
		{"no buyer", vars, []string{"owner", "sign-sale", "--vin", testVIN, "--odometer-km", "1", "--sale-date", recently(), "--use-type", "private"}, "buyer-key"},
		{"own key", vars, []string{"owner", "sign-sale", "--vin", testVIN, "--buyer-key", pub, "--odometer-km", "1", "--sale-date", recently(), "--use-type", "private"}, "--buyer-key: is your own key"},
		{"buyer key file", vars, []string{"owner", "sign-sale", "--vin", testVIN, "--buyer-key", key, "--odometer-km", "1", "--sale-date", recently(), "--use-type", "private"}, "--buyer-key:"},
		{"negative km", vars, sale("--odometer-km", "-1"), "--odometer-km: must be 0-10,000,000"},
		{"sale date", vars, sale("--sale-date", "30.11.2026"), "--sale-date:"},
		{"sale date too old", vars, sale("--sale-date", time.Now().Add(-25*time.Hour).UTC().Format(time.RFC3339)), "--sale-date: must be within the 24h0m0s before now"},
		{"sale date ahead", vars, sale("--sale-date", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)), "--sale-date: must be within"},
		{"use type", vars, sale("--use-type", "racing"), "--use-type: must be one of"},
		{"owner no", vars, []string{"owner", "erase", "--vin", testVIN, "--owner-no", "0"}, "--owner-no:"},
		{"pubkey format", vars, []string{"owner", "pubkey", "--format", "der"}, "--format:"},
		{"keygen out", nil, []string{"owner", "keygen"}, "--out: required"},
		{"unknown flag", vars, []string{"owner", "show", "--vim", testVIN}, "--vim"},
		{"unknown command", vars, []string{"owner", "sell"}, `unknown command "sell"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := runCLI(t, c.vars, "", c.args...)
			assert.Equal(t, exitUsage, o.code, o.stderr)
			assert.Contains(t, o.stderr, c.want)
			assert.Empty(t, g.Posted(), "nothing may reach the gateway")
		})
	}
}
