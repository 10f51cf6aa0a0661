package api_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const ownerVIN = "1G4AH59H45G118341"

// ownerKey is a car owner's device key in tests.
type ownerKey struct {
	k   *ecdsa.PrivateKey
	pub statement.PublicKey
}

func newOwnerKey(t *testing.T) ownerKey {
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	return ownerKey{k: k, pub: pub}
}

func (o ownerKey) spki() string { return base64.StdEncoding.EncodeToString(o.pub.SPKI()) }

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// sign makes a statement of action on vin with params, live for five
// minutes, and returns its text and signature as a body carries them.
func (o ownerKey) sign(t *testing.T, vin string, action statement.Action, params map[string]string) (text, sig string) {
	t.Helper()
	s := statement.Statement{Channel: testChannel, VIN: vin, Action: action, Params: params, Nonce: randomHex(t, 16),
		Expires: time.Now().UTC().Add(5 * time.Minute).Truncate(time.Second)}
	enc, err := s.Encode()
	require.NoError(t, err)
	raw, err := ownerclient.Sign(o.k, enc)
	require.NoError(t, err)
	return string(enc), base64.StdEncoding.EncodeToString(raw)
}

func envelope(text, sig string, extra ...string) string {
	m := map[string]string{"statement": text, "signature": sig}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// testClaimCode has the shape of a gateway-made claim code.
const testClaimCode = "k3m9-8d2f-x0qa-7bcv-nn4e-1wyt-5hgr"

func (o ownerKey) claimBody(t *testing.T, vin, code string) (body, text, sig string) {
	text, sig = o.sign(t, vin, statement.Claim, map[string]string{"key": o.pub.Fingerprint()})
	return envelope(text, sig, "publicKey", o.spki(), "claimCode", code), text, sig
}

const grantID = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b2d4f6e8a1c3e5b7d9f0a2c4e6b8d0f"

func grantListJSON(live bool, revoked string) string {
	g := map[string]any{"schemaVersion": 1, "id": grantID, "vin": ownerVIN, "ownerNo": 1, "grantee": "InsurerMSP",
		"scopes": []string{"driving", "odometer"}, "purpose": "usage-based-insurance", "notAfter": "2099-01-01T00:00:00Z",
		"grantedAt": "2026-01-01T00:00:00Z", "statement": "s", "keyFingerprint": strings.Repeat("a", 64), "live": live}
	if revoked != "" {
		g["revokedAt"] = revoked
	}
	b, _ := json.Marshal(map[string]any{"vin": ownerVIN, "grants": []any{g}})
	return string(b)
}

// ownerEnv is a gateway relaying as its default relay, the OEM.
func ownerEnv(t *testing.T, owner ...config.Owner) *env {
	d := api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}
	if len(owner) > 0 {
		d.Owner = owner[0]
	}
	return newEnvWith(t, d, ownerLedger())
}

// ownerLedger answers owner:Get with a car of one owned ownership and
// consent:List with one live grant.
func ownerLedger() *fakeLedger {
	return &fakeLedger{evalOut: []byte(vehicleJSON), ready: true, out: map[string][]byte{
		"owner:Get":    []byte(ownerViewJSON),
		"consent:List": []byte(grantListJSON(true, "")),
	}}
}

const ownerViewJSON = `{"vin":"` + ownerVIN + `","ownerCount":1,"current":{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":1,` +
	`"status":"owned","since":"2026-01-01T00:00:00Z","soldBy":"DealerMSP","saleDate":"2026-01-01T00:00:00Z","previousKeys":[]},` +
	`"ownerships":[{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":1,"status":"owned","since":"2026-01-01T00:00:00Z",` +
	`"soldBy":"DealerMSP","saleDate":"2026-01-01T00:00:00Z","previousKeys":[]}]}`

var relay = auth.Principal{Client: "owner-relay", Org: "OemMSP", Role: "owner-services"}

