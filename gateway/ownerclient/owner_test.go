package ownerclient_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/ownerclient/ownerclienttest"
)

const testVIN = "1G4AH59H45G118341"

// testCode is the claim code of the dealer's sale in these tests.
var testCode = func() string {
	c, err := ownerclient.NewClaimCode()
	if err != nil {
		panic(err)
	}
	return c.Code
}()

// otherCode is a well-formed claim code that is not testCode.
var otherCode = func() string {
	c, err := ownerclient.NewClaimCode()
	if err != nil {
		panic(err)
	}
	return c.Code
}()

func newOwner(t *testing.T, g *ownerclienttest.Gateway) *ownerclient.Owner {
	t.Helper()
	cl, err := ownerclient.New(g.URL, ownerclient.Options{})
	require.NoError(t, err)
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	return &ownerclient.Owner{Client: cl, Key: k}
}

func fingerprint(t *testing.T, k *ecdsa.PrivateKey) string {
	t.Helper()
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	return pub.Fingerprint()
}

func problemCode(t *testing.T, err error) string {
	t.Helper()
	var p *ownerclient.Problem
	require.ErrorAs(t, err, &p)
	return p.Code
}

// The owner's whole life with a car, each statement checked by the fake
// exactly as the chaincode checks it: claim, grant, revoke, sale to a key,
// sale to a claim code, the new owner's claim, and the erasure of a past
// ownership by its own key.
func TestOwnerFlowsSignWhatTheLedgerAccepts(t *testing.T) {
	ctx := context.Background()
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	alice, bob, carol := newOwner(t, g), newOwner(t, g), newOwner(t, g)

	r, err := alice.Claim(ctx, testVIN, testCode)
	require.NoError(t, err)
	assert.Equal(t, statement.Claim, r.Statement.Action)
	assert.Equal(t, fingerprint(t, alice.Key), r.Statement.Params["key"])
	assert.Equal(t, ownerclienttest.Channel, r.Statement.Channel)
	assert.Equal(t, fingerprint(t, alice.Key), g.Current(testVIN).KeyFingerprint)
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.False(t, r.Pending())
	assert.Contains(t, string(r.Result), `"status":"owned"`)
	claimBody := g.Posted()[0].Body
	assert.NotEmpty(t, claimBody["claimSignature"], "the claim key signs the claim")
	assert.NotContains(t, claimBody, "claimCode")
	for _, v := range claimBody {
		assert.NotContains(t, strings.ReplaceAll(v.(string), "-", ""), strings.ReplaceAll(testCode, "-", ""), "the code never leaves the buyer's computer")
	}

	notAfter := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second).UTC()
	gr, err := alice.Grant(ctx, testVIN, ownerclient.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"odometer", "driving"},
		Purpose: "usage-based-insurance", NotAfter: notAfter})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"grantee": "InsurerMSP", "notAfter": statement.FormatTime(notAfter),
		"purpose": "usage-based-insurance", "scopes": "driving,odometer"}, gr.Statement.Params)
	posted := g.Posted()
	assert.Equal(t, posted[len(posted)-1].ID, gr.ID, "the grant's ID is the statement ID the ledger names it by")
	_, err = consenttypes.TermsOf(gr.Statement, time.Now())
	assert.NoError(t, err, "the consent contract takes the terms")

	rv, err := alice.Revoke(ctx, testVIN, gr.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"grant": gr.ID}, rv.Statement.Params)
	require.NotNil(t, rv.Purge)
	assert.Equal(t, "committed", rv.Purge.Status)

	// Bob is not the owner: his grant is refused by the ledger's check.
	_, err = bob.Grant(ctx, testVIN, ownerclient.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"driving"}, Purpose: "x", NotAfter: notAfter})
	assert.Equal(t, string(ccerr.OwnerSignatureInvalid), problemCode(t, err))

	bobPub, err := ownerclient.PublicKey(bob.Key)
	require.NoError(t, err)
	saleDate := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	sr, err := alice.SellToKey(ctx, testVIN, bobPub, ownerclient.SaleTerms{SaleDate: saleDate, UseType: "private", OdometerKm: 48213})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"buyer": "key:" + bobPub.Fingerprint(), "odometerKm": "48213",
		"saleDate": statement.FormatTime(saleDate), "useType": "private"}, sr.Statement.Params, "every fact of the sale is signed")
	cur := g.Current(testVIN)
	assert.Equal(t, 2, cur.OwnerNo)
	assert.Equal(t, bobPub.Fingerprint(), cur.KeyFingerprint)
	assert.Equal(t, saleDate, cur.SaleDate, "the ledger takes the sale date from the statement")

	sr, code, err := bob.SellToClaimCode(ctx, testVIN, ownerclient.SaleTerms{SaleDate: saleDate.Add(time.Minute), UseType: "fleet", OdometerKm: 50000})
	require.NoError(t, err)
	assert.Equal(t, "claim:"+code.Fingerprint(), sr.Statement.Params["buyer"])
	assert.Equal(t, "fleet", sr.Statement.Params["useType"])
	body := g.Posted()[len(g.Posted())-1].Body
	assert.Equal(t, code.PublicKeyBase64(), body["claimPublicKey"])
	assert.NotContains(t, body, "buyerPublicKey")
	assert.NotContains(t, body, "saleDate", "the sale's facts travel inside the signed statement only")
	for _, v := range body {
		assert.NotContains(t, v, code.Code, "the code itself never leaves the seller's computer")
	}
	assert.Equal(t, code.Fingerprint(), g.Current(testVIN).ClaimFingerprint)

	_, err = carol.Claim(ctx, testVIN, otherCode)
	assert.Equal(t, string(ccerr.ClaimCodeInvalid), problemCode(t, err))
	n := len(g.Posted())
	_, err = carol.Claim(ctx, testVIN, "not-a-claim-code")
	assert.ErrorContains(t, err, "claimCode")
	assert.Len(t, g.Posted(), n, "a code that is no claim code is refused before any request")
	_, err = carol.Claim(ctx, testVIN, code.Code)
	require.NoError(t, err)
	assert.Equal(t, fingerprint(t, carol.Key), g.Current(testVIN).KeyFingerprint)

	er, err := alice.Erase(ctx, testVIN, 1)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ownerNo": "1"}, er.Statement.Params)

	raw, err := carol.Client.Vehicle(ctx, testVIN)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"ownerCount":3`)
}

func TestAReplayedStatementIsRefused(t *testing.T) {
	ctx := context.Background()
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	alice := newOwner(t, g)
	_, err := alice.Claim(ctx, testVIN, testCode)
	require.NoError(t, err)
	gr, err := alice.Grant(ctx, testVIN, ownerclient.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"driving"},
		Purpose: "usage-based-insurance", NotAfter: time.Now().Add(24 * time.Hour)})
	require.NoError(t, err)
	_, err = alice.Client.Post(ctx, ownerclient.VehiclePath(testVIN, "grants"), gr.Envelope())
	assert.Equal(t, string(ccerr.NonceReused), problemCode(t, err))
}

// The client signs only what it was asked to: a challenge for another
// car, action or format version, or on the wrong channel, is refused
// before anything is signed or posted.
func TestALyingChallengeIsNotSigned(t *testing.T) {
	lies := map[string]func(*ownerclienttest.ChallengeAnswer){
		"other VIN":    func(a *ownerclienttest.ChallengeAnswer) { a.VIN = "1HGCM82633A004352" },
		"other action": func(a *ownerclienttest.ChallengeAnswer) { a.Action = "release-sale" },
		"other domain": func(a *ownerclienttest.ChallengeAnswer) { a.Domain = "autoledger-owner-statement/v2" },
		"expired":      func(a *ownerclienttest.ChallengeAnswer) { a.Expires = "2020-01-01T00:00:00Z" },
		"bad nonce":    func(a *ownerclienttest.ChallengeAnswer) { a.Nonce = "00" },
		"bad channel":  func(a *ownerclienttest.ChallengeAnswer) { a.Channel = "Bad Channel" },
		"other channel": func(a *ownerclienttest.ChallengeAnswer) {
			a.Channel = "otherchannel"
		},
	}
	for name, lie := range lies {
		t.Run(name, func(t *testing.T) {
			g := ownerclienttest.New()
			defer g.Close()
			g.SellFromStock(testVIN, testCode)
			g.ChallengeHook = lie
			o := newOwner(t, g)
			o.Channel = ownerclienttest.Channel
			_, err := o.Claim(context.Background(), testVIN, testCode)
			require.Error(t, err)
			var p *ownerclient.Problem
			assert.NotErrorAs(t, err, &p, "refused by the client, not the gateway")
			assert.Empty(t, g.Posted())
		})
	}
}

func TestBuildStatementCutsALongExpiry(t *testing.T) {
	now := time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)
	ch := ownerclient.Challenge{Channel: "autoledger", VIN: testVIN, Action: "revoke", Nonce: strings.Repeat("0f", 16),
		Expires: "2026-12-30T00:00:00Z", Domain: statement.Domain}
	s, err := ownerclient.BuildStatement(ch, testVIN, statement.Revoke, map[string]string{"grant": strings.Repeat("b", 64)}, "", now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(ownerclient.MaxLifetime), s.Expires)

	ch.Expires = "2026-11-30T05:10:00.5+01:00" // an offset and a fraction: 04:10:00.5Z, already past
	_, err = ownerclient.BuildStatement(ch, testVIN, statement.Revoke, map[string]string{"grant": strings.Repeat("b", 64)}, "", now)
	assert.ErrorContains(t, err, "check the clock")

	ch.Expires = "2026-11-30T05:10:00.5Z"
	s, err = ownerclient.BuildStatement(ch, testVIN, statement.Revoke, map[string]string{"grant": strings.Repeat("b", 64)}, "", now)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-30T05:10:00Z", statement.FormatTime(s.Expires))
}

func TestNewRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:8080/", "http://[::1]:8080", "https://gateway.example:8443"} {
		_, err := ownerclient.New(ok, ownerclient.Options{})
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"http://gateway.example", "http://10.0.0.1:8080", "ftp://x", "gateway.example", "https://u:p@gateway.example", "https://gateway.example/?q=1"} {
		_, err := ownerclient.New(bad, ownerclient.Options{})
		assert.Error(t, err, bad)
	}
}

func TestCAFileIsTheTrustForHTTPS(t *testing.T) {
	g := ownerclienttest.NewTLS()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: g.Certificate().Raw}), 0o644))

	cl, err := ownerclient.New(g.URL, ownerclient.Options{})
	require.NoError(t, err)
	_, err = cl.Vehicle(context.Background(), testVIN)
	assert.ErrorContains(t, err, "certificate", "the test server's certificate is not in the system's trust")

	cl, err = ownerclient.New(g.URL, ownerclient.Options{CAFile: ca})
	require.NoError(t, err)
	_, err = cl.Vehicle(context.Background(), testVIN)
	assert.NoError(t, err)

	_, err = ownerclient.New("http://127.0.0.1:1", ownerclient.Options{CAFile: ca})
	assert.ErrorContains(t, err, "https")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target := ownerclienttest.New()
	defer target.Close()
	target.SellFromStock(testVIN, testCode)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	o := newOwner(t, target)
	cl, err := ownerclient.New(redirector.URL, ownerclient.Options{})
	require.NoError(t, err)
	o.Client = cl
	_, err = o.Claim(context.Background(), testVIN, testCode)
	var p *ownerclient.Problem
	require.ErrorAs(t, err, &p)
	assert.Equal(t, http.StatusTemporaryRedirect, p.Status)
	assert.Contains(t, p.Detail, "redirect")
	assert.Empty(t, target.Posted())
}

func TestProblemNamesTitleCodeDetailAndFields(t *testing.T) {
	p := &ownerclient.Problem{Status: 422, Title: "Unprocessable Entity", Code: "INVALID_ARGUMENT", Detail: "bad grant",
		Errors: []ownerclient.FieldError{{Field: "statement.params.notAfter", Rule: "max_grant", Message: "too far"}}}
	assert.Equal(t, "Unprocessable Entity (HTTP 422, INVALID_ARGUMENT): bad grant\n  statement.params.notAfter: too far (max_grant)", p.Error())
	assert.True(t, ownerclient.IsProblem(p, "INVALID_ARGUMENT"))
}

// Someone who sees a buyer's claim request (a relay, an endorsing peer)
// cannot claim the car for their own key with it: the claim key signed a
// statement naming the buyer's key, and the code is not in the request.
func TestASeenClaimCannotBeRedirected(t *testing.T) {
	ctx := context.Background()
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	buyer, mallory := newOwner(t, g), newOwner(t, g)
	code, err := ownerclient.ParseClaimCode(testCode)
	require.NoError(t, err)

	// The buyer's request, seen but not yet committed.
	buyerPub, err := ownerclient.PublicKey(buyer.Key)
	require.NoError(t, err)
	seen, err := buyer.Prepare(ctx, testVIN, statement.Claim, map[string]string{"key": buyerPub.Fingerprint()})
	require.NoError(t, err)
	claimSig, err := ownerclient.Sign(code.Key, seen.Encoded)
	require.NoError(t, err)

	// Mallory signs a claim naming her key and sends the seen claim signature.
	malloryPub, err := ownerclient.PublicKey(mallory.Key)
	require.NoError(t, err)
	own, err := mallory.Prepare(ctx, testVIN, statement.Claim, map[string]string{"key": malloryPub.Fingerprint()})
	require.NoError(t, err)
	_, err = mallory.Client.Post(ctx, ownerclient.VehiclePath(testVIN, "claim"), ownerclient.ClaimRequest{Envelope: own.Envelope(),
		PublicKey: base64.StdEncoding.EncodeToString(malloryPub.SPKI()), ClaimSignature: base64.StdEncoding.EncodeToString(claimSig)})
	assert.Equal(t, string(ccerr.ClaimCodeInvalid), problemCode(t, err))

	// Nor can she send the buyer's statement with her own key.
	_, err = mallory.Client.Post(ctx, ownerclient.VehiclePath(testVIN, "claim"), ownerclient.ClaimRequest{Envelope: seen.Envelope(),
		PublicKey: base64.StdEncoding.EncodeToString(malloryPub.SPKI()), ClaimSignature: base64.StdEncoding.EncodeToString(claimSig)})
	assert.Equal(t, string(ccerr.OwnerSignatureInvalid), problemCode(t, err))
	assert.Empty(t, g.Posted())

	// The buyer's own request goes through.
	_, err = buyer.Client.Post(ctx, ownerclient.VehiclePath(testVIN, "claim"), ownerclient.ClaimRequest{Envelope: seen.Envelope(),
		PublicKey: base64.StdEncoding.EncodeToString(buyerPub.SPKI()), ClaimSignature: base64.StdEncoding.EncodeToString(claimSig)})
	require.NoError(t, err)
	assert.Equal(t, buyerPub.Fingerprint(), g.Current(testVIN).KeyFingerprint)
}

// A statement whose sale date is outside the ledger's window is refused:
// the seller signs the date, and the ledger holds it to the transaction's
// time.
func TestASaleDateOutsideTheWindowIsRefused(t *testing.T) {
	ctx := context.Background()
	g := ownerclienttest.New()
	defer g.Close()
	g.SellFromStock(testVIN, testCode)
	alice, bob := newOwner(t, g), newOwner(t, g)
	_, err := alice.Claim(ctx, testVIN, testCode)
	require.NoError(t, err)
	bobPub, err := ownerclient.PublicKey(bob.Key)
	require.NoError(t, err)
	for _, d := range []time.Time{time.Now().Add(-25 * time.Hour), time.Now().Add(time.Hour)} {
		_, err = alice.SellToKey(ctx, testVIN, bobPub, ownerclient.SaleTerms{SaleDate: d, UseType: "private", OdometerKm: 10})
		assert.Equal(t, string(ccerr.InvalidArgument), problemCode(t, err))
	}
	assert.Equal(t, 1, g.Current(testVIN).OwnerNo)
}
