// Package ownerclienttest is a stand-in for the owner and consent
// contracts (Ledger) and for a gateway's /v1/owner endpoints in front of
// them (Gateway), for tests of owner clients. The ledger verifies every
// statement with statement.Check, exactly as the chaincode does (channel,
// VIN, action, the ownership's key, expiry, the nonce ledger), so a client
// test proves that what the client signs would be accepted, and with
// which parameters.
package ownerclienttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// Gateway is a fake gateway over a Ledger: it relays each owner request
// as the gateway does (same function, arguments and transient data) and
// answers as it does. Start one with New or NewTLS.
type Gateway struct {
	*httptest.Server
	*Ledger
	// ChallengeHook, when set, may alter a challenge before it is sent
	// (to play a gateway that lies).
	ChallengeHook func(*ChallengeAnswer)
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
	g := &Gateway{Ledger: NewLedger()}
	g.Server = httptest.NewServer(g.routes())
	return g
}

// NewTLS starts a fake gateway over https with httptest's certificate.
func NewTLS() *Gateway {
	g := &Gateway{Ledger: NewLedger()}
	g.Server = httptest.NewUnstartedServer(g.routes())
	// A client that does not trust the certificate is a case under test,
	// not news for the test log.
	g.Config.ErrorLog = log.New(io.Discard, "", 0)
	g.StartTLS()
	return g
}

func (g *Gateway) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/owner/challenges", g.challenge)
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/claim", g.write(http.StatusOK, "owner:Claim"))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/sale", g.write(http.StatusCreated, "owner:Sell"))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/grants", g.write(http.StatusCreated, "consent:Grant"))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/revocations", g.write(http.StatusCreated, "consent:Revoke"))
	mux.HandleFunc("POST /v1/owner/vehicles/{vin}/erasures", g.write(http.StatusCreated, "owner:Erase"))
	mux.HandleFunc("GET /v1/owner/vehicles/{vin}", g.view)
	return mux
}

func (g *Gateway) challenge(w http.ResponseWriter, r *http.Request) {
	if !jsonBody(w, r) {
		return
	}
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

// write relays a POST to function as the gateway does and answers its
// receipt.
func (g *Gateway) write(status int, function string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !jsonBody(w, r) {
			return
		}
		vin := r.PathValue("vin")
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			problem(w, ccerr.New(ccerr.InvalidArgument, "malformed body"))
			return
		}
		str := func(k string) string { s, _ := body[k].(string); return s }
		env := ownertypes.StatementEnvelope{Statement: str("statement"), Signature: str("signature"), PublicKey: str("publicKey"),
			ClaimSignature: str("claimSignature")}
		arg := any(env)
		if function == "owner:Sell" {
			arg = ownertypes.SellRequest{Envelope: env, ClaimPublicKey: str("claimPublicKey"), BuyerPublicKey: str("buyerPublicKey")}
		}
		argJSON, _ := json.Marshal(arg)
		result, err := g.submit(function, []string{vin, string(argJSON)}, nil, func(p *Posted) {
			p.Path, p.Body = r.URL.Path, body
		})
		if err != nil {
			problem(w, err)
			return
		}
		answer := map[string]any{"transactionId": strings.Repeat("7", 64), "status": "committed", "result": result}
		if function == "consent:Revoke" {
			answer["purge"] = map[string]any{"status": "committed", "transactionId": strings.Repeat("8", 64)}
		}
		writeJSON(w, status, answer)
	}
}

func (g *Gateway) view(w http.ResponseWriter, r *http.Request) {
	vin := r.PathValue("vin")
	owner, err := g.Evaluate("owner:Get", vin)
	if err != nil {
		problem(w, err)
		return
	}
	grants, err := g.Evaluate("consent:List", vin)
	if err != nil {
		problem(w, err)
		return
	}
	var view struct {
		ownertypes.OwnerView
		Grants []consenttypes.GrantView `json:"grants"`
	}
	var list consenttypes.GrantList
	if json.Unmarshal(owner, &view.OwnerView) != nil || json.Unmarshal(grants, &list) != nil {
		problem(w, fmt.Errorf("ledger answers do not decode"))
		return
	}
	view.Grants = list.Grants
	writeJSON(w, http.StatusOK, view)
}

// jsonBody refuses, as the gateway does, an owner POST not declared JSON
// (415).
func jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Unsupported Media Type", "status": 415,
			"code": "UNSUPPORTED_MEDIA_TYPE", "detail": "owner requests send application/json"})
		return false
	}
	return true
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