// Every owner write is relayed, without a credential, as the relay's
// owner-services identity, to the function its route names with the
// statement as the chaincode's envelope, and endorsed by the orgs that
// relay owner statements: never the supplier.
func TestOwnerRoutesRelayTheStatementToTheirFunction(t *testing.T) {
	o := newOwnerKey(t)
	buyer := newOwnerKey(t)
	for _, tc := range []struct {
		path, function string
		body           func() (body, text, sig string)
		status         int
	}{
		{"claim", "owner:Claim", func() (string, string, string) { return o.claimBody(t, ownerVIN, testClaimCode) }, http.StatusOK},
		{"sale", "owner:Sell", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.ReleaseSale, map[string]string{"buyer": "key:" + buyer.pub.Fingerprint(), "odometerKm": "41000"})
			body := fmt.Sprintf(`{"statement":%q,"signature":%q,"saleDate":"2026-05-01T00:00:00Z","useType":"private","buyerPublicKey":%q}`, text, sig, buyer.spki())
			return body, text, sig
		}, http.StatusCreated},
		{"grants", "consent:Grant", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
				"purpose": "usage-based-insurance", "scopes": "driving"})
			return envelope(text, sig), text, sig
		}, http.StatusCreated},
		{"revocations", "consent:Revoke", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
			return envelope(text, sig), text, sig
		}, http.StatusCreated},
		{"erasures", "owner:Erase", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
			return envelope(text, sig), text, sig
		}, http.StatusCreated},
	} {
		e := ownerEnv(t)
		body, text, sig := tc.body()
		r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/"+tc.path, "", body)
		require.Equal(t, tc.status, r.status, "%s: %s", tc.path, r.body)
		require.NotEmpty(t, e.sub.reqs, tc.path)
		req := e.sub.reqs[0]
		assert.Equal(t, tc.function, req.Function, tc.path)
		assert.Equal(t, relay, req.Principal, tc.path)
		assert.Equal(t, []string{"OemMSP", "DealerMSP", "InsurerMSP"}, req.Endorsers, tc.path)
		require.Len(t, req.Args, 2, tc.path)
		assert.Equal(t, ownerVIN, req.Args[0], tc.path)
		var env ownertypes.StatementEnvelope
		if tc.path == "sale" {
			var sell ownertypes.SellRequest
			require.NoError(t, json.Unmarshal([]byte(req.Args[1]), &sell))
			assert.Equal(t, buyer.spki(), sell.BuyerPublicKey)
			assert.Equal(t, "private", sell.UseType)
			env = sell.Envelope
		} else {
			require.NoError(t, json.Unmarshal([]byte(req.Args[1]), &env), tc.path)
		}
		assert.Equal(t, text, env.Statement, tc.path)
		assert.Equal(t, sig, env.Signature, tc.path)
	}
}

// No request of any owner route, nor of the dealer's sale, the customer
// link, a share or a purge, names the supplier among its endorsers or
// leaves the choice to Fabric, when it carries a statement, a claim code,
// an owner reference or shared data: the supplier's peers never see them.
func TestNothingOfAnOwnerReachesTheSupplier(t *testing.T) {
	o := newOwnerKey(t)
	e := ownerEnv(t)
	e.sub.results = map[string]string{"owner:SellFromStock": `{"ownership":{"ownerNo":1}}`}
	claim, _, _ := o.claimBody(t, ownerVIN, testClaimCode)
	grantText, grantSig := o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
		"purpose": "usage-based-insurance", "scopes": "driving"})
	revokeText, revokeSig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
	eraseText, eraseSig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	saleText, saleSig := o.sign(t, ownerVIN, statement.ReleaseSale, map[string]string{"buyer": "claim:" + strings.Repeat("c", 64), "odometerKm": "5"})
	for _, step := range []struct{ client, path, body string }{
		{"", "/v1/owner/vehicles/" + ownerVIN + "/claim", claim},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/grants", envelope(grantText, grantSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/revocations", envelope(revokeText, revokeSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/erasures", envelope(eraseText, eraseSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/sale", fmt.Sprintf(`{"statement":%q,"signature":%q,"saleDate":"2026-05-01T00:00:00Z","useType":"private","claimSalt":%q}`,
			saleText, saleSig, testSalt)},
		{"dms", "/v1/vehicles/" + ownerVIN + "/sales", `{"saleDate":"2026-01-01T00:00:00Z","odometerKm":5,"useType":"private","ownerRef":"dlr1:cust-0001","ownerSalt":"` + testSalt + `"}`},
		{"tel", "/v1/consents/" + ownerVIN + "/" + grantID + "/shares/driving", `{"km":1200}`},
		{"erp", "/v1/consents/" + ownerVIN + "/" + grantID + "/purges", ""},
	} {
		r := e.do("POST", step.path, step.client, step.body)
		require.Less(t, r.status, 300, "%s: %s", step.path, r.body)
	}
	functions := map[string]bool{}
	for _, req := range e.sub.reqs {
		functions[req.Function] = true
		carries := len(req.Transient) > 0 || slices.ContainsFunc(req.Args, func(a string) bool { return strings.Contains(a, statement.Domain) })
		assert.NotContains(t, req.Endorsers, "SupplierMSP", req.Function)
		if carries {
			assert.NotEmpty(t, req.Endorsers, "%s carries an owner's data: its endorsers must be chosen", req.Function)
		}
		for _, a := range req.Args {
			assert.NotContains(t, a, testClaimCode, req.Function)
			assert.NotContains(t, a, "cust-0001", req.Function)
		}
	}
	for _, f := range []string{"owner:Claim", "consent:Grant", "consent:Revoke", "consent:Purge", "owner:Erase", "owner:Sell",
		"owner:SellFromStock", "owner:LinkCustomer", "consent:Share"} {
		assert.True(t, functions[f], "control: %s was submitted", f)
	}
}

