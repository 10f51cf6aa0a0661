package portal_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/portal"
)

// fakeOwnerAPI is a small stand-in for the gateway's /v1/owner endpoints
// and the ledger behind them, enough to run the portal's flows in a
// browser. It holds each statement to what the chaincode checks, with the
// chaincode's own package (statement.Check: canonical bytes, the P1363
// signature of the ledger's key, channel, VIN, action, expiry), the claim
// signature verified with the claim key the ownership awaits, the sale's
// facts read from the statement (sale date window, use type), the nonce
// ledger and consenttypes' liveness, so a flow that passes here proves
// that the script's bytes and signatures verify in Go.
type fakeOwnerAPI struct {
	t       *testing.T
	channel string

	mu       sync.Mutex
	cars     map[string]*fakeCar
	nonces   map[string]bool
	accepted []accepted // every statement that passed, in order
	posts    int        // every write request, passed or not
	// loseSaleAnswer makes the next sale's answer a gateway timeout after
	// the ledger recorded the sale, as when a relay's answer is lost.
	loseSaleAnswer bool
	// listed, when set, replaces a grant's record in the car's listing, as
	// a lying gateway would.
	listed func(consenttypes.Grant) consenttypes.Grant
	// hideClaimKey leaves the awaited claim key out of the car's listing,
	// so that the page cannot refuse a wrong code itself.
	hideClaimKey bool
}

type fakeCar struct {
	ownerships []ownertypes.Ownership
	grants     []consenttypes.Grant
	report     vehicletypes.Report
	battery    []vehicletypes.BatteryReport
}

type accepted struct {
	Action statement.Action
	ID     string
	Text   string
	Key    string // fingerprint of the key that signed
}

func newFakeOwnerAPI(t *testing.T) *fakeOwnerAPI {
	return &fakeOwnerAPI{t: t, channel: "autoledger", cars: map[string]*fakeCar{}, nonces: map[string]bool{}}
}

// sold puts a car on the fake ledger as a dealer's first sale does:
// ownership 1 awaiting the claim of the claim key's code.
func (f *fakeOwnerAPI) sold(vin string, claimKey *ecdsa.PrivateKey, report vehicletypes.Report, battery []vehicletypes.BatteryReport) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pub, err := statement.PublicKeyOf(claimKey)
	if err != nil {
		f.t.Fatal(err)
	}
	report.VIN = vin
	f.cars[vin] = &fakeCar{report: report, battery: battery, ownerships: []ownertypes.Ownership{{
		SchemaVersion: 1, VIN: vin, OwnerNo: 1, Status: ownertypes.StatusAwaitingClaim, Since: time.Now().UTC(),
		SoldBy: "DealerMSP", SaleDate: time.Now().UTC().Truncate(24 * time.Hour),
		ClaimPublicKey: base64.StdEncoding.EncodeToString(pub.SPKI()), ClaimFingerprint: pub.Fingerprint(),
		PreviousKeys: []ownertypes.PreviousKey{},
	}}}
}

// loseNextSaleAnswer arranges loseSaleAnswer.
func (f *fakeOwnerAPI) loseNextSaleAnswer() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loseSaleAnswer = true
}

// lie makes the car listing show each grant as change makes it.
func (f *fakeOwnerAPI) lie(change func(consenttypes.Grant) consenttypes.Grant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listed = change
}

// hideClaimKeys arranges hideClaimKey.
func (f *fakeOwnerAPI) hideClaimKeys(hide bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hideClaimKey = hide
}

func (f *fakeOwnerAPI) snapshot(vin string) fakeCar {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.cars[vin]
	return fakeCar{ownerships: slices.Clone(c.ownerships), grants: slices.Clone(c.grants)}
}

func (f *fakeOwnerAPI) statements() []accepted {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.accepted)
}

func (f *fakeOwnerAPI) writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts
}

