package portal_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
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

const vin = "1G4AH59H45G118341"

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

// newServer serves the page and a fake ledger holding the car, sold by a
// dealer and awaiting the claim of a Go-made claim key, whose code it
// returns.
func newServer(t *testing.T) (*fakeOwnerAPI, string, string) {
	f := newFakeOwnerAPI(t)
	r, b := carReport()
	claimKey, err := statement.NewClaimKey()
	require.NoError(t, err)
	f.sold(vin, claimKey, r, b)
	srv := httptest.NewServer(f.Handler())
	t.Cleanup(srv.Close)
	return f, srv.URL, statement.EncodeClaimCode(claimKey)
}

// codeFingerprint is the fingerprint of the claim key a code holds, as Go
// reads the code.
func codeFingerprint(t *testing.T, code string) string {
	t.Helper()
	k, err := statement.ParseClaimCode(code)
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(k)
	require.NoError(t, err)
	return pub.Fingerprint()
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
	_, base, _ := newServer(t)
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

	// Statements read back: only the canonical form.
	got = run(fmt.Sprintf(`(() => {
		const P = window.AutoLedgerPortal, text = %q;
		const refused = t => { try { P.decodeStatement(t); return false; } catch (e) { return true; } };
		return {
			params: P.decodeStatement(text).params,
			crlf: refused(text.replaceAll('\n', '\r\n')),
			swapped: refused(text.replace(/(odometerKm=.*\n)(saleDate=.*\n)/, '$2$1')),
			extra: refused(text.replace('useType=', 'color=red\nuseType=')),
			unterminated: refused(text.slice(0, -1)),
		};
	})()`, v.CanonicalText))
	assert.Equal(t, map[string]any{"buyer": v.Params["buyer"], "odometerKm": v.Params["odometerKm"], "saleDate": v.Params["saleDate"],
		"useType": v.Params["useType"]}, got["params"])
	for _, k := range []string{"crlf", "swapped", "extra", "unterminated"} {
		assert.Equal(t, true, got[k], "a non-canonical statement (%s) is refused", k)
	}
	assert.Empty(t, page.Problems())
}