func TestClaimSendsTheCodeAsTransientAndAnswersTheFingerprint(t *testing.T) {
	o := newOwnerKey(t)
	e := ownerEnv(t)
	// As a person copies it: upper case, spaces for dashes, an O for a 0.
	typed := strings.ToUpper(strings.ReplaceAll(testClaimCode, "-", " "))
	typed = strings.Replace(typed, "X0QA", "XOQA", 1)
	body, _, _ := o.claimBody(t, ownerVIN, typed)
	r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", body)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	req := e.sub.reqs[0]
	assert.JSONEq(t, `{"code":"`+testClaimCode+`"}`, string(req.Transient[ownertypes.ClaimTransientKey]))
	assert.NotContains(t, req.Args[1], testClaimCode)
	var out api.OwnerTx
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.Equal(t, statement.FormatFingerprint(o.pub.Fingerprint()), out.KeyFingerprint)
	assert.Regexp(t, `^([0-9a-f]{4} ){15}[0-9a-f]{4}$`, out.KeyFingerprint)
	assert.NotContains(t, string(r.body), testClaimCode)
}

// A statement the chaincode must refuse is refused before any endorsement,
// with the chaincode's own codes: for another car, channel or action, not
// signed by the key a claim brings, or expired.
func TestStatementsThatCannotPassNeverReachFabric(t *testing.T) {
	o := newOwnerKey(t)
	other := newOwnerKey(t)
	path := "/v1/owner/vehicles/" + ownerVIN
	grant := map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z", "purpose": "ubi", "scopes": "driving"}
	otherVIN, _ := o.sign(t, "1HGCM82633A004352", statement.Grant, grant)
	_, sigOfOther := other.sign(t, ownerVIN, statement.Claim, map[string]string{"key": o.pub.Fingerprint()})
	claimText, _ := o.sign(t, ownerVIN, statement.Claim, map[string]string{"key": o.pub.Fingerprint()})
	expired := statement.Statement{Channel: testChannel, VIN: ownerVIN, Action: statement.Claim, Params: map[string]string{"key": o.pub.Fingerprint()},
		Nonce: randomHex(t, 16), Expires: time.Now().UTC().Add(-time.Minute).Truncate(time.Second)}
	expiredText, err := expired.Encode()
	require.NoError(t, err)
	expiredSig, err := ownerclient.Sign(o.k, expiredText)
	require.NoError(t, err)
	onOtherChannel := statement.Statement{Channel: "elsewhere", VIN: ownerVIN, Action: statement.Revoke, Params: map[string]string{"grant": grantID},
		Nonce: randomHex(t, 16), Expires: time.Now().UTC().Add(time.Minute).Truncate(time.Second)}
	otherChannelText, err := onOtherChannel.Encode()
	require.NoError(t, err)
	revokeText, revokeSig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})

	for _, tc := range []struct {
		name, route, body string
		status            int
		code, field       string
	}{
		{"another VIN", "/grants", envelope(otherVIN, "AAAA"), 422, "STATEMENT_MISMATCH", "statement.vin"},
		{"another channel", "/revocations", envelope(string(otherChannelText), "AAAA"), 422, "STATEMENT_MISMATCH", "statement.channel"},
		{"another action", "/grants", envelope(revokeText, revokeSig), 422, "STATEMENT_MISMATCH", "statement.action"},
		{"not the claim's key", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki(), "claimCode", testClaimCode), 403, "OWNER_SIGNATURE_INVALID", ""},
		{"expired", "/claim", envelope(string(expiredText), base64.StdEncoding.EncodeToString(expiredSig), "publicKey", o.spki(), "claimCode", testClaimCode),
			409, "STATEMENT_EXPIRED", ""},
		{"not a statement", "/erasures", envelope("hello", "AAAA"), 422, "INVALID_ARGUMENT", "statement.domain"},
		{"a claim without its key", "/claim", envelope(claimText, sigOfOther, "claimCode", testClaimCode), 422, "INVALID_ARGUMENT", "publicKey"},
		{"a short claim code", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki(), "claimCode", "k3m9"), 422, "INVALID_ARGUMENT", "claimCode"},
		{"not a P-256 key", "/claim", envelope(claimText, sigOfOther, "publicKey", "AAAA", "claimCode", testClaimCode), 422, "INVALID_ARGUMENT", "publicKey"},
	} {
		e := ownerEnv(t)
		r := e.do("POST", path+tc.route, "", tc.body)
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
		p := r.problem(t)
		assert.Equal(t, tc.code, p.Code, tc.name)
		if tc.field != "" {
			require.NotEmpty(t, p.Errors, tc.name)
			assert.Equal(t, tc.field, p.Errors[0].Field, tc.name)
		}
		assert.Empty(t, e.sub.reqs, "%s reached Fabric", tc.name)
	}
	e := ownerEnv(t)
	r := e.do("POST", "/v1/owner/vehicles/1G4AH59H45G11834X/claim", "", "{}")
	assert.Equal(t, string(ccerr.VINInvalid), r.problem(t).Code)
}

