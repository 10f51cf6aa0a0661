// Package ownerclienttest is a stand-in for a gateway's /v1/owner
// endpoints and the ledger behind them, for tests of owner clients. It
// verifies every posted statement with statement.Check, exactly as the
// chaincode does (channel, VIN, action, the ownership's key, expiry, the
// nonce ledger), so a client test proves that what the client signs
// would be accepted, and with which parameters.
package ownerclienttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// Channel is the channel the fake's challenges name.
const Channel = "autoledger"

// Posted is one statement a client posted, as the fake accepted it.
type Posted struct {
	Path      string
	Body      map[string]any
	Statement statement.Statement
	ID        string
	// nonce is the nonce ledger's key, spent only when the write succeeds
	// (a refused transaction writes nothing).
	nonce string
}

// Gateway is the fake. Its zero value is not usable; call New.
type Gateway struct {
	*httptest.Server

	mu     sync.Mutex
	cars   map[string]*car
	nonces map[string]bool
	posted []Posted
	// ChallengeHook, when set, may alter a challenge before it is sent
	// (to play a gateway that lies).
	ChallengeHook func(*ChallengeAnswer)
}

type car struct {
	ownerships []ownertypes.Ownership
	grants     []consenttypes.GrantView
}

// ChallengeAnswer is what POST /v1/owner/challenges answers.
type ChallengeAnswer struct {
	Channel string `json:"channel"`
	VIN     string `json:"vin"`
	Action  string `json:"action"`
	Nonce   string `json:"nonce"`
	Expires string `json:"expires"`
	Domain  string `json:"domain"`
}

// New starts a fake gateway over plain http on a loopback address.
func New() *Gateway {
	g := &Gateway{cars: map[string]*car{}, nonces: map[string]bool{}}
	g.Server = httptest.NewServer(g.routes())
	return g
}

// NewTLS starts a fake gateway over https with httptest's certificate.
func NewTLS() *Gateway {
	g := &Gateway{cars: map[string]*car{}, nonces: map[string]bool{}}
	g.Server = httptest.NewUnstartedServer(g.routes())
	// A client that does not trust the certificate is a case under test,
	// not news for the test log.
	g.Config.ErrorLog = log.New(io.Discard, "", 0)
	g.StartTLS()
	return g
}

// SellFromStock records a dealer's first sale of vin, to be claimed with code.
func (g *Gateway) SellFromStock(vin, code string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	salt := strings.Repeat("ab", 16)
	g.cars[vin] = &car{ownerships: []ownertypes.Ownership{{
		VIN: vin, OwnerNo: 1, Status: ownertypes.StatusAwaitingClaim, Since: time.Now().UTC(), SoldBy: "DealerMSP",
		ClaimSalt: salt, ClaimHash: ownertypes.ClaimHash(salt, code), PreviousKeys: []ownertypes.PreviousKey{},
	}}}
}

// Posted returns the statements accepted so far, oldest first.
func (g *Gateway) Posted() []Posted {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.posted)
}

// Current returns vin's current ownership.
func (g *Gateway) Current(vin string) ownertypes.Ownership {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := g.cars[vin]
	return c.ownerships[len(c.ownerships)-1]
}

func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/owner/challenges", g.challenge)
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/claim", g.write(http.StatusOK, g.claim))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/sale", g.write(http.StatusCreated, g.sale))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/grants", g.write(http.StatusCreated, g.grant))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/revocations", g.write(http.StatusCreated, g.revoke))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/erasures", g.write(http.StatusCreated, g.erase))
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}", g.view)
	return mux
}

