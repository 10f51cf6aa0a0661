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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
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

// testClaim is the claim key of the car awaiting its claim in these tests.
var testClaim = func() ownerclient.ClaimCode {
	c, err := ownerclient.NewClaimCode()
	if err != nil {
		panic(err)
	}
	return c
}()

// claimBody is o's claim of vin: the statement naming o's key, signed by
// o's key and by the claim key of code.
func (o ownerKey) claimBody(t *testing.T, vin string, code ownerclient.ClaimCode) (body, text, sig string) {
	text, sig = o.sign(t, vin, statement.Claim, map[string]string{"key": o.pub.Fingerprint()})
	claimSig, err := ownerclient.Sign(code.Key, []byte(text))
	require.NoError(t, err)
	return envelope(text, sig, "publicKey", o.spki(), "claimSignature", base64.StdEncoding.EncodeToString(claimSig)), text, sig
}

// saleParams are a release-sale's parameters to buyer, sold an hour ago.
func saleParams(buyer string) map[string]string {
	return map[string]string{"buyer": buyer, "odometerKm": "41000", "saleDate": statement.FormatTime(time.Now().Add(-time.Hour)), "useType": "private"}
}

// jsonUnmarshal is json.Unmarshal, for tests that name a variable json.
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// post sends an owner POST as a device does: JSON, no credential.
func (e *env) post(path, body string, headers ...string) resp {
	e.t.Helper()
	return e.do("POST", path, "", body, append([]string{"Content-Type", "application/json"}, headers...)...)
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
// statement as the chaincode's envelope. None pins its endorsers (the
// statements carry no secret, and a pinned org could veto every owner)
// except a revocation: a majority of the members without the grantee, so
// that the grantee cannot veto the end of its own grant.
func TestOwnerRoutesRelayTheStatementToTheirFunction(t *testing.T) {
	o := newOwnerKey(t)
	buyer := newOwnerKey(t)
	for _, tc := range []struct {
		path, function string
		body           func() (body, text, sig string)
		status         int
		endorsers      []string
	}{
		{"claim", "owner:Claim", func() (string, string, string) { return o.claimBody(t, ownerVIN, testClaim) }, http.StatusOK, nil},
		{"sale", "owner:Sell", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.ReleaseSale, saleParams("key:"+buyer.pub.Fingerprint()))
			body := fmt.Sprintf(`{"statement":%q,"signature":%q,"buyerPublicKey":%q}`, text, sig, buyer.spki())
			return body, text, sig
		}, http.StatusCreated, nil},
		{"grants", "consent:Grant", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
				"purpose": "usage-based-insurance", "scopes": "driving"})
			return envelope(text, sig), text, sig
		}, http.StatusCreated, nil},
		{"revocations", "consent:Revoke", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
			return envelope(text, sig), text, sig
		}, http.StatusCreated, []string{"OemMSP", "SupplierMSP", "DealerMSP"}},
		{"erasures", "owner:Erase", func() (string, string, string) {
			text, sig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
			return envelope(text, sig), text, sig
		}, http.StatusCreated, nil},
	} {
		e := ownerEnv(t)
		body, text, sig := tc.body()
		r := e.post("/v1/owner/vehicles/"+ownerVIN+"/"+tc.path, body)
		require.Equal(t, tc.status, r.status, "%s: %s", tc.path, r.body)
		require.NotEmpty(t, e.sub.reqs, tc.path)
		req := e.sub.reqs[0]
		assert.Equal(t, tc.function, req.Function, tc.path)
		assert.Equal(t, relay, req.Principal, tc.path)
		assert.Equal(t, tc.endorsers, req.Endorsers, tc.path)
		assert.Empty(t, req.Transient, tc.path)
		require.Len(t, req.Args, 2, tc.path)
		assert.Equal(t, ownerVIN, req.Args[0], tc.path)
		var env ownertypes.StatementEnvelope
		if tc.path == "sale" {
			var sell ownertypes.SellRequest
			require.NoError(t, json.Unmarshal([]byte(req.Args[1]), &sell))
			assert.Equal(t, buyer.spki(), sell.BuyerPublicKey)
			env = sell.Envelope
		} else {
			require.NoError(t, json.Unmarshal([]byte(req.Args[1]), &env), tc.path)
		}
		assert.Equal(t, text, env.Statement, tc.path)
		assert.Equal(t, sig, env.Signature, tc.path)
	}
}