// The chaincode's refusals reach the owner with their codes and statuses.
func TestOwnerRefusalsKeepTheChaincodeCodes(t *testing.T) {
	o := newOwnerKey(t)
	for code, status := range map[ccerr.Code]int{ccerr.ClaimCodeInvalid: 403, ccerr.NonceReused: 409, ccerr.OwnerSignatureInvalid: 403,
		ccerr.OwnerReleaseRequired: 409, ccerr.StatementExpired: 409, ccerr.ConsentRequired: 403} {
		e := ownerEnv(t)
		e.sub.err = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(code, "refused")}
		body, _, _ := o.claimBody(t, ownerVIN, testClaimCode)
		r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", body)
		assert.Equal(t, status, r.status, code)
		assert.Equal(t, string(code), r.problem(t).Code)
	}
}

func TestChallengeIsFreshAndShort(t *testing.T) {
	e := ownerEnv(t)
	var seen []string
	for range 2 {
		r := e.do("POST", "/v1/owner/challenges", "", `{"vin":"`+ownerVIN+`","action":"grant"}`)
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		var ch api.Challenge
		require.NoError(t, json.Unmarshal(r.body, &ch))
		assert.Equal(t, api.Challenge{Domain: statement.Domain, Channel: testChannel, VIN: ownerVIN, Action: "grant", Nonce: ch.Nonce, Expires: ch.Expires}, ch)
		assert.Regexp(t, `^[0-9a-f]{32}$`, ch.Nonce)
		exp, err := time.Parse(statement.TimeLayout, ch.Expires)
		require.NoError(t, err, "the expiry is in the statement's own time form")
		assert.WithinRange(t, exp, time.Now().Add(9*time.Minute), time.Now().Add(11*time.Minute))
		assert.NotContains(t, seen, ch.Nonce)
		seen = append(seen, ch.Nonce)
	}
	r := e.do("POST", "/v1/owner/challenges", "", `{"vin":"`+ownerVIN+`","action":"move-points"}`)
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "action", r.problem(t).Errors[0].Field)
	assert.Empty(t, e.sub.reqs)
	assert.Empty(t, e.ledger.calls)
}