// Handler serves the portal itself and the fake API, as one gateway does.
func (f *fakeOwnerAPI) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /portal", portal.Handler())
	mux.Handle("GET /portal/{file}", portal.Handler())
	mux.HandleFunc("POST /v1/owner/challenges", f.challenge)
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}", f.car(f.view))
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}/report", f.car(func(w http.ResponseWriter, _ *http.Request, c *fakeCar) {
		writeJSON(w, http.StatusOK, c.report)
	}))
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}/odometer.svg", f.car(func(w http.ResponseWriter, _ *http.Request, c *fakeCar) {
		portal.SetImageHeaders(w.Header())
		_, _ = w.Write(portal.OdometerSVG(c.report.Odometer.Timeline))
	}))
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}/battery.svg", f.car(func(w http.ResponseWriter, _ *http.Request, c *fakeCar) {
		portal.SetImageHeaders(w.Header())
		_, _ = w.Write(portal.BatterySVG(c.battery))
	}))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/claim", f.write(f.claim))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/grants", f.write(f.grant))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/revocations", f.write(f.revoke))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/sale", f.write(f.sale))
	return mux
}

type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers err as the gateway would: a ccerr code and its status.
func fail(w http.ResponseWriter, err error) {
	status, code := http.StatusUnprocessableEntity, string(ccerr.InvalidArgument)
	if e, ok := ccerr.From(err); ok {
		code = string(e.Code)
		switch e.Code {
		case ccerr.ClaimCodeInvalid, ccerr.OwnerSignatureInvalid, ccerr.ConsentRequired:
			status = http.StatusForbidden
		case ccerr.NonceReused, ccerr.OwnerReleaseRequired, ccerr.FailedPrecondition, ccerr.StatementExpired:
			status = http.StatusConflict
		case ccerr.NotFound:
			status = http.StatusNotFound
		}
	}
	writeJSON(w, status, problem{Status: status, Title: http.StatusText(status), Code: code, Detail: err.Error()})
}

func (f *fakeOwnerAPI) challenge(w http.ResponseWriter, r *http.Request) {
	var req struct{ VIN, Action string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, err)
		return
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	writeJSON(w, http.StatusOK, map[string]string{"domain": statement.Domain, "channel": f.channel, "vin": req.VIN,
		"action": req.Action, "nonce": hex.EncodeToString(nonce), "expires": statement.FormatTime(time.Now().Add(10 * time.Minute))})
}

func (f *fakeOwnerAPI) car(h func(http.ResponseWriter, *http.Request, *fakeCar)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		c, ok := f.cars[r.PathValue("vin")]
		if !ok {
			fail(w, ccerr.New(ccerr.NotFound, "no car %s", r.PathValue("vin")))
			return
		}
		h(w, r, c)
	}
}

// ownerBody is every field an owner write may carry; any other field is
// refused (a sale's date or use type outside the statement, a claim code).
type ownerBody struct {
	ownertypes.StatementEnvelope
	ClaimPublicKey string `json:"claimPublicKey"`
	BuyerPublicKey string `json:"buyerPublicKey"`
}