// A revocation's endorsers are a majority of the members (3 of 4) and
// never the grant's grantee, whoever that is; the gateway reads the grant
// first, and a grant the car does not have is refused before any
// endorsement.
func TestRevocationEndorsersExcludeTheGrantee(t *testing.T) {
	o := newOwnerKey(t)
	for _, grantee := range access.Members {
		e := ownerEnv(t)
		e.ledger.out["consent:List"] = []byte(strings.Replace(grantListJSON(true, ""), `"InsurerMSP"`, `"`+grantee+`"`, 1))
		text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
		r := e.post("/v1/owner/vehicles/"+ownerVIN+"/revocations", envelope(text, sig))
		require.Equal(t, http.StatusCreated, r.status, "%s: %s", grantee, r.body)
		revoke := e.sub.reqs[0]
		require.Equal(t, "consent:Revoke", revoke.Function)
		assert.Len(t, revoke.Endorsers, len(access.Members)/2+1, grantee)
		assert.NotContains(t, revoke.Endorsers, grantee)
		for _, org := range revoke.Endorsers {
			assert.Contains(t, access.Members, org)
		}
	}

	e := ownerEnv(t)
	text, sig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": strings.Repeat("e", 64)})
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/revocations", envelope(text, sig))
	assert.Equal(t, http.StatusNotFound, r.status, string(r.body))
	assert.Empty(t, e.sub.reqs)
}