// The owner endpoints are limited per client address, whatever the
// request; partners' credentials are limited apart and not slowed.
func TestOwnerRequestsAreLimitedPerAddress(t *testing.T) {
	e := ownerEnv(t, config.Owner{RequestsPerMinute: 0.001, Burst: 3})
	for range 3 {
		assert.Equal(t, http.StatusOK, e.do("GET", "/v1/owner/vehicles/"+ownerVIN, "", "").status)
	}
	r := e.do("POST", "/v1/owner/challenges", "", `{"vin":"`+ownerVIN+`","action":"claim"}`)
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, api.CodeRateLimited, r.problem(t).Code)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/"+ownerVIN, "erp", "").status, "partner routes are limited per client")
}

func TestOwnerBodiesAreCappedApart(t *testing.T) {
	e := ownerEnv(t, config.Owner{BodyBytes: 200})
	o := newOwnerKey(t)
	body, _, _ := o.claimBody(t, ownerVIN, testClaimCode)
	r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Empty(t, e.sub.reqs)
}

// A gateway relays as its configured org, else as the first served org
// with the owner-services role; one that holds no such identity answers
// 503 and names why, before anything reaches Fabric.
func TestOwnerRelay(t *testing.T) {
	ledger := &fakeLedger{evalOut: []byte(`{"vin":"` + ownerVIN + `","ownerCount":0,"ownerships":[]}`), ready: true,
		out: map[string][]byte{"consent:List": []byte(`{"vin":"` + ownerVIN + `","grants":[]}`)}, notServed: []string{"OemMSP", "SupplierMSP"}}
	e := newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, ledger)
	r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN, "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, []string{"DealerMSP owner:Get " + ownerVIN, "DealerMSP consent:List " + ownerVIN}, ledger.calls, "the first served relay org")
	assert.JSONEq(t, `{"vin":"`+ownerVIN+`","ownerCount":0,"ownerships":[],"grants":[]}`, string(r.body))

	for _, tc := range []struct {
		relay     string
		notServed []string
		detail    string
	}{
		{"InsurerMSP", []string{"InsurerMSP"}, "InsurerMSP's owner-services identity"},
		{"", []string{"OemMSP", "DealerMSP", "InsurerMSP"}, "serves no org with the owner-services role"},
	} {
		ledger := &fakeLedger{ready: true, notServed: tc.notServed}
		e := newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits, Owner: config.Owner{RelayOrg: tc.relay}}, ledger)
		for _, path := range []string{"/v1/owner/vehicles/" + ownerVIN, "/v1/owner/challenges"} {
			method := "GET"
			if strings.HasSuffix(path, "challenges") {
				method = "POST"
			}
			r := e.do(method, path, "", `{"vin":"`+ownerVIN+`","action":"claim"}`)
			assert.Equal(t, http.StatusServiceUnavailable, r.status, path)
			p := r.problem(t)
			assert.Equal(t, api.CodeOwnerRelayUnavailable, p.Code)
			assert.Contains(t, p.Detail, tc.detail)
		}
		assert.Empty(t, ledger.calls)
		assert.Empty(t, e.sub.reqs)
	}
}

// All owners share the relay's principal, so an Idempotency-Key is not
// honoured on owner routes: one owner's key never replays another's answer.
func TestOwnerRoutesIgnoreIdempotencyKeys(t *testing.T) {
	e := ownerEnv(t)
	a, b := newOwnerKey(t), newOwnerKey(t)
	bodyA, _, _ := a.claimBody(t, ownerVIN, testClaimCode)
	bodyB, _, _ := b.claimBody(t, ownerVIN, testClaimCode)
	ra := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", bodyA, "Idempotency-Key", "same")
	rb := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", bodyB, "Idempotency-Key", "same")
	assert.Equal(t, http.StatusOK, ra.status)
	assert.Equal(t, http.StatusOK, rb.status)
	assert.Empty(t, rb.header.Get("Idempotent-Replayed"))
	assert.Len(t, e.sub.reqs, 2)
}

