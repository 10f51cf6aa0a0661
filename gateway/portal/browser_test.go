package portal_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/portal/portaltest"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The browser tests run the page in a real headless Chromium against a
// fake of the owner API that verifies every statement with the chaincode's
// statement package: what passes here is what the script really signs.

const (
	vin       = "1G4AH59H45G118341"
	claimSalt = "0123456789abcdef0123456789abcdef"
	claimCode = "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr"
)

// browserGuard bounds a whole browser test: a hung page fails the test
// instead of the test binary's timeout.
const browserGuard = 3 * time.Minute

// startBrowser starts a browser with a fresh profile for t.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := portaltest.RequireBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserGuard)
	t.Cleanup(cancel)
	tab, closeBrowser, err := portaltest.NewBrowser(ctx, path)
	require.NoError(t, err)
	t.Cleanup(closeBrowser)
	return tab
}

func shots(t *testing.T, name string) string {
	t.Helper()
	dir, err := portaltest.ArtifactDir("portal/" + name)
	require.NoError(t, err)
	old, err := filepath.Glob(filepath.Join(dir, "*.png"))
	require.NoError(t, err)
	for _, f := range old { // a previous run's
		require.NoError(t, os.Remove(f))
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func day(d int) time.Time { return time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

func carReport() (vehicletypes.Report, []vehicletypes.BatteryReport) {
	timeline := []vehicletypes.OdometerReading{
		{DisplayedKm: 12, TotalKm: 12, Source: "sale", ObservedAt: day(0)},
		{DisplayedKm: 15400, TotalKm: 15400, Source: "service", ObservedAt: day(120)},
		{DisplayedKm: 9100, TotalKm: 9100, Source: "inspection", ObservedAt: day(200), Rollback: true},
		{DisplayedKm: 30100, TotalKm: 30100, Source: "telematics", ObservedAt: day(400)},
	}
	r := vehicletypes.Report{Manufacturer: "Buick", Model: "LaCrosse", ModelYear: 2025, RegisteredAt: day(-30),
		OwnerCount: 1, Alerts: []string{"ODOMETER_ROLLBACK_SUSPECTED"},
		Odometer: vehicletypes.OdometerReport{LatestTotalKm: 30100, MaxTotalKm: 30100, RollbackSuspected: true, Timeline: timeline},
		Services: []vehicletypes.ServiceRecord{{Type: "maintenance", OdometerKm: 15400, PerformedAt: day(120)}}}
	battery := []vehicletypes.BatteryReport{
		{StateOfHealthPct: 99.5, RemainingCapacityKWh: 76, CycleCount: 10, Status: "original", ReportedAt: day(10)},
		{StateOfHealthPct: 95.1, RemainingCapacityKWh: 72.6, CycleCount: 300, Status: "original", ReportedAt: day(380)},
	}
	r.Battery = &battery[1]
	return r, battery
}

func newServer(t *testing.T) (*fakeOwnerAPI, string) {
	f := newFakeOwnerAPI(t)
	r, b := carReport()
	f.sold(vin, claimSalt, claimCode, r, b)
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// vector is chaincode/owner/statement/testdata/vector-v1.json.
type vector struct {
	PublicKeySpkiHex   string            `json:"publicKeySpkiHex"`
	PublicKeyRawHex    string            `json:"publicKeyRawHex"`
	Fingerprint        string            `json:"fingerprint"`
	FingerprintShown   string            `json:"fingerprintDisplay"`
	Channel            string            `json:"channel"`
	VIN                string            `json:"vin"`
	Action             string            `json:"action"`
	Params             map[string]string `json:"params"`
	Nonce              string            `json:"nonce"`
	Expires            string            `json:"expires"`
	CanonicalText      string            `json:"canonicalText"`
	ID                 string            `json:"id"`
	SignatureHex       string            `json:"signatureHex"`
	SignatureOtherSHex string            `json:"signatureOtherSHex"`
}

// The script is docs/owners.md's second implementation: from the test
// vector's fields it must make the same bytes, ID and fingerprint, and
// WebCrypto must accept both of the vector's signatures.
func TestScriptMatchesTheStatementTestVector(t *testing.T) {
	ctx := startBrowser(t)
	_, base := newServer(t)
	page, err := portaltest.Open(ctx, base)
	require.NoError(t, err)

	raw, err := os.ReadFile("../../chaincode/owner/statement/testdata/vector-v1.json")
	require.NoError(t, err)
	var v vector
	require.NoError(t, json.Unmarshal(raw, &v))

	run := func(js string) map[string]any {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](js, chromedp.EvalAwaitPromise))
		require.NoError(t, err, js)
		return out
	}
	got := run(fmt.Sprintf(`(async () => {
		const P = window.AutoLedgerPortal, v = %s;
		const text = P.encodeStatement({channel: v.channel, vin: v.vin, action: v.action, params: v.params, nonce: v.nonce, expires: v.expires});
		const bytes = new TextEncoder().encode(text);
		const id = P.toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
		const key = await crypto.subtle.importKey('spki', P.hexToBytes(v.publicKeySpkiHex), {name: 'ECDSA', namedCurve: 'P-256'}, false, ['verify']);
		const verify = sig => crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, key, P.hexToBytes(sig), bytes);
		return {
			text, id,
			fromSpki: await P.fingerprint(P.hexToBytes(v.publicKeySpkiHex)),
			fromRaw: await P.fingerprint(P.hexToBytes(v.publicKeyRawHex)),
			shown: P.groups(v.fingerprint),
			sig: await verify(v.signatureHex),
			otherS: await verify(v.signatureOtherSHex),
			tampered: await crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, key, P.hexToBytes(v.signatureHex), new TextEncoder().encode(text + ' ')),
		};
	})()`, raw))
	assert.Equal(t, v.CanonicalText, got["text"], "the same bytes")
	assert.Equal(t, v.ID, got["id"])
	assert.Equal(t, v.Fingerprint, got["fromSpki"])
	assert.Equal(t, v.Fingerprint, got["fromRaw"])
	assert.Equal(t, v.FingerprintShown, got["shown"])
	assert.Equal(t, true, got["sig"], "WebCrypto verifies the Go-made signature")
	assert.Equal(t, true, got["otherS"], "and its high-s twin")
	assert.Equal(t, false, got["tampered"])

	// Claim codes: the script hashes as ownertypes.ClaimHash, makes codes of
	// the CLI's shape, and undoes what people do when copying one.
	got = run(fmt.Sprintf(`(async () => {
		const P = window.AutoLedgerPortal, made = P.newClaimCode();
		return {
			hash: await P.claimHash(%q, %q),
			made: made.code, salt: made.salt,
			normalised: P.normalizeClaimCode('  K3M9 8D2F XOQA 7BCV NN4E IWYT 5HGR '),
			other: P.normalizeClaimCode(' Some-Other-Code-Kept-As-Given '),
			expires: P.formatTime(Date.UTC(2026, 10, 30, 5, 10, 0, 999)),
		};
	})()`, claimSalt, claimCode))
	assert.Equal(t, ownertypes.ClaimHash(claimSalt, claimCode), got["hash"])
	assert.Regexp(t, `^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){6}$`, got["made"])
	assert.Regexp(t, `^[0-9a-f]{32}$`, got["salt"])
	assert.Equal(t, "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr", got["normalised"])
	assert.Equal(t, "Some-Other-Code-Kept-As-Given", got["other"])
	assert.Equal(t, "2026-11-30T05:10:00Z", got["expires"], "whole seconds, no fraction")
	assert.Empty(t, page.Problems())
}

// claim -> grant -> revoke -> sale through the page, then the buyer's
// claim in another browser, and a resale to a buyer's key.
func TestOwnerFlowsThroughThePage(t *testing.T) {
	ctx := startBrowser(t)
	fake, base := newServer(t)
	dir := shots(t, "flow")

	page, outs, err := portaltest.Drive(ctx, base, dir, portaltest.Step{Name: "open", Do: func(p *portaltest.Page) (portaltest.Outcome, error) {
		return p.OpenCar(strings.ToLower(vin))
	}})
	require.NoError(t, err, "%+v", outs)
	status, err := page.OwnershipStatus()
	require.NoError(t, err)
	assert.Equal(t, ownertypes.StatusAwaitingClaim, status)
	fp, err := page.KeyFingerprint()
	require.NoError(t, err)
	assert.Empty(t, fp, "no key on a fresh profile")

	// Cancelling at the review signs and sends nothing.
	o, err := page.CancelClaim(claimCode)
	require.NoError(t, err)
	assert.Equal(t, "cancelled", o.State, o.Message)
	assert.Zero(t, fake.writes(), "nothing was posted")

	// A wrong code reaches the ledger's check and is refused there.
	o, err = page.Claim("zzzz-zzzz-zzzz-zzzz-zzzz-zzzz-zzzz")
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "CLAIM_CODE_INVALID")

	// The code as a person copies it: upper case, spaces, an O for a 0.
	o, err = page.Claim("K3M9 8D2F XOQA 7BCV NN4E 1WYT 5HGR")
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	car := fake.snapshot(vin)
	require.Equal(t, ownertypes.StatusOwned, car.ownerships[0].Status)
	ownerKey := car.ownerships[0].KeyFingerprint
	fp, err = page.KeyFingerprint()
	require.NoError(t, err)
	assert.Equal(t, ownerKey, fp, "the ledger bound the key the page holds")
	assert.Contains(t, o.Message, statement.FormatFingerprint(ownerKey), "the page shows the fingerprint in groups")
	assert.Contains(t, o.Statement, "action=claim\nkey="+ownerKey+"\n")

	// The statement signed is the one shown.
	o, err = page.Grant(portaltest.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"odometer", "driving"}, Purpose: "usage-based-insurance", Days: 30})
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	st, err := statement.Decode([]byte(o.Statement))
	require.NoError(t, err, "the review shows a canonical statement")
	assert.Equal(t, "driving,odometer", st.Params["scopes"], "sorted")
	assert.Equal(t, "InsurerMSP", st.Params["grantee"])
	notAfter, _ := time.Parse(statement.TimeLayout, st.Params["notAfter"])
	assert.WithinDuration(t, time.Now().Add(30*24*time.Hour), notAfter, time.Hour)
	assert.LessOrEqual(t, time.Until(st.Expires), time.Hour, "the page signs nothing valid for more than an hour")
	car = fake.snapshot(vin)
	require.Len(t, car.grants, 1)
	grantID := car.grants[0].ID
	assert.Equal(t, o.StatementID, grantID)
	assert.Equal(t, o.Statement, car.grants[0].Statement)

	o, err = page.Revoke(grantID)
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	assert.Contains(t, o.Statement, "action=revoke\ngrant="+grantID+"\n")
	assert.False(t, fake.snapshot(vin).grants[0].RevokedAt.IsZero())
	revoked, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('tr[data-grant=%q]').dataset.live`, grantID)))
	require.NoError(t, err)
	assert.Equal(t, "false", revoked)

	// The history as the owner sees it: charts and the list.
	charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll('.charts img')].map(i => i.complete ? i.naturalWidth : -1)`))
	require.NoError(t, err)
	assert.Equal(t, []int{640, 640}, charts, "both charts loaded")
	items, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#history li')].map(li => li.textContent)`))
	require.NoError(t, err)
	assert.Contains(t, items, "2025-07-29 Odometer 9,100 km (inspection): suspected rollback")
	assert.Equal(t, "2026-02-14 Odometer 30,100 km (telematics)", items[0], "newest first")
	assert.Contains(t, items, "2026-01-25 Battery report: 95.1 % state of health")

	o, code, err := page.SellToNewClaimCode(portaltest.Sale{OdometerKm: 30150, SaleDate: "2026-02-01", UseType: "private"})
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	car = fake.snapshot(vin)
	require.Len(t, car.ownerships, 2)
	assert.Equal(t, ownertypes.StatusEnded, car.ownerships[0].Status)
	buyer := car.ownerships[1]
	assert.Equal(t, ownertypes.StatusAwaitingClaim, buyer.Status)
	assert.Equal(t, ownertypes.ClaimHash(buyer.ClaimSalt, code), buyer.ClaimHash, "the code shown is the one the seller signed")
	assert.Contains(t, o.Statement, "buyer=claim:"+buyer.ClaimHash+"\nodometerKm=30150\n")
	assert.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), buyer.SaleDate)
	require.NoError(t, page.Screenshot("sold"))

	// The buyer, in a browser of their own, claims with the code and then
	// resells to a third owner's key.
	buyerCtx := startBrowser(t)
	bp, _, err := portaltest.Drive(buyerCtx, base, shots(t, "flow-buyer"), portaltest.Step{Name: "open", Do: func(p *portaltest.Page) (portaltest.Outcome, error) {
		return p.OpenCar(vin)
	}})
	require.NoError(t, err)
	o, err = bp.Claim(code)
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	car = fake.snapshot(vin)
	assert.Equal(t, ownertypes.StatusOwned, car.ownerships[1].Status)
	assert.NotEqual(t, ownerKey, car.ownerships[1].KeyFingerprint, "one key per ownership")

	third, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	spki, err := x509.MarshalPKIXPublicKey(&third.PublicKey)
	require.NoError(t, err)
	pub, err := statement.ParsePublicKey(spki)
	require.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString(spki)
	sale := portaltest.Sale{OdometerKm: 31000, UseType: "fleet"}

	// A fingerprint that is not the key's is refused before anything is signed.
	writes := fake.writes()
	wrong := strings.Repeat("ab", 32)
	o, err = bp.SellToKey(statement.FormatFingerprint(wrong), b64, sale)
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Empty(t, o.Statement)
	assert.Equal(t, writes, fake.writes())

	o, err = bp.SellToKey(statement.FormatFingerprint(pub.Fingerprint()), b64, sale)
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	car = fake.snapshot(vin)
	require.Len(t, car.ownerships, 3)
	assert.Equal(t, ownertypes.StatusOwned, car.ownerships[2].Status)
	assert.Equal(t, pub.Fingerprint(), car.ownerships[2].KeyFingerprint)

	// Every statement that reached the fake verified with the signing
	// key's fingerprint the ledger held, in the order the owners acted.
	var actions []string
	for _, s := range fake.statements() {
		actions = append(actions, string(s.Action))
	}
	assert.Equal(t, []string{"claim", "grant", "revoke", "release-sale", "claim", "release-sale"}, actions)

	// The page ran under its Content-Security-Policy without a violation,
	// an error or an exception.
	assert.Empty(t, page.Problems())
	assert.Empty(t, bp.Problems())
}