// Private data reaches only its collection's endorsers: the dealer's
// customer reference the dealer's peer, shared data the holder's. No
// request carries a claim code or the customer reference in its public
// arguments, and owner statements, which hold no secret, are left to
// Fabric's plan except a revocation, which the supplier may endorse.
func TestPrivateDataReachesOnlyItsCollectionsEndorsers(t *testing.T) {
	o := newOwnerKey(t)
	buyerClaim, err := ownerclient.NewClaimCode()
	require.NoError(t, err)
	e := ownerEnv(t)
	e.sub.results = map[string]string{"owner:SellFromStock": `{"ownership":{"ownerNo":1}}`}
	claim, _, _ := o.claimBody(t, ownerVIN, testClaim)
	grantText, grantSig := o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
		"purpose": "usage-based-insurance", "scopes": "driving"})
	revokeText, revokeSig := o.sign(t, ownerVIN, statement.Revoke, map[string]string{"grant": grantID})
	eraseText, eraseSig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	saleText, saleSig := o.sign(t, ownerVIN, statement.ReleaseSale, saleParams("claim:"+buyerClaim.Fingerprint()))
	json := []string{"Content-Type", "application/json"}
	var dealerCode string
	for _, step := range []struct{ client, path, body string }{
		{"", "/v1/owner/vehicles/" + ownerVIN + "/claim", claim},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/grants", envelope(grantText, grantSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/revocations", envelope(revokeText, revokeSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/erasures", envelope(eraseText, eraseSig)},
		{"", "/v1/owner/vehicles/" + ownerVIN + "/sale", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q}`,
			saleText, saleSig, buyerClaim.PublicKeyBase64())},
		{"dms", "/v1/vehicles/" + ownerVIN + "/sales", `{"saleDate":"2026-01-01T00:00:00Z","odometerKm":5,"useType":"private","ownerRef":"dlr1:cust-0001","ownerSalt":"` + testSalt + `"}`},
		{"tel", "/v1/consents/" + ownerVIN + "/" + grantID + "/shares/driving", `{"km":1200}`},
		{"erp", "/v1/consents/" + ownerVIN + "/" + grantID + "/purges", ""},
	} {
		r := e.do("POST", step.path, step.client, step.body, json...)
		require.Less(t, r.status, 300, "%s: %s", step.path, r.body)
		if step.client == "dms" {
			var out api.DealerSale
			require.NoError(t, jsonUnmarshal(r.body, &out))
			dealerCode = out.ClaimCode
		}
	}
	require.NotEmpty(t, dealerCode)
	functions := map[string]bool{}
	for _, req := range e.sub.reqs {
		functions[req.Function] = true
		switch req.Function {
		case "owner:LinkCustomer":
			assert.Equal(t, []string{"DealerMSP"}, req.Endorsers)
		case "consent:Share", "consent:Purge":
			assert.Equal(t, []string{"OemMSP"}, req.Endorsers, req.Function)
		case "consent:Revoke":
			assert.NotContains(t, req.Endorsers, "InsurerMSP")
		default:
			assert.Empty(t, req.Transient, req.Function)
			assert.Nil(t, req.Endorsers, "%s: Fabric chooses", req.Function)
		}
		for _, a := range req.Args {
			for _, code := range []string{testClaim.Code, buyerClaim.Code, dealerCode} {
				assert.NotContains(t, strings.ReplaceAll(a, "-", ""), strings.ReplaceAll(code, "-", ""), req.Function)
			}
			assert.NotContains(t, a, "cust-0001", req.Function)
		}
	}
	for _, f := range []string{"owner:Claim", "consent:Grant", "consent:Revoke", "consent:Purge", "owner:Erase", "owner:Sell",
		"owner:SellFromStock", "owner:LinkCustomer", "consent:Share"} {
		assert.True(t, functions[f], "control: %s was submitted", f)
	}
}

// A claim relays the envelope with both signatures and no transient data,
// and answers the bound key's fingerprint.
func TestClaimRelaysTheClaimSignatureAndAnswersTheFingerprint(t *testing.T) {
	o := newOwnerKey(t)
	e := ownerEnv(t)
	body, _, _ := o.claimBody(t, ownerVIN, testClaim)
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", body)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	req := e.sub.reqs[0]
	assert.Empty(t, req.Transient)
	var sent, env ownertypes.StatementEnvelope
	require.NoError(t, jsonUnmarshal([]byte(body), &sent))
	require.NoError(t, jsonUnmarshal([]byte(req.Args[1]), &env))
	assert.Equal(t, sent, env, "the envelope as the owner signed it: statement, key and both signatures")
	assert.NotEmpty(t, env.ClaimSignature)
	var out api.OwnerTx
	require.NoError(t, jsonUnmarshal(r.body, &out))
	assert.Equal(t, statement.FormatFingerprint(o.pub.Fingerprint()), out.KeyFingerprint)
	assert.Regexp(t, `^([0-9a-f]{4} ){15}[0-9a-f]{4}$`, out.KeyFingerprint)
}

// A sale's buyer key is held to the statement's buyer before any
// endorsement: the kind of key its party takes, with its fingerprint.
func TestSaleBuyerKeyMustBeTheStatementsBuyer(t *testing.T) {
	o, buyer, other := newOwnerKey(t), newOwnerKey(t), newOwnerKey(t)
	keyText, keySig := o.sign(t, ownerVIN, statement.ReleaseSale, saleParams("key:"+buyer.pub.Fingerprint()))
	claimText, claimSig := o.sign(t, ownerVIN, statement.ReleaseSale, saleParams("claim:"+testClaim.Fingerprint()))
	for _, tc := range []struct {
		name, body  string
		status      int
		code, field string
	}{
		{"another buyer key", fmt.Sprintf(`{"statement":%q,"signature":%q,"buyerPublicKey":%q}`, keyText, keySig, other.spki()), 422, "STATEMENT_MISMATCH", "buyerPublicKey"},
		{"a claim key for a key buyer", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q}`, keyText, keySig, buyer.spki()), 422, "INVALID_ARGUMENT", "buyerPublicKey"},
		{"another claim key", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q}`, claimText, claimSig, other.spki()), 422, "STATEMENT_MISMATCH", "claimPublicKey"},
		{"no key", fmt.Sprintf(`{"statement":%q,"signature":%q}`, claimText, claimSig), 422, "INVALID_ARGUMENT", "claimPublicKey"},
		{"both keys", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q,"buyerPublicKey":%q}`, claimText, claimSig, testClaim.PublicKeyBase64(), buyer.spki()),
			422, "INVALID_ARGUMENT", "buyerPublicKey"},
		{"the sale facts outside the statement", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q,"saleDate":"2026-01-01T00:00:00Z"}`,
			claimText, claimSig, testClaim.PublicKeyBase64()), 422, "INVALID_ARGUMENT", "saleDate"},
	} {
		e := ownerEnv(t)
		r := e.post("/v1/owner/vehicles/"+ownerVIN+"/sale", tc.body)
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
		p := r.problem(t)
		assert.Equal(t, tc.code, p.Code, tc.name)
		require.NotEmpty(t, p.Errors, tc.name)
		assert.Equal(t, tc.field, p.Errors[0].Field, tc.name)
		assert.Empty(t, e.sub.reqs, tc.name)
	}
	e := ownerEnv(t)
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/sale", fmt.Sprintf(`{"statement":%q,"signature":%q,"claimPublicKey":%q}`, claimText, claimSig, testClaim.PublicKeyBase64()))
	require.Equal(t, http.StatusCreated, r.status, "control: %s", r.body)
}

// Every owner POST must declare JSON: a cross-site page's no-cors fetch,
// which can only send form or text types, is refused 415 before anything
// is read or relayed.
func TestOwnerPostsRequireJSON(t *testing.T) {
	o := newOwnerKey(t)
	claim, _, _ := o.claimBody(t, ownerVIN, testClaim)
	for _, path := range []string{"/v1/owner/challenges", "/v1/owner/vehicles/" + ownerVIN + "/claim", "/v1/owner/vehicles/" + ownerVIN + "/sale",
		"/v1/owner/vehicles/" + ownerVIN + "/grants", "/v1/owner/vehicles/" + ownerVIN + "/revocations", "/v1/owner/vehicles/" + ownerVIN + "/erasures"} {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1"} {
			e := ownerEnv(t)
			var headers []string
			if ct != "" {
				headers = []string{"Content-Type", ct}
			}
			r := e.do("POST", path, "", claim, headers...)
			assert.Equal(t, http.StatusUnsupportedMediaType, r.status, "%s %q", path, ct)
			assert.Equal(t, api.CodeMediaType, r.problem(t).Code)
			assert.Empty(t, e.sub.reqs)
			assert.Empty(t, e.ledger.calls)
		}
	}
	e := ownerEnv(t)
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", claim, "Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, http.StatusOK, r.status, "control: %s", r.body)
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/owner/vehicles/"+ownerVIN, "", "").status, "a GET has no body to declare")
}

// The anonymous view of a car tells how an ownership ended only as sale or
// transfer, and an open exception only as open: its kind, evidence and
// proposer are the members'.
func TestAnonymousViewKeepsExceptionsToTheMembers(t *testing.T) {
	e := ownerEnv(t)
	e.ledger.out["owner:Get"] = []byte(`{"vin":"` + ownerVIN + `","ownerCount":3,` +
		`"current":{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":3,"status":"awaiting-claim","since":"2026-03-01T00:00:00Z","soldBy":"OemMSP","saleDate":"2026-03-01T00:00:00Z","previousKeys":[]},` +
		`"ownerships":[` +
		`{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":1,"status":"ended","since":"2026-01-01T00:00:00Z","soldBy":"DealerMSP","saleDate":"2026-01-01T00:00:00Z","previousKeys":[],"endedAt":"2026-02-01T00:00:00Z","endedBy":"sale"},` +
		`{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":2,"status":"ended","since":"2026-02-01T00:00:00Z","soldBy":"DealerMSP","saleDate":"2026-02-01T00:00:00Z","previousKeys":[],"endedAt":"2026-03-01T00:00:00Z","endedBy":"repossession"},` +
		`{"schemaVersion":1,"vin":"` + ownerVIN + `","ownerNo":3,"status":"awaiting-claim","since":"2026-03-01T00:00:00Z","soldBy":"OemMSP","saleDate":"2026-03-01T00:00:00Z","previousKeys":[]}],` +
		`"openException":{"schemaVersion":1,"id":"ex1","vin":"` + ownerVIN + `","ownerNo":3,"kind":"court-order","evidenceHash":"` + strings.Repeat("d", 64) + `",` +
		`"claimPublicKey":"k","claimFingerprint":"` + strings.Repeat("f", 64) + `","proposedBy":"InsurerMSP","proposedAt":"2026-03-02T00:00:00Z",` +
		`"expiresAt":"2026-04-01T00:00:00Z","approvals":[{"msp":"InsurerMSP","at":"2026-03-02T00:00:00Z"}],"required":3,"status":"open"}}`)
	r := e.do("GET", "/v1/owner/vehicles/"+ownerVIN, "", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out api.OwnerVehicle
	require.NoError(t, jsonUnmarshal(r.body, &out))
	assert.Equal(t, []string{"sale", "transfer", ""}, []string{out.Ownerships[0].EndedBy, out.Ownerships[1].EndedBy, out.Ownerships[2].EndedBy})
	assert.Equal(t, &api.OpenException{Status: "open"}, out.Exception)
	assert.Equal(t, 3, out.OwnerCount)
	require.NotNil(t, out.Current)
	assert.Equal(t, 3, out.Current.OwnerNo)
	for _, secret := range []string{"repossession", "court-order", strings.Repeat("d", 64), "proposedBy", "approvals"} {
		assert.NotContains(t, string(r.body), secret)
	}
	assert.Len(t, out.Grants, 1, "control: the grants are shown")
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
	claimSigRaw, err := ownerclient.Sign(testClaim.Key, []byte(claimText))
	require.NoError(t, err)
	claimSig := base64.StdEncoding.EncodeToString(claimSigRaw)

	for _, tc := range []struct {
		name, route, body string
		status            int
		code, field       string
	}{
		{"another VIN", "/grants", envelope(otherVIN, "AAAA"), 422, "STATEMENT_MISMATCH", "statement.vin"},
		{"another channel", "/revocations", envelope(string(otherChannelText), "AAAA"), 422, "STATEMENT_MISMATCH", "statement.channel"},
		{"another action", "/grants", envelope(revokeText, revokeSig), 422, "STATEMENT_MISMATCH", "statement.action"},
		{"not the claim's key", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki(), "claimSignature", claimSig), 403, "OWNER_SIGNATURE_INVALID", ""},
		{"expired", "/claim", envelope(string(expiredText), base64.StdEncoding.EncodeToString(expiredSig), "publicKey", o.spki(), "claimSignature", claimSig),
			409, "STATEMENT_EXPIRED", ""},
		{"not a statement", "/erasures", envelope("hello", "AAAA"), 422, "INVALID_ARGUMENT", "statement.domain"},
		{"a claim without its key", "/claim", envelope(claimText, sigOfOther, "claimSignature", claimSig), 422, "INVALID_ARGUMENT", "publicKey"},
		{"a claim without the claim key's signature", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki()), 422, "INVALID_ARGUMENT", "claimSignature"},
		{"a short claim signature", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki(), "claimSignature", "AAAA"), 422, "INVALID_ARGUMENT", "claimSignature"},
		{"a claim code instead", "/claim", envelope(claimText, sigOfOther, "publicKey", o.spki(), "claimCode", testClaim.Code), 422, "INVALID_ARGUMENT", "claimCode"},
		{"a claim signature on a grant", "/grants", envelope(revokeText, revokeSig, "claimSignature", claimSig), 422, "INVALID_ARGUMENT", "claimSignature"},
		{"not a P-256 key", "/claim", envelope(claimText, sigOfOther, "publicKey", "AAAA", "claimSignature", claimSig), 422, "INVALID_ARGUMENT", "publicKey"},
	} {
		e := ownerEnv(t)
		r := e.post(path+tc.route, tc.body)
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
	r := e.post("/v1/owner/vehicles/1G4AH59H45G11834X/claim", "{}")
	assert.Equal(t, string(ccerr.VINInvalid), r.problem(t).Code)
}