// A revocation purges the grantee's copies at once: consent:Purge
// endorsed by the holder alone, submitted as a member of the share
// collection (the relay when it is one, else the holder).
func TestRevocationPurgesThroughTheHolder(t *testing.T) {
	o := newOwnerKey(t)
	for _, tc := range []struct {
		relay, purger string
	}{{"OemMSP", "OemMSP"}, {"DealerMSP", "OemMSP"}} {
		e := ownerEnv(t, config.Owner{RelayOrg: tc.relay})
		text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
		r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/revocations", "", envelope(text, sig))
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		require.Len(t, e.sub.reqs, 2)
		assert.Equal(t, "consent:Revoke", e.sub.reqs[0].Function)
		assert.Equal(t, tc.relay, e.sub.reqs[0].Principal.Org)
		purge := e.sub.reqs[1]
		assert.Equal(t, "consent:Purge", purge.Function)
		assert.Equal(t, []string{ownerVIN, grantID}, purge.Args)
		assert.Equal(t, []string{"OemMSP"}, purge.Endorsers)
		assert.Equal(t, auth.Principal{Client: "owner-relay", Org: tc.purger, Role: "owner-services"}, purge.Principal)
		var out api.OwnerTx
		require.NoError(t, json.Unmarshal(r.body, &out))
		require.NotNil(t, out.Purge)
		assert.Equal(t, api.FollowupCommitted, out.Purge.Status)
		assert.Equal(t, "txc", out.Purge.TransactionID)
	}

	// A failed purge does not undo the revocation, and says so.
	e := ownerEnv(t)
	e.sub.fail = map[string]error{"consent:Purge": &fabric.Error{Kind: fabric.Unavailable}}
	text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
	r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/revocations", "", envelope(text, sig))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var out api.OwnerTx
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.Equal(t, "committed", out.Status)
	assert.Equal(t, api.FollowupFailed, out.Purge.Status)
	assert.Equal(t, api.CodeUnavailable, out.Purge.Code)

	// A refused revocation purges nothing.
	e = ownerEnv(t)
	e.sub.fail = map[string]error{"consent:Revoke": &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.OwnerSignatureInvalid, "no")}}
	text, sig = o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
	r = e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/revocations", "", envelope(text, sig))
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.Len(t, e.sub.reqs, 1)
}

// syncBuffer is a log sink the server's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedEnv is ownerEnv whose log, at debug level, is returned.
func loggedEnv(t *testing.T) (*env, *syncBuffer) {
	var logs syncBuffer
	d := api.Deps{Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Limits: config.Default().Limits}
	return newEnvWith(t, d, ownerLedger()), &logs
}

// A claim logs its statement's ID, and none of the claim code, the
// signature, the public key or the statement's text (nonce included),
// whether it is relayed, refused by the chaincode, or refused at once.
func TestClaimLogsNoSecretOfTheOwner(t *testing.T) {
	o := newOwnerKey(t)
	e, logs := loggedEnv(t)
	var secrets []string
	var ids []string
	send := func(body, text, sig string) {
		secrets = append(secrets, sig, o.spki(), text, strings.Split(strings.Split(text, "nonce=")[1], "\n")[0])
		ids = append(ids, statement.ID([]byte(text)))
		e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", body)
	}
	send(o.claimBody(t, ownerVIN, testClaimCode))
	e.sub.err = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.ClaimCodeInvalid, "the claim code does not match")}
	send(o.claimBody(t, ownerVIN, testClaimCode))
	e.sub.err = &fabric.Error{Kind: fabric.Internal, Err: fmt.Errorf("peer said no")}
	send(o.claimBody(t, ownerVIN, testClaimCode))
	e.sub.err = nil
	body, text, sig := o.claimBody(t, ownerVIN, "k3m9")
	secrets = append(secrets, sig, text)
	e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/claim", "", body)

	out := logs.String()
	require.Contains(t, out, "/v1/owner/vehicles/:vin/claim", "control: the requests were logged")
	require.Contains(t, out, "peer said no", "control: the internal error was logged")
	for _, id := range ids {
		assert.Contains(t, out, id, "the statement's ID is what identifies it in the log")
	}
	for _, s := range append(secrets, testClaimCode, "k3m9", o.pub.Fingerprint()) {
		assert.NotContains(t, out, s)
	}
	// The text as JSON escapes it, line by line.
	assert.NotContains(t, out, "action=claim")
	assert.Equal(t, 0, len(regexp.MustCompile(`"claimCode"|"signature"|"publicKey"`).FindAllString(out, -1)))
}