func (f *fakeOwnerAPI) write(h func(vin string, c *fakeCar, b ownerBody) (any, error)) http.HandlerFunc {
	return f.car(func(w http.ResponseWriter, r *http.Request, c *fakeCar) {
		f.posts++
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		var b ownerBody
		if err := dec.Decode(&b); err != nil {
			fail(w, err)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			writeJSON(w, http.StatusUnsupportedMediaType, problem{Status: http.StatusUnsupportedMediaType,
				Title: http.StatusText(http.StatusUnsupportedMediaType), Detail: "Content-Type must be application/json"})
			return
		}
		res, err := h(r.PathValue("vin"), c, b)
		if err != nil {
			fail(w, err)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/sale") && f.loseSaleAnswer {
			f.loseSaleAnswer = false
			writeJSON(w, http.StatusGatewayTimeout, problem{Status: http.StatusGatewayTimeout, Title: http.StatusText(http.StatusGatewayTimeout),
				Code: "TIMEOUT", Detail: "the network did not answer in time"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"transactionId": hex.EncodeToString(make([]byte, 32)), "status": "committed", "result": res})
	})
}

// check is the chaincode's statement check, then the nonce ledger.
func (f *fakeOwnerAPI) check(vin string, b ownerBody, action statement.Action, key statement.PublicKey) (statement.Statement, string, error) {
	s, id, err := f.verify(vin, b, action, key)
	if err != nil {
		return s, "", err
	}
	return s, id, f.use(b, action, key, s, id)
}

// verify is the chaincode's statement check.
func (f *fakeOwnerAPI) verify(vin string, b ownerBody, action statement.Action, key statement.PublicKey) (statement.Statement, string, error) {
	sig, err := b.SignatureBytes()
	if err != nil {
		return statement.Statement{}, "", err
	}
	return statement.Check([]byte(b.Statement), sig, statement.Expect{Channel: f.channel, VIN: vin, Action: action, Key: key, TxTime: time.Now()})
}

// use spends the statement's nonce: a transaction that fails later spends
// nothing, so only a write about to succeed calls it.
func (f *fakeOwnerAPI) use(b ownerBody, action statement.Action, key statement.PublicKey, s statement.Statement, id string) error {
	nonce := key.Fingerprint() + "~" + s.Nonce
	if f.nonces[nonce] {
		return ccerr.New(ccerr.NonceReused, "nonce %s was used before by this key", s.Nonce)
	}
	f.nonces[nonce] = true
	f.accepted = append(f.accepted, accepted{Action: action, ID: id, Text: b.Statement, Key: key.Fingerprint()})
	return nil
}

func current(c *fakeCar) *ownertypes.Ownership { return &c.ownerships[len(c.ownerships)-1] }

func ledgerKey(o *ownertypes.Ownership) (statement.PublicKey, error) {
	if o.Status != ownertypes.StatusOwned {
		return statement.PublicKey{}, ccerr.New(ccerr.FailedPrecondition, "ownership %d is %s", o.OwnerNo, o.Status)
	}
	raw, err := ownertypes.DecodeBase64(o.PublicKey)
	if err != nil {
		return statement.PublicKey{}, err
	}
	return statement.ParsePublicKey(raw)
}

func (f *fakeOwnerAPI) claim(vin string, c *fakeCar, b ownerBody) (any, error) {
	raw, err := b.PublicKeyBytes()
	if err != nil {
		return nil, err
	}
	key, err := statement.ParsePublicKey(raw)
	if err != nil {
		return nil, err
	}
	o := current(c)
	if o.Status != ownertypes.StatusAwaitingClaim {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d is %s", o.OwnerNo, o.Status)
	}
	s, id, err := f.verify(vin, b, statement.Claim, key)
	if err != nil {
		return nil, err
	}
	// The claim key signs the same bytes; the ledger knows only its public half.
	claimSig, err := b.ClaimSignatureBytes()
	if err != nil {
		return nil, err
	}
	claimKey, err := ownertypes.ParseKey(o.ClaimPublicKey)
	if err != nil {
		return nil, err
	}
	if claimSig == nil || claimKey.Verify([]byte(b.Statement), claimSig) != nil {
		return nil, ccerr.New(ccerr.ClaimCodeInvalid, "the claim signature is not by the claim key of ownership %d", o.OwnerNo)
	}
	if err := f.use(b, statement.Claim, key, s, id); err != nil {
		return nil, err
	}
	o.Status, o.ClaimPublicKey, o.ClaimFingerprint = ownertypes.StatusOwned, "", ""
	o.PublicKey, o.KeyFingerprint, o.BoundAt = b.PublicKey, key.Fingerprint(), time.Now().UTC()
	return o, nil
}

func (f *fakeOwnerAPI) grant(vin string, c *fakeCar, b ownerBody) (any, error) {
	o := current(c)
	key, err := ledgerKey(o)
	if err != nil {
		return nil, err
	}
	s, id, err := f.check(vin, b, statement.Grant, key)
	if err != nil {
		return nil, err
	}
	notAfter, _ := time.Parse(statement.TimeLayout, s.Params["notAfter"])
	g := consenttypes.Grant{SchemaVersion: 1, ID: id, VIN: vin, OwnerNo: o.OwnerNo, Grantee: s.Params["grantee"],
		Scopes: strings.Split(s.Params["scopes"], ","), Purpose: s.Params["purpose"], NotAfter: notAfter,
		GrantedAt: time.Now().UTC(), Statement: b.Statement, KeyFingerprint: key.Fingerprint()}
	c.grants = append(c.grants, g)
	return g, nil
}

func (f *fakeOwnerAPI) revoke(vin string, c *fakeCar, b ownerBody) (any, error) {
	s, err := statement.Decode([]byte(b.Statement))
	if err != nil {
		return nil, err
	}
	for i := range c.grants {
		g := &c.grants[i]
		if g.ID != s.Params["grant"] {
			continue
		}
		key, err := ledgerKey(&c.ownerships[g.OwnerNo-1])
		if err != nil {
			return nil, err
		}
		if _, _, err := f.check(vin, b, statement.Revoke, key); err != nil {
			return nil, err
		}
		g.RevokedAt = time.Now().UTC()
		return g, nil
	}
	return nil, ccerr.New(ccerr.NotFound, "no grant %s", s.Params["grant"])
}

func (f *fakeOwnerAPI) sale(vin string, c *fakeCar, b ownerBody) (any, error) {
	seller := current(c)
	key, err := ledgerKey(seller)
	if err != nil {
		return nil, err
	}
	s, id, err := f.verify(vin, b, statement.ReleaseSale, key)
	if err != nil {
		return nil, err
	}
	// The sale's facts are the statement's, as the chaincode reads them.
	now := time.Now()
	saleDate, err := time.Parse(statement.TimeLayout, s.Params["saleDate"])
	if err != nil || saleDate.After(now) || now.Sub(saleDate) > statement.MaxLifetime {
		return nil, ccerr.Field(ccerr.InvalidArgument, "statement.params.saleDate", "sale_window", "sale date %q outside (now - 24 h, now]", s.Params["saleDate"])
	}
	if !slices.Contains(vehicletypes.UseTypes, s.Params["useType"]) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "statement.params.useType", "one_of", "got %q", s.Params["useType"])
	}
	next := ownertypes.Ownership{SchemaVersion: 1, VIN: vin, OwnerNo: seller.OwnerNo + 1, Since: now.UTC(),
		SoldBy: "owner", SaleDate: saleDate, PreviousKeys: []ownertypes.PreviousKey{}}
	kind, hash, _ := strings.Cut(s.Params["buyer"], ":")
	field, sent := "buyerPublicKey", b.BuyerPublicKey
	if kind == "claim" {
		field, sent = "claimPublicKey", b.ClaimPublicKey
	}
	if (kind == "claim") == (b.BuyerPublicKey != "") || sent == "" {
		return nil, ccerr.Field(ccerr.InvalidArgument, field, "required", "a %s: buyer needs %s and nothing else", kind, field)
	}
	buyer, err := ownertypes.ParseKey(sent)
	if err != nil {
		return nil, err
	}
	if buyer.Fingerprint() != hash {
		return nil, ccerr.Field(ccerr.StatementMismatch, field, "mismatch", "not the key the statement names")
	}
	if kind == "key" {
		next.Status, next.PublicKey, next.KeyFingerprint, next.BoundAt = ownertypes.StatusOwned, sent, hash, now.UTC()
	} else {
		next.Status, next.ClaimPublicKey, next.ClaimFingerprint = ownertypes.StatusAwaitingClaim, sent, hash
	}
	if err := f.use(b, statement.ReleaseSale, key, s, id); err != nil {
		return nil, err
	}
	seller.Status, seller.EndedAt, seller.EndedBy = ownertypes.StatusEnded, time.Now().UTC(), ownertypes.EndedBySale
	seller.Release = &ownertypes.Release{StatementID: id, Buyer: s.Params["buyer"], SignedAt: time.Now().UTC(), Expires: s.Expires}
	c.ownerships = append(c.ownerships, next)
	return next, nil
}

// view answers as GET /v1/owner/vehicles/{vin} does: the owner view and
// the grants, each marked live.
func (f *fakeOwnerAPI) view(w http.ResponseWriter, _ *http.Request, c *fakeCar) {
	cur := current(c)
	ownerships := slices.Clone(c.ownerships)
	if f.hideClaimKey {
		for i := range ownerships {
			ownerships[i].ClaimPublicKey, ownerships[i].ClaimFingerprint = "", ""
		}
	}
	out := struct {
		ownertypes.OwnerView
		Grants []consenttypes.GrantView `json:"grants"`
	}{OwnerView: ownertypes.OwnerView{VIN: cur.VIN, OwnerCount: len(ownerships), Current: &ownerships[len(ownerships)-1], Ownerships: ownerships},
		Grants: []consenttypes.GrantView{}}
	for _, g := range c.grants {
		live, _ := g.StandingIn(time.Now(), cur)
		if f.listed != nil {
			g = f.listed(g)
		}
		out.Grants = append(out.Grants, consenttypes.GrantView{Grant: g, Live: live})
	}
	writeJSON(w, http.StatusOK, out)
}