// The chaincode's refusals reach the owner with their codes and statuses.
func TestOwnerRefusalsKeepTheChaincodeCodes(t *testing.T) {
	o := newOwnerKey(t)
	for code, status := range map[ccerr.Code]int{ccerr.ClaimCodeInvalid: 403, ccerr.NonceReused: 409, ccerr.OwnerSignatureInvalid: 403,
		ccerr.OwnerReleaseRequired: 409, ccerr.StatementExpired: 409, ccerr.ConsentRequired: 403} {
		e := ownerEnv(t)
		e.sub.err = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(code, "refused")}
		body, _, _ := o.claimBody(t, ownerVIN, testClaim)
		r := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", body)
		assert.Equal(t, status, r.status, code)
		assert.Equal(t, string(code), r.problem(t).Code)
	}
}

func TestChallengeIsFreshAndShort(t *testing.T) {
	e := ownerEnv(t)
	var seen []string
	for range 2 {
		r := e.post("/v1/owner/challenges", `{"vin":"`+ownerVIN+`","action":"grant"}`)
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
	r := e.post("/v1/owner/challenges", `{"vin":"`+ownerVIN+`","action":"move-points"}`)
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
	r := e.post("/v1/owner/challenges", `{"vin":"`+ownerVIN+`","action":"claim"}`)
	assert.Equal(t, http.StatusTooManyRequests, r.status)
	assert.Equal(t, api.CodeRateLimited, r.problem(t).Code)
	assert.NotEmpty(t, r.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, e.do("GET", "/v1/vehicles/"+ownerVIN, "erp", "").status, "partner routes are limited per client")
}

func TestOwnerBodiesAreCappedApart(t *testing.T) {
	e := ownerEnv(t, config.Owner{BodyBytes: 200})
	o := newOwnerKey(t)
	body, _, _ := o.claimBody(t, ownerVIN, testClaim)
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", body)
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
			r := e.do(method, path, "", `{"vin":"`+ownerVIN+`","action":"claim"}`, "Content-Type", "application/json")
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
	bodyA, _, _ := a.claimBody(t, ownerVIN, testClaim)
	bodyB, _, _ := b.claimBody(t, ownerVIN, testClaim)
	ra := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", bodyA, "Idempotency-Key", "same")
	rb := e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", bodyB, "Idempotency-Key", "same")
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
		r := e.post("/v1/owner/vehicles/"+ownerVIN+"/revocations", envelope(text, sig))
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
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/revocations", envelope(text, sig))
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
	r = e.post("/v1/owner/vehicles/"+ownerVIN+"/revocations", envelope(text, sig))
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

// An owner request logs its statement's ID, and none of the claim code,
// the signatures (the owner key's and the claim key's), the public key or
// the statement's text (nonce included), whether it is relayed, refused
// by the chaincode, or refused at once.
func TestOwnerRequestsLogNoSecretOfTheOwner(t *testing.T) {
	o, buyer := newOwnerKey(t), newOwnerKey(t)
	e, logs := loggedEnv(t)
	var secrets []string
	var ids []string
	claimSigOf := func(body string) string {
		var env ownertypes.StatementEnvelope
		require.NoError(t, jsonUnmarshal([]byte(body), &env))
		return env.ClaimSignature
	}
	send := func(body, text, sig string) {
		secrets = append(secrets, sig, o.spki(), text, strings.Split(strings.Split(text, "nonce=")[1], "\n")[0])
		if cs := claimSigOf(body); cs != "" {
			secrets = append(secrets, cs)
		}
		ids = append(ids, statement.ID([]byte(text)))
		e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", body)
	}
	send(o.claimBody(t, ownerVIN, testClaim))
	e.sub.err = &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.ClaimCodeInvalid, "the claim is not signed by the claim key")}
	send(o.claimBody(t, ownerVIN, testClaim))
	e.sub.err = &fabric.Error{Kind: fabric.Internal, Err: fmt.Errorf("peer said no")}
	send(o.claimBody(t, ownerVIN, testClaim))
	e.sub.err = nil
	// Refused at once: a claim code sent where it must not be, and a sale
	// whose buyer key is not the statement's.
	text, sig := o.sign(t, ownerVIN, statement.Claim, map[string]string{"key": o.pub.Fingerprint()})
	secrets = append(secrets, sig, text)
	e.post("/v1/owner/vehicles/"+ownerVIN+"/claim", envelope(text, sig, "publicKey", o.spki(), "claimCode", testClaim.Code))
	text, sig = o.sign(t, ownerVIN, statement.ReleaseSale, saleParams("key:"+buyer.pub.Fingerprint()))
	secrets = append(secrets, sig, text)
	e.post("/v1/owner/vehicles/"+ownerVIN+"/sale", fmt.Sprintf(`{"statement":%q,"signature":%q,"buyerPublicKey":%q}`, text, sig, o.spki()))

	out := logs.String()
	require.Contains(t, out, "/v1/owner/vehicles/:vin/claim", "control: the requests were logged")
	require.Contains(t, out, "/v1/owner/vehicles/:vin/sale", "control: the requests were logged")
	require.Contains(t, out, "peer said no", "control: the internal error was logged")
	for _, id := range ids {
		assert.Contains(t, out, id, "the statement's ID is what identifies it in the log")
	}
	for _, s := range append(secrets, testClaim.Code, strings.ReplaceAll(testClaim.Code, "-", ""), o.pub.Fingerprint()) {
		assert.NotContains(t, out, s)
	}
	// The text as JSON escapes it, line by line.
	assert.NotContains(t, out, "action=claim")
	assert.Empty(t, regexp.MustCompile(`"claimCode"|"signature"|"claimSignature"|"publicKey"`).FindAllString(out, -1))
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
	same(api.OwnerSaleBody{}, ownertypes.SellRequest{}, "ClaimPublicKey", "BuyerPublicKey")
	same(api.OwnerSaleBody{}, ownertypes.StatementEnvelope{}, "Statement", "Signature")
	same(api.StatementBody{}, ownertypes.StatementEnvelope{}, "Statement", "Signature", "PublicKey")
	same(api.ClaimBody{}, ownertypes.StatementEnvelope{}, "Statement", "Signature")
	same(api.DealerSaleBody{}, ownertypes.SaleRequest{}, "SaleDate", "OdometerKm", "UseType")
}