// The REST bodies restate some fields of the chaincode's requests, flat:
// their JSON names and rules are the chaincode's own.
func TestRESTBodiesKeepTheChaincodesRules(t *testing.T) {
	same := func(rest, chaincode any, fields ...string) {
		for _, name := range fields {
			a, ok := reflect.TypeOf(rest).FieldByName(name)
			require.True(t, ok, "%T.%s", rest, name)
			b, ok := reflect.TypeOf(chaincode).FieldByName(name)
			require.True(t, ok, "%T.%s", chaincode, name)
			assert.Equal(t, b.Tag.Get("json"), a.Tag.Get("json"), "%T.%s", rest, name)
			assert.Equal(t, b.Tag.Get("validate"), a.Tag.Get("validate"), "%T.%s", rest, name)
		}
	}
	same(api.OwnerSaleBody{}, ownertypes.SellRequest{}, "SaleDate", "UseType", "ClaimSalt", "BuyerPublicKey")
	same(api.DealerSaleBody{}, ownertypes.SaleRequest{}, "SaleDate", "OdometerKm", "UseType")
	code, _ := reflect.TypeOf(api.ClaimBody{}).FieldByName("ClaimCode")
	want, _ := reflect.TypeOf(ownertypes.ClaimTransient{}).FieldByName("Code")
	assert.Equal(t, want.Tag.Get("validate"), code.Tag.Get("validate"))
}

// An erasure purges the owners collection, which only the OEM's and the
// dealer's clients may write: an insurer relay hands it to one of them,
// and a gateway with neither answers 503.
func TestErasureIsRelayedByAnOwnersMember(t *testing.T) {
	o := newOwnerKey(t)
	e := ownerEnv(t, config.Owner{RelayOrg: "InsurerMSP"})
	text, sig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	r := e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/erasures", "", envelope(text, sig))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, auth.Principal{Client: "owner-relay", Org: "OemMSP", Role: "owner-services"}, e.sub.reqs[0].Principal)

	ledger := ownerLedger()
	ledger.notServed = []string{"OemMSP", "DealerMSP", "SupplierMSP"}
	e = newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, ledger)
	text, sig = o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	r = e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/erasures", "", envelope(text, sig))
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, api.CodeOwnerRelayUnavailable, r.problem(t).Code)
	assert.Empty(t, e.sub.reqs)

	text, sig = o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
		"purpose": "usage-based-insurance", "scopes": "driving"})
	r = e.do("POST", "/v1/owner/vehicles/"+ownerVIN+"/grants", "", envelope(text, sig))
	require.Equal(t, http.StatusCreated, r.status, "the insurer relays a grant: %s", r.body)
	assert.Equal(t, "InsurerMSP", e.sub.reqs[0].Principal.Org)
}

// A gateway that was not told its channel relays no statement: every
// statement names one.
func TestOwnerRoutesNeedTheChannel(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "gw.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	s := api.New(api.Deps{Log: slog.New(slog.DiscardHandler), Auth: &auth.Authenticator{}, Ledger: ownerLedger(), Submitter: &fakeSubmitter{st: st},
		Store: st, Limits: config.Default().Limits})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	r := send(t, "POST", srv.URL+"/v1/owner/challenges", `{"vin":"`+ownerVIN+`","action":"claim"}`)
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Contains(t, string(r.body), api.CodeOwnerRelayUnavailable)
}