func (g *Gateway) challenge(w http.ResponseWriter, r *http.Request) {
	var req struct{ VIN, Action string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		problem(w, ccerr.New(ccerr.InvalidArgument, "malformed body"))
		return
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	a := ChallengeAnswer{Channel: Channel, VIN: req.VIN, Action: req.Action, Nonce: hex.EncodeToString(nonce),
		Expires: statement.FormatTime(time.Now().Add(10 * time.Minute)), Domain: statement.Domain}
	if g.ChallengeHook != nil {
		g.ChallengeHook(&a)
	}
	writeJSON(w, http.StatusOK, a)
}

// request is one write's body and what the fake made of it.
type request struct {
	vin  string
	body map[string]any
	car  *car
}

func (q request) str(name string) string { s, _ := q.body[name].(string); return s }

// write decodes a write, runs f under the lock and answers a receipt.
func (g *Gateway) write(status int, f func(request) (Posted, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := request{vin: r.PathValue("vin")}
		if err := json.NewDecoder(r.Body).Decode(&q.body); err != nil {
			problem(w, ccerr.New(ccerr.InvalidArgument, "malformed body"))
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		q.car = g.cars[q.vin]
		if q.car == nil {
			problem(w, ccerr.New(ccerr.NotFound, "no car %s", q.vin))
			return
		}
		p, result, err := f(q)
		if err != nil {
			problem(w, err)
			return
		}
		p.Path, p.Body = r.URL.Path, q.body
		g.nonces[p.nonce] = true
		g.posted = append(g.posted, p)
		answer := map[string]any{"transactionId": strings.Repeat("7", 64), "status": "committed", "result": result}
		if p.Statement.Action == statement.Revoke {
			answer["purge"] = map[string]any{"status": "committed", "transactionId": strings.Repeat("8", 64)}
		}
		writeJSON(w, status, answer)
	}
}

// check is the chaincode's statement check with the nonce ledger.
func (g *Gateway) check(q request, action statement.Action, key statement.PublicKey) (Posted, error) {
	sig, err := ownertypes.DecodeBase64(q.str("signature"))
	if err != nil {
		return Posted{}, ccerr.Field(ccerr.InvalidArgument, "signature", "base64", "not base64")
	}
	s, id, err := statement.Check([]byte(q.str("statement")), sig,
		statement.Expect{Channel: Channel, VIN: q.vin, Action: action, Key: key, TxTime: time.Now().UTC()})
	if err != nil {
		return Posted{}, err
	}
	n := key.Fingerprint() + "~" + s.Nonce
	if g.nonces[n] {
		return Posted{}, ccerr.New(ccerr.NonceReused, "nonce used before")
	}
	return Posted{Statement: s, ID: id, nonce: n}, nil
}

func parseKey(field, b64 string) (statement.PublicKey, error) {
	raw, err := ownertypes.DecodeBase64(b64)
	if err != nil {
		return statement.PublicKey{}, ccerr.Field(ccerr.InvalidArgument, field, "base64", "not base64")
	}
	return statement.ParsePublicKey(raw)
}

func (c *car) current() *ownertypes.Ownership { return &c.ownerships[len(c.ownerships)-1] }

// boundKey is the key of ownership n (the current one for n == 0).
func (c *car) boundKey(n int) (statement.PublicKey, error) {
	o := c.current()
	if n > 0 && n <= len(c.ownerships) {
		o = &c.ownerships[n-1]
	}
	if o.PublicKey == "" {
		return statement.PublicKey{}, ccerr.New(ccerr.FailedPrecondition, "ownership %d has no key", o.OwnerNo)
	}
	return parseKey("publicKey", o.PublicKey)
}

func (g *Gateway) claim(q request) (Posted, any, error) {
	key, err := parseKey("publicKey", q.str("publicKey"))
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := g.check(q, statement.Claim, key)
	if err != nil {
		return Posted{}, nil, err
	}
	o := q.car.current()
	if o.Status != ownertypes.StatusAwaitingClaim {
		return Posted{}, nil, ccerr.New(ccerr.FailedPrecondition, "not awaiting a claim")
	}
	if ownertypes.ClaimHash(o.ClaimSalt, q.str("claimCode")) != o.ClaimHash {
		return Posted{}, nil, ccerr.New(ccerr.ClaimCodeInvalid, "the claim code is not this car's")
	}
	o.Status, o.PublicKey, o.KeyFingerprint, o.BoundAt = ownertypes.StatusOwned, q.str("publicKey"), key.Fingerprint(), time.Now().UTC()
	o.ClaimHash, o.ClaimSalt = "", ""
	return p, *o, nil
}

func (g *Gateway) sale(q request) (Posted, any, error) {
	key, err := q.car.boundKey(0)
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := g.check(q, statement.ReleaseSale, key)
	if err != nil {
		return Posted{}, nil, err
	}
	saleDate, err := time.Parse(time.RFC3339, q.str("saleDate"))
	if err != nil {
		return Posted{}, nil, ccerr.Field(ccerr.InvalidArgument, "saleDate", "time", "not RFC 3339")
	}
	prev := q.car.current()
	next := ownertypes.Ownership{VIN: q.vin, OwnerNo: prev.OwnerNo + 1, Since: time.Now().UTC(), SaleDate: saleDate,
		PreviousKeys: []ownertypes.PreviousKey{}}
	kind, h, _ := strings.Cut(p.Statement.Params["buyer"], ":")
	switch kind {
	case "key":
		buyer, err := parseKey("buyerPublicKey", q.str("buyerPublicKey"))
		if err != nil {
			return Posted{}, nil, err
		}
		if buyer.Fingerprint() != h {
			return Posted{}, nil, ccerr.Field(ccerr.StatementMismatch, "buyerPublicKey", "mismatch", "not the statement's buyer")
		}
		next.Status, next.PublicKey, next.KeyFingerprint = ownertypes.StatusOwned, q.str("buyerPublicKey"), h
	default:
		next.Status, next.ClaimHash, next.ClaimSalt = ownertypes.StatusAwaitingClaim, h, q.str("claimSalt")
	}
	prev.Status, prev.EndedAt, prev.EndedBy = ownertypes.StatusEnded, time.Now().UTC(), ownertypes.EndedBySale
	q.car.ownerships = append(q.car.ownerships, next)
	return p, map[string]any{"ownership": next}, nil
}

func (g *Gateway) grant(q request) (Posted, any, error) {
	key, err := q.car.boundKey(0)
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := g.check(q, statement.Grant, key)
	if err != nil {
		return Posted{}, nil, err
	}
	terms, err := consenttypes.TermsOf(p.Statement, time.Now().UTC())
	if err != nil {
		return Posted{}, nil, err
	}
	gv := consenttypes.GrantView{Live: true, Grant: consenttypes.Grant{ID: p.ID, VIN: q.vin, OwnerNo: q.car.current().OwnerNo,
		Grantee: terms.Grantee, Scopes: terms.Scopes, Purpose: terms.Purpose, NotAfter: terms.NotAfter,
		GrantedAt: time.Now().UTC(), Statement: q.str("statement"), KeyFingerprint: key.Fingerprint()}}
	q.car.grants = append(q.car.grants, gv)
	return p, gv, nil
}

func (g *Gateway) revoke(q request) (Posted, any, error) {
	key, err := q.car.boundKey(0)
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := g.check(q, statement.Revoke, key)
	if err != nil {
		return Posted{}, nil, err
	}
	for i := range q.car.grants {
		if gr := &q.car.grants[i]; gr.ID == p.Statement.Params["grant"] {
			gr.RevokedAt, gr.Live = time.Now().UTC(), false
			return p, *gr, nil
		}
	}
	return Posted{}, nil, ccerr.New(ccerr.NotFound, "no grant %s", p.Statement.Params["grant"])
}

func (g *Gateway) erase(q request) (Posted, any, error) {
	// The ownership to erase is named inside the statement; its key is
	// the one that must have signed, so read the number first.
	s, err := statement.Decode([]byte(q.str("statement")))
	if err != nil {
		return Posted{}, nil, err
	}
	n, _ := strconv.Atoi(s.Params["ownerNo"])
	if n < 1 || n >= len(q.car.ownerships) {
		return Posted{}, nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d is not a past one", n)
	}
	key, err := q.car.boundKey(n)
	if err != nil {
		return Posted{}, nil, err
	}
	p, err := g.check(q, statement.Erase, key)
	if err != nil {
		return Posted{}, nil, err
	}
	o := &q.car.ownerships[n-1]
	o.ErasedAt, o.ErasedBy = time.Now().UTC(), ownertypes.ErasedByOwner
	return p, ownertypes.EraseResult{Ownership: *o}, nil
}

func (g *Gateway) view(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	vin := r.PathValue("vin")
	c := g.cars[vin]
	if c == nil {
		problem(w, ccerr.New(ccerr.NotFound, "no car %s", vin))
		return
	}
	cur := *c.current()
	writeJSON(w, http.StatusOK, map[string]any{
		"owner":  ownertypes.OwnerView{VIN: vin, OwnerCount: len(c.ownerships), Current: &cur, Ownerships: c.ownerships},
		"grants": consenttypes.GrantList{VIN: vin, Grants: c.grants},
	})
}

// problem answers err as the gateway does: problem+json with the code.
func problem(w http.ResponseWriter, err error) {
	cc, ok := ccerr.From(err)
	if !ok {
		cc = ccerr.New(ccerr.FailedPrecondition, "%v", err)
	}
	status := map[ccerr.Code]int{
		ccerr.NotFound: http.StatusNotFound, ccerr.Forbidden: http.StatusForbidden,
		ccerr.InvalidArgument: http.StatusUnprocessableEntity, ccerr.FailedPrecondition: http.StatusConflict,
	}[cc.Category()]
	if status == 0 {
		status = http.StatusConflict
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status,
		"code": string(cc.Code), "detail": cc.Message, "errors": cc.Fields})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(fmt.Sprintf("encode answer: %v", err))
	}
}