// An erasure purges the owners collection, which only the OEM's and the
// dealer's clients may write: an insurer relay hands it to one of them,
// and a gateway with neither answers 503.
func TestErasureIsRelayedByAnOwnersMember(t *testing.T) {
	o := newOwnerKey(t)
	e := ownerEnv(t, config.Owner{RelayOrg: "InsurerMSP"})
	text, sig := o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	r := e.post("/v1/owner/vehicles/"+ownerVIN+"/erasures", envelope(text, sig))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	assert.Equal(t, auth.Principal{Client: "owner-relay", Org: "OemMSP", Role: "owner-services"}, e.sub.reqs[0].Principal)

	ledger := ownerLedger()
	ledger.notServed = []string{"OemMSP", "DealerMSP", "SupplierMSP"}
	e = newEnvWith(t, api.Deps{Log: slog.New(slog.DiscardHandler), Limits: config.Default().Limits}, ledger)
	text, sig = o.sign(t, ownerVIN, statement.Erase, map[string]string{"ownerNo": "1"})
	r = e.post("/v1/owner/vehicles/"+ownerVIN+"/erasures", envelope(text, sig))
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Equal(t, api.CodeOwnerRelayUnavailable, r.problem(t).Code)
	assert.Empty(t, e.sub.reqs)

	text, sig = o.sign(t, ownerVIN, statement.Grant, map[string]string{"grantee": "InsurerMSP", "notAfter": "2026-12-30T00:00:00Z",
		"purpose": "usage-based-insurance", "scopes": "driving"})
	r = e.post("/v1/owner/vehicles/"+ownerVIN+"/grants", envelope(text, sig))
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
	r := send(t, "POST", srv.URL+"/v1/owner/challenges", `{"vin":"`+ownerVIN+`","action":"claim"}`, "Content-Type", "application/json")
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Contains(t, string(r.body), api.CodeOwnerRelayUnavailable)
}