// The script's claim codes are Go's: it reads every code Go writes as the
// same key (the scalar, and the public key the browser derives from the
// PKCS#8 it builds), writes the same code for the same scalar, refuses
// what Go refuses, and Go reads the codes the script makes as the keys the
// script names.
func TestScriptClaimCodesAgreeWithGo(t *testing.T) {
	ctx := startBrowser(t)
	_, base, _ := newServer(t)
	page, err := portaltest.Open(ctx, base)
	require.NoError(t, err)

	n := elliptic.P256().Params().N
	madeKey, err := statement.NewClaimKey()
	require.NoError(t, err)
	keys := []*ecdsa.PrivateKey{madeKey}
	for _, d := range []*big.Int{
		// docs/owners.md's claim code vector: the private key of RFC 6979 A.2.5.
		mustHex(t, "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"),
		big.NewInt(1), new(big.Int).Sub(n, big.NewInt(1)), // the ends of the range
		new(big.Int).Lsh(big.NewInt(1), 255), // the highest bit a scalar may set
	} {
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d.FillBytes(make([]byte, 32)))
		require.NoError(t, err)
		keys = append(keys, k)
	}
	type want struct {
		Code, Typed, ScalarHex, Fingerprint string
	}
	var cases []want
	for _, k := range keys {
		code := statement.EncodeClaimCode(k)
		d, err := k.Bytes()
		require.NoError(t, err)
		pub, err := statement.PublicKeyOf(k)
		require.NoError(t, err)
		// As a person copies it: upper case, spaces, O for 0 and L for 1.
		typed := strings.NewReplacer("-", " ", "0", "O", "1", "L").Replace(strings.ToUpper(code))
		cases = append(cases, want{code, typed, hex.EncodeToString(d), pub.Fingerprint()})
	}
	casesJSON, err := json.Marshal(cases)
	require.NoError(t, err)
	type read struct {
		ScalarHex, Recoded, Fingerprint, TypedHex string
	}
	reads, err := chromedp.Run(ctx, chromedp.Evaluate[[]read](fmt.Sprintf(`(async () => {
		const P = window.AutoLedgerPortal, out = [];
		for (const c of %s) {
			const d = P.parseClaimCode(c.Code);
			out.push({ScalarHex: P.toHex(d), Recoded: P.encodeClaimCode(d), Fingerprint: (await P.claimKeyFromCode(c.Code)).fingerprint,
				TypedHex: P.toHex(P.parseClaimCode(c.Typed))});
		}
		return out;
	})()`, casesJSON), chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Len(t, reads, len(cases))
	for i, c := range cases {
		assert.Equal(t, c.ScalarHex, reads[i].ScalarHex, c.Code)
		assert.Equal(t, c.Code, reads[i].Recoded, "the same code for the same scalar")
		assert.Equal(t, c.Fingerprint, reads[i].Fingerprint, "Chromium derives the public key Go does from the PKCS#8 without one")
		assert.Equal(t, c.ScalarHex, reads[i].TypedHex, "the typed form %q reads as the same key", c.Typed)
	}
	assert.Equal(t, "1jdf-n7c4-bekn-2snn-r8aq-cyrx-d4te-a31x-pdq8-kc97-q2k2-5c90-yss1", cases[1].Code, "docs/owners.md's vector")

	// What Go refuses, the script refuses.
	bad := []string{
		"", strings.Repeat("0", 51), strings.Repeat("0", 53), // length
		strings.Repeat("0", 51) + "u", strings.Repeat("0", 51) + "*", // alphabet
		"2" + strings.Repeat("0", 51), // the leading 4 bits
		strings.Repeat("0", 52),       // zero
		"1zzz-zzzg-0000-03zz-zzzz-zzzz-zzxw-wvxa-v9rq-kt2f-7eea-rby6-69ah", // n itself
		"1" + strings.Repeat("z", 51),                                      // 2^256 - 1
	}
	for _, b := range bad {
		_, err := statement.ParseClaimCode(b)
		require.Error(t, err, "Go refuses %q", b)
	}
	badJSON, err := json.Marshal(bad)
	require.NoError(t, err)
	refused, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](fmt.Sprintf(`%s.map(c => { try { window.AutoLedgerPortal.parseClaimCode(c); return false; } catch (e) { return true; } })`, badJSON)))
	require.NoError(t, err)
	for i, b := range bad {
		assert.True(t, refused[i], "the script refuses %q", b)
	}

	// A code the script makes is, for Go, the key the script names.
	type made struct {
		Code, Fingerprint, SPKI string
	}
	fresh, err := chromedp.Run(ctx, chromedp.Evaluate[made](`(async () => { const P = window.AutoLedgerPortal, k = await P.newClaimKey();
		return {Code: k.code, Fingerprint: k.fingerprint, SPKI: P.toBase64(k.spki)}; })()`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Regexp(t, `^[01][0-9a-hjkmnp-tv-z]{3}(-[0-9a-hjkmnp-tv-z]{4}){12}$`, fresh.Code)
	k, err := statement.ParseClaimCode(fresh.Code)
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(k)
	require.NoError(t, err)
	assert.Equal(t, fresh.Fingerprint, pub.Fingerprint())
	assert.Equal(t, base64.StdEncoding.EncodeToString(pub.SPKI()), fresh.SPKI)
	assert.Empty(t, page.Problems())
}

func mustHex(t *testing.T, h string) *big.Int {
	t.Helper()
	d, ok := new(big.Int).SetString(h, 16)
	require.True(t, ok)
	return d
}

// claim -> grant -> revoke -> sale through the page, then the buyer's
// claim in another browser, and a resale to a buyer's key.
func TestOwnerFlowsThroughThePage(t *testing.T) {
	ctx := startBrowser(t)
	fake, base, code := newServer(t)
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
	o, err := page.CancelClaim(code)
	require.NoError(t, err)
	assert.Equal(t, "cancelled", o.State, o.Message)
	assert.Zero(t, fake.writes(), "nothing was posted")

	// A mistyped code, and a valid code of another claim key, are refused
	// before anything is signed: the ledger names the claim key it awaits.
	o, err = page.Claim(code[:len(code)-1])
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "Claim code: a claim code is 52")
	other, err := statement.NewClaimKey()
	require.NoError(t, err)
	o, err = page.Claim(statement.EncodeClaimCode(other))
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "not the claim code this car awaits")
	assert.Empty(t, o.Statement)
	assert.Zero(t, fake.writes())

	// Where the page cannot tell (the listing leaves the claim key out), the
	// other key's signature reaches the ledger's check, which refuses it.
	fake.hideClaimKeys(true)
	_, err = page.OpenCar(vin)
	require.NoError(t, err)
	o, err = page.Claim(statement.EncodeClaimCode(other))
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "CLAIM_CODE_INVALID")
	fake.hideClaimKeys(false)
	_, err = page.OpenCar(vin)
	require.NoError(t, err)

	// The Go-made code as a person copies it: upper case, spaces, O for 0,
	// L for 1. The claim key signs in the browser; the code is never sent.
	o, err = page.Claim(strings.NewReplacer("-", " ", "0", "O", "1", "L").Replace(strings.ToUpper(code)))
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
	row := fmt.Sprintf(`document.querySelector('tr[data-grant=%q]')`, grantID)
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[string](row+`.dataset.verified + '|' + [...`+row+`.cells].map(c => c.textContent).join('|')`))
	require.NoError(t, err)
	assert.Equal(t, []string{"true", "InsurerMSP", "driving, odometer", "usage-based-insurance"}, strings.Split(cells, "|")[:4],
		"the terms shown are the signed statement's")

	// A gateway that lists another statement under the grant's ID (here a
	// grant of the whole car to the dealer) gets no revocation signed.
	forged := strings.Replace(car.grants[0].Statement, "grantee=InsurerMSP", "grantee=DealerMSP", 1)
	fake.lie(func(g consenttypes.Grant) consenttypes.Grant { g.Statement, g.Grantee = forged, "DealerMSP"; return g })
	_, err = page.OpenCar(vin)
	require.NoError(t, err)
	verified, err := chromedp.Run(ctx, chromedp.Evaluate[string](row+`.dataset.verified`))
	require.NoError(t, err)
	assert.Equal(t, "false", verified)
	writes := fake.writes()
	o, err = page.Revoke(grantID)
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "Not revoking: the statement the gateway sent for grant "+grantID+" is not the one that ID names")
	assert.Empty(t, o.Statement, "nothing shown for signing")
	assert.Equal(t, writes, fake.writes())
	fake.lie(func(g consenttypes.Grant) consenttypes.Grant { g.Statement = ""; return g })
	_, err = page.OpenCar(vin)
	require.NoError(t, err)
	o, err = page.Revoke(grantID)
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "did not send the statement")
	assert.Equal(t, writes, fake.writes())
	fake.lie(nil)
	_, err = page.OpenCar(vin)
	require.NoError(t, err)

	o, err = page.Revoke(grantID)
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	assert.Contains(t, o.Statement, "action=revoke\ngrant="+grantID+"\n")
	assert.False(t, fake.snapshot(vin).grants[0].RevokedAt.IsZero())
	revoked, err := chromedp.Run(ctx, chromedp.Evaluate[string](row+`.dataset.live`))
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

	// The sale to a new claim code reaches the ledger, and its answer is
	// lost: the page showed and kept the code before it sent the sale, and
	// keeps it on the screen.
	fake.loseNextSaleAnswer()
	before := time.Now().Truncate(time.Second)
	o, saleCode, err := page.SellToNewClaimCode(portaltest.Sale{OdometerKm: 30150, UseType: "taxi"})
	require.NoError(t, err)
	assert.Equal(t, "error", o.State)
	assert.Contains(t, o.Message, "The claim code stays on the screen and in this browser")
	require.NotEmpty(t, saleCode, "the code is on the screen after the failure")
	car = fake.snapshot(vin)
	require.Len(t, car.ownerships, 2, "the ledger recorded the sale")
	assert.Equal(t, ownertypes.StatusEnded, car.ownerships[0].Status)
	buyer := car.ownerships[1]
	assert.Equal(t, ownertypes.StatusAwaitingClaim, buyer.Status)
	assert.Equal(t, codeFingerprint(t, saleCode), buyer.ClaimFingerprint, "the code shown is the claim key the seller signed for (Go reads it)")
	st, err = statement.Decode([]byte(o.Statement))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"buyer": "claim:" + buyer.ClaimFingerprint, "odometerKm": "30150",
		"saleDate": statement.FormatTime(buyer.SaleDate), "useType": "taxi"}, st.Params, "every fact of the sale is signed")
	assert.False(t, buyer.SaleDate.Before(before) || buyer.SaleDate.After(time.Now()), "the sale date is the time of signing: %s", buyer.SaleDate)
	require.NoError(t, page.Screenshot("sale-answer-lost"))
	// Opened again (the seller reloads the car), the page still shows it.
	_, err = page.OpenCar(vin)
	require.NoError(t, err)
	shown, err := page.ClaimCodeShown()
	require.NoError(t, err)
	assert.Equal(t, saleCode, shown, "the browser kept the code while the car awaits it")

	// The buyer, in a browser of their own, claims with the code and then
	// resells to a third owner's key.
	buyerCtx := startBrowser(t)
	bp, _, err := portaltest.Drive(buyerCtx, base, shots(t, "flow-buyer"), portaltest.Step{Name: "open", Do: func(p *portaltest.Page) (portaltest.Outcome, error) {
		return p.OpenCar(vin)
	}})
	require.NoError(t, err)
	o, err = bp.Claim(saleCode)
	require.NoError(t, err)
	require.True(t, o.OK(), o.Message)
	car = fake.snapshot(vin)
	assert.Equal(t, ownertypes.StatusOwned, car.ownerships[1].Status)
	assert.NotEqual(t, ownerKey, car.ownerships[1].KeyFingerprint, "one key per ownership")

	// Once claimed, the seller's browser forgets the code.
	_, err = page.OpenCar(vin)
	require.NoError(t, err)
	shown, err = page.ClaimCodeShown()
	require.NoError(t, err)
	assert.Empty(t, shown)
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[int](`new Promise((ok, ko) => { const r = indexedDB.open('autoledger-owner');
		r.onsuccess = () => { const q = r.result.transaction('codes').objectStore('codes').count(); q.onsuccess = () => ok(q.result); q.onerror = ko; }; r.onerror = ko; })`,
		chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	assert.Zero(t, kept, "no claim code stays in the seller's browser once claimed")

	third, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	spki, err := x509.MarshalPKIXPublicKey(&third.PublicKey)
	require.NoError(t, err)
	pub, err := statement.ParsePublicKey(spki)
	require.NoError(t, err)
	b64 := base64.StdEncoding.EncodeToString(spki)
	sale := portaltest.Sale{OdometerKm: 31000, UseType: "fleet"}

	// A fingerprint that is not the key's is refused before anything is signed.
	writes = fake.writes()
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
	assert.Contains(t, o.Statement, "\nodometerKm=31000\nsaleDate="+statement.FormatTime(car.ownerships[2].SaleDate)+"\nuseType=fleet\n")
	shown, err = bp.ClaimCodeShown()
	require.NoError(t, err)
	assert.Empty(t, shown, "a sale to a key makes no code")

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
