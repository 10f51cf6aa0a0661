package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/gin-gonic/gin"
)

// The owner endpoints (/v1/owner/...) relay a car owner's signed
// statements. The owner is no client of the gateway and brings no
// credential: what authorises a write is the owner's signature, which the
// chaincode verifies against the key the ledger holds. The gateway adds
// only what it must: the relay identity (its org's owner-services user), a
// per-address limit, and checks that spare the network a statement that
// cannot pass. It logs a statement's ID at most, never its signature, key,
// text or a claim code.

// ownerClient names the relay as a principal, in receipts and logs.
const ownerClient = "owner-relay"

// ownerRelays are the members that relay owner statements (those with the
// owner-services role), in access.Members order.
var ownerRelays = access.MembersWithRole(access.OwnerServices)

// Owner transactions carry no secret (a claim brings a signature by the
// claim key, never the key), so the gateway lets Fabric choose their
// endorsers from the chaincode's policy: pinning them gave each pinned org
// a veto over every owner. The one exception is a revocation, whose
// endorsers must not include the grantee (revocationEndorsers).

// revocationEndorsers are a majority of the members, the chaincode's
// endorsement policy, without grantee: a grantee cannot veto the end of
// its own grant by withholding its endorsement. (A majority is strictly
// more than half, as Fabric's MAJORITY and governance.Majority count it;
// the gateway links no contract package to ask.)
func revocationEndorsers(grantee string) []string {
	majority := len(access.Members)/2 + 1
	var out []string
	for _, m := range access.Members {
		if m != grantee && len(out) < majority {
			out = append(out, m)
		}
	}
	return out
}

// CodeOwnerRelayUnavailable answers an owner request at a gateway that
// holds no owner-services identity to relay it with.
const CodeOwnerRelayUnavailable = "OWNER_RELAY_UNAVAILABLE"

// ownerDefaults fills the owner settings a caller left zero (tests and
// embedders that build Deps by hand) with config's defaults.
func ownerDefaults(o config.Owner) config.Owner {
	d := config.Default().Owner
	if o.RequestsPerMinute <= 0 {
		o.RequestsPerMinute = d.RequestsPerMinute
	}
	if o.Burst <= 0 {
		o.Burst = d.Burst
	}
	if o.BodyBytes <= 0 {
		o.BodyBytes = d.BodyBytes
	}
	return o
}

// ownerGate admits an owner request: within its address's limit, with a
// relay org this gateway serves, and a body of at most owner.bodyBytes. The
// relay becomes the request's principal.
func (s *Server) ownerGate() gin.HandlerFunc {
	s.ownerLimit = newAddressLimit(s.Owner.RequestsPerMinute, s.Owner.Burst, maxTracked)
	return func(c *gin.Context) {
		if !s.chargeOwner(c) {
			return
		}
		// A body that is not declared JSON is refused before it is read: a
		// cross-site page's no-cors fetch can send only form and text
		// types, so it cannot post statements through a visitor's browser
		// (each costs endorsements even when the chaincode refuses it).
		if c.Request.Method == http.MethodPost && !isJSON(c.GetHeader("Content-Type")) {
			writeProblem(c, problem(http.StatusUnsupportedMediaType, CodeMediaType,
				fmt.Sprintf("Content-Type %q is not JSON: owner requests send application/json (UTF-8)", c.GetHeader("Content-Type"))))
			return
		}
		if s.Channel == "" {
			writeProblem(c, problem(http.StatusServiceUnavailable, CodeOwnerRelayUnavailable,
				"this gateway does not know its channel, which every owner statement names"))
			return
		}
		org, ok := s.Owner.Relay(s.Ledger.Serves)
		if !ok {
			detail := "this gateway serves no org with the " + access.OwnerServices + " role (OEM, dealer or insurer): it relays no owner statements; use another member's gateway"
			if s.Owner.RelayOrg != "" {
				detail = "owner statements are relayed by " + s.Owner.RelayOrg + "'s " + access.OwnerServices +
					" identity (owner.relayOrg), which this gateway does not hold; use another member's gateway"
			}
			writeProblem(c, problem(http.StatusServiceUnavailable, CodeOwnerRelayUnavailable, detail))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Owner.BodyBytes)
		}
		c.Set(principalKey, auth.Principal{Client: ownerClient, Org: org, Role: access.OwnerServices})
		c.Next()
	}
}

// chargeOwner draws one token of the caller's per-address owner limit, as
// each owner request does once and a route that reads the ledger many
// times does once per further read; over the limit it answers 429 and is
// false.
func (s *Server) chargeOwner(c *gin.Context) bool {
	if wait, over := s.ownerLimit.fail(c.RemoteIP(), time.Now()); over {
		tooMany(c, wait, "too many owner requests from this address")
		return false
	}
	return true
}

func (s *Server) ownerRoutes(owner *gin.RouterGroup) {
	owner.POST("/challenges", s.challenge)
	owner.GET("/vehicles/:vin", s.ownerVehicle)
	owner.POST("/vehicles/:vin/claim", s.claim)
	owner.POST("/vehicles/:vin/sale", s.ownerSale)
	owner.POST("/vehicles/:vin/grants", s.ownerStatement("consent:Grant", statement.Grant, nil))
	owner.POST("/vehicles/:vin/revocations", s.revoke)
	// An erasure purges the owners collection, which only its members'
	// clients may write: the insurer relays none.
	owner.POST("/vehicles/:vin/erasures", s.ownerStatement("owner:Erase", statement.Erase, collections.MembersOf(collections.Owners)))
}

// ownerActions are the statement actions an owner endpoint relays.
var ownerActions = rules.Enum("owneraction", string(statement.Claim), string(statement.ReleaseSale),
	string(statement.Grant), string(statement.Revoke), string(statement.Erase), string(statement.ShareLink), string(statement.UnshareLink))

// ChallengeRequest asks what a device needs to build a statement.
type ChallengeRequest struct {
	VIN    string `json:"vin" validate:"vin"`
	Action string `json:"action" validate:"owneraction"`
}

// Validate checks the VIN and the action.
func (r ChallengeRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Challenge is what a device puts into a statement besides the action's
// parameters: the channel, a fresh nonce and an expiry.
type Challenge struct {
	Domain  string `json:"domain"`
	Channel string `json:"channel"`
	VIN     string `json:"vin"`
	Action  string `json:"action"`
	Nonce   string `json:"nonce"`
	Expires string `json:"expires"`
}

// challengeLifetime is how long a statement built on a challenge may be
// signed and relayed; well inside statement.MaxLifetime.
const challengeLifetime = 10 * time.Minute

// challenge answers what to sign. It keeps no state: the nonce is only a
// convenience for devices without a good random source, and the ledger's
// nonce record, not the gateway, refuses a second use.
func (s *Server) challenge(c *gin.Context) {
	r, _, ok := readBody[ChallengeRequest](c)
	if !ok {
		return
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce) // crypto/rand never fails; it crashes the program instead
	c.JSON(http.StatusOK, Challenge{Domain: statement.Domain, Channel: s.Channel, VIN: r.VIN, Action: r.Action,
		Nonce: hex.EncodeToString(nonce), Expires: statement.FormatTime(time.Now().Add(challengeLifetime))})
}

// relayAmong makes the request's relay one of orgs: the configured relay
// when it is one, else the first served one with the owner-services role.
// None answers 503 OWNER_RELAY_UNAVAILABLE.
func (s *Server) relayAmong(c *gin.Context, orgs []string) bool {
	if slices.Contains(orgs, principal(c).Org) {
		return true
	}
	for _, org := range ownerRelays {
		if slices.Contains(orgs, org) && s.Ledger.Serves(org) {
			c.Set(principalKey, auth.Principal{Client: ownerClient, Org: org, Role: access.OwnerServices})
			return true
		}
	}
	writeProblem(c, problem(http.StatusServiceUnavailable, CodeOwnerRelayUnavailable,
		"this request is relayed by "+strings.Join(orgs, " or ")+", and this gateway holds no owner-services identity of them; use another member's gateway"))
	return false
}

// checkStatement decodes the envelope's statement and holds it to the
// channel, the path's VIN and the route's action, as the chaincode will,
// so that a statement for another car or action costs no endorsement. key,
// when not nil (a claim, whose key the envelope brings), is checked too,
// signature and expiry included. The chaincode repeats every check: these
// only answer sooner. The statement's ID is logged.
func (s *Server) checkStatement(c *gin.Context, env ownertypes.StatementEnvelope, vin string, action statement.Action, key *statement.PublicKey) (statement.Statement, bool) {
	encoded := []byte(env.Statement)
	var st statement.Statement
	var err error
	if key != nil {
		sig, decErr := env.SignatureBytes()
		if decErr != nil {
			writeProblem(c, validationProblem(fieldErr("signature", "base64", "must be base64 of the 64-byte P1363 signature")))
			return st, false
		}
		st, _, err = statement.Check(encoded, sig, statement.Expect{Channel: s.Channel, VIN: vin, Action: action, Key: *key, TxTime: time.Now()})
	} else {
		st, err = statement.Decode(encoded)
		switch {
		case err != nil:
		case st.Channel != s.Channel:
			err = mismatch("channel", st.Channel, s.Channel)
		case st.VIN != vin:
			err = mismatch("vin", st.VIN, vin)
		case st.Action != action:
			err = mismatch("action", string(st.Action), string(action))
		}
	}
	if err != nil {
		fail(c, err)
		return st, false
	}
	logger(c).Info("owner statement", "action", string(action), "statementId", statement.ID(encoded))
	return st, true
}

func mismatch(field, got, want string) error {
	return ccerr.Field(ccerr.StatementMismatch, "statement."+field, "mismatch", "the statement is for %q, this request for %q", got, want)
}

// OwnerTx answers an owner's write: the transaction, and what the owner
// compares or follows up.
type OwnerTx struct {
	TxView
	// KeyFingerprint is the claimed key's fingerprint in groups of four,
	// to compare with the one the owner's device shows.
	KeyFingerprint string `json:"keyFingerprint,omitempty"`
	// Purge is the purge of the revoked grant's shared data.
	Purge *Followup `json:"purge,omitempty"`
}

// StatementBody is the REST body of a grant, a revocation or an erasure:
// the owner's signed statement. Its fields are StatementEnvelope's, with
// its tags (a test holds them equal), less the claim signature, which only
// a claim has.
type StatementBody struct {
	Statement string `json:"statement" validate:"required,max=2048"`
	Signature string `json:"signature" validate:"required,max=100"`
	PublicKey string `json:"publicKey,omitempty" validate:"max=200"`
}

// envelope is the chaincode's StatementEnvelope of b.
func (b StatementBody) envelope() ownertypes.StatementEnvelope {
	return ownertypes.StatementEnvelope{Statement: b.Statement, Signature: b.Signature, PublicKey: b.PublicKey}
}

// Validate checks the body with the chaincode's rules.
func (b StatementBody) Validate() error { return b.envelope().Validate() }

// ClaimBody is the REST body of a claim: the owner's claim statement,
// which names the owner's new key, signed twice: by that key (signature,
// with the key in publicKey) and by the claim key, the private key the
// buyer's claim code is (claimSignature). The code stays on the buyer's
// device: no gateway, peer or log sees it, and a signature over a
// statement naming the buyer's key is no use for any other key.
type ClaimBody struct {
	Statement      string `json:"statement" validate:"required,max=2048"`
	Signature      string `json:"signature" validate:"required,max=100"`
	PublicKey      string `json:"publicKey" validate:"required,max=200"`
	ClaimSignature string `json:"claimSignature" validate:"required,max=100"`
}

// envelope is the chaincode's StatementEnvelope of b.
func (b ClaimBody) envelope() ownertypes.StatementEnvelope {
	return ownertypes.StatementEnvelope{Statement: b.Statement, Signature: b.Signature, PublicKey: b.PublicKey, ClaimSignature: b.ClaimSignature}
}

// Validate checks the body with the chaincode's rules, and that it has
// both keys' signatures and the key it binds.
func (b ClaimBody) Validate() error {
	var c rules.Checker
	c.Struct(b)
	c.Add(b.envelope().Validate())
	return c.Err()
}

func (s *Server) claim(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, _, ok := readBody[ClaimBody](c)
	if !ok {
		return
	}
	env := b.envelope()
	key, err := ownertypes.ParseKey(b.PublicKey)
	if err != nil {
		fail(c, ccerr.Field(ccerr.InvalidArgument, "publicKey", "p256", "must be a P-256 public key: base64 of the SPKI DER or the 65-byte raw point"))
		return
	}
	if sig, err := env.ClaimSignatureBytes(); err != nil || len(sig) != statement.SignatureSize {
		fail(c, ccerr.Field(ccerr.InvalidArgument, "claimSignature", "p1363", "must be base64 of the 64-byte P1363 signature by the claim key"))
		return
	}
	if _, ok := s.checkStatement(c, env, vin, statement.Claim, &key); !ok {
		return
	}
	r, ok := s.commit(c, fabric.Request{Function: "owner:Claim", Args: []string{vin, jsonArg(env)}, SuccessStatus: http.StatusOK})
	if ok {
		s.writeTx(c, r, OwnerTx{TxView: view(r), KeyFingerprint: statement.FormatFingerprint(key.Fingerprint())})
	}
}

// OwnerSaleBody is the REST body of a resale the current owner released:
// their signed release-sale statement, which names the buyer and
// everything the sale records (odometer reading, sale date, use type). A
// buyer named by key (key:<fingerprint>) needs buyerPublicKey; a buyer
// named by a claim key's fingerprint (claim:<fingerprint>) needs
// claimPublicKey, the claim key's public half. The seller's device made
// that claim key and hands its code to the buyer itself: it never passes
// the gateway. The key fields are SellRequest's, with its tags (a test
// holds them equal).
type OwnerSaleBody struct {
	Statement      string `json:"statement" validate:"required,max=2048"`
	Signature      string `json:"signature" validate:"required,max=100"`
	ClaimPublicKey string `json:"claimPublicKey,omitempty" validate:"max=200"`
	BuyerPublicKey string `json:"buyerPublicKey,omitempty" validate:"max=200"`
}

// request is the chaincode's SellRequest.
func (b OwnerSaleBody) request() ownertypes.SellRequest {
	return ownertypes.SellRequest{Envelope: ownertypes.StatementEnvelope{Statement: b.Statement, Signature: b.Signature},
		ClaimPublicKey: b.ClaimPublicKey, BuyerPublicKey: b.BuyerPublicKey}
}

// Validate checks the body with the chaincode's rules, naming the fields
// as the body does (statement, not envelope.statement).
func (b OwnerSaleBody) Validate() error {
	err := b.request().Validate()
	if e, ok := ccerr.From(err); ok {
		for i, f := range e.Fields {
			e.Fields[i].Field = strings.TrimPrefix(f.Field, "envelope.")
		}
		return e
	}
	return err
}

// checkBuyer holds the key the body brings to the statement's buyer, as
// the chaincode will: the key its party's kind takes, with the fingerprint
// it names (STATEMENT_MISMATCH otherwise). Validate has refused a body
// with both keys.
func checkBuyer(st statement.Statement, b OwnerSaleBody) error {
	kind, fp, _ := strings.Cut(st.Params["buyer"], ":")
	field, key := "buyerPublicKey", b.BuyerPublicKey
	if kind == "claim" {
		field, key = "claimPublicKey", b.ClaimPublicKey
	}
	if key == "" {
		return ccerr.Field(ccerr.InvalidArgument, field, "required", "the statement's buyer is %s:<fingerprint>, whose key this field sends", kind)
	}
	k, err := ownertypes.ParseKey(key)
	if err != nil {
		return ccerr.Field(ccerr.InvalidArgument, field, "p256_key", "must be a P-256 public key (base64 of the SPKI DER or 65-byte raw point)")
	}
	if k.Fingerprint() != fp {
		return ccerr.Field(ccerr.StatementMismatch, field, "mismatch", "the key's fingerprint is not the one the statement's buyer names")
	}
	return nil
}

func (s *Server) ownerSale(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, _, ok := readBody[OwnerSaleBody](c)
	if !ok {
		return
	}
	req := b.request()
	st, ok := s.checkStatement(c, req.Envelope, vin, statement.ReleaseSale, nil)
	if !ok {
		return
	}
	if err := checkBuyer(st, b); err != nil {
		fail(c, err)
		return
	}
	r, ok := s.commit(c, fabric.Request{Function: "owner:Sell", Args: []string{vin, jsonArg(req)}, SuccessStatus: http.StatusCreated})
	if ok {
		s.writeTx(c, r, OwnerTx{TxView: view(r)})
	}
}

// ownerStatement relays function(vin, envelope) for a statement of action;
// relayAmong, when not nil, are the orgs whose relay the chaincode admits.
func (s *Server) ownerStatement(function string, action statement.Action, relayAmong []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		vin, ok := pathVIN(c)
		if !ok {
			return
		}
		if relayAmong != nil && !s.relayAmong(c, relayAmong) {
			return
		}
		b, _, ok := readBody[StatementBody](c)
		if !ok {
			return
		}
		env := b.envelope()
		if _, ok := s.checkStatement(c, env, vin, action, nil); !ok {
			return
		}
		r, ok := s.commit(c, fabric.Request{Function: function, Args: []string{vin, jsonArg(env)}, SuccessStatus: http.StatusCreated})
		if ok {
			s.writeTx(c, r, OwnerTx{TxView: view(r)})
		}
	}
}

// commit submits req as the request's principal and waits up to SyncWait
// for its commit. It is for routes that honour neither Idempotency-Key nor
// Prefer: an owner's statement carries its own replay guard (its nonce),
// and all owners share the relay's principal, so keys of one owner could
// replay another's answer. A receipt still pending after the wait is
// returned with ok true; any failure is written and ok is false.
func (s *Server) commit(c *gin.Context, req fabric.Request) (store.Receipt, bool) {
	req.Principal = principal(c)
	r, err := s.run(c, req)
	if err != nil {
		fail(c, err)
		return r, false
	}
	return r, true
}

// run submits req and waits up to SyncWait for its commit: the receipt,
// committed or still pending, or the failure.
func (s *Server) run(c *gin.Context, req fabric.Request) (store.Receipt, error) {
	r, err := s.Submitter.Submit(c.Request.Context(), req)
	if err != nil {
		return r, err
	}
	if c.GetString(txKey) == "" {
		c.Set(txKey, r.TxID)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.SyncWait)
	r, err = s.Submitter.Wait(ctx, r.TxID)
	cancel()
	if err == nil && r.Status != store.Pending {
		err = fabric.Outcome(r)
	}
	return r, err
}

// Followup is how a second transaction ended that a route runs once its
// first committed; its failure does not undo the first, which the answer
// reports as done.
type Followup struct {
	// Status is committed, pending, failed, or not-run (with the reason in
	// Detail).
	Status        string   `json:"status"`
	TransactionID string   `json:"transactionId,omitempty"`
	Endorsers     []string `json:"endorsers,omitempty"`
	Code          string   `json:"code,omitempty"`
	Detail        string   `json:"detail,omitempty"`
}

// The statuses of a Followup.
const (
	FollowupCommitted = "committed"
	FollowupPending   = "pending"
	FollowupFailed    = "failed"
	FollowupNotRun    = "not-run"
)

// followup runs req and reports how it ended, logging a failure.
func (s *Server) followup(c *gin.Context, req fabric.Request) *Followup {
	r, err := s.run(c, req)
	f := &Followup{TransactionID: r.TxID, Endorsers: req.Endorsers}
	switch {
	case err != nil:
		p := problemOf(err)
		f.Status, f.Code, f.Detail = FollowupFailed, p.Code, p.Detail
		logger(c).Warn("follow-up transaction failed", "function", req.Function, "txId", r.TxID, "code", p.Code, "err", err)
	case r.Status == store.Pending:
		f.Status, f.Detail = FollowupPending, "ordered; the commit was not seen in time: GET /v1/transactions/"+r.TxID+" with a credential of "+req.Principal.Org
	default:
		f.Status = FollowupCommitted
	}
	return f
}

// writeTx answers a receipt from commit with body: 202 and the status URL
// while it is pending, else the request's success status.
func (s *Server) writeTx(c *gin.Context, r store.Receipt, body any) {
	if r.Status == store.Pending {
		c.Header("Location", "/v1/transactions/"+r.TxID)
		c.JSON(http.StatusAccepted, body)
		return
	}
	c.JSON(r.SuccessStatus, body)
}

// OwnerVehicle answers GET /v1/owner/vehicles/{vin}, which anyone may
// read: the car's ownerships (public, no personal data) and the grants its
// owners gave, each marked live or not. It shows less than owner:Get tells
// a member: how an ownership ended is "sale" or "transfer" (not which
// exception), and an open exception only as such.
type OwnerVehicle struct {
	VIN        string                   `json:"vin"`
	OwnerCount int                      `json:"ownerCount"`
	Current    *ownertypes.Ownership    `json:"current,omitempty"`
	Ownerships []ownertypes.Ownership   `json:"ownerships"`
	Exception  *OpenException           `json:"openException,omitempty"`
	Grants     []consenttypes.GrantView `json:"grants"`
}

// OpenException says that a car has an exception awaiting the member
// orgs' approvals; its kind, evidence and approvers are the members'.
type OpenException struct {
	Status string `json:"status"`
}

// EndedByTransfer is how the anonymous view names an end of ownership
// other than the owner's sale (a repossession, a court order).
const EndedByTransfer = "transfer"

// publicOwnership is o as the anonymous view shows it.
func publicOwnership(o ownertypes.Ownership) ownertypes.Ownership {
	if o.EndedBy != "" && o.EndedBy != ownertypes.EndedBySale {
		o.EndedBy = EndedByTransfer
	}
	return o
}

func (s *Server) ownerVehicle(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	var ov ownertypes.OwnerView
	var grants consenttypes.GrantList
	if !s.evaluateInto(c, &ov, "owner:Get", vin) || !s.evaluateInto(c, &grants, "consent:List", vin) {
		return
	}
	out := OwnerVehicle{VIN: ov.VIN, OwnerCount: ov.OwnerCount, Ownerships: make([]ownertypes.Ownership, 0, len(ov.Ownerships)),
		Grants: grants.Grants}
	if ov.Current != nil {
		cur := publicOwnership(*ov.Current)
		out.Current = &cur
	}
	for _, o := range ov.Ownerships {
		out.Ownerships = append(out.Ownerships, publicOwnership(o))
	}
	if ov.OpenException != nil || len(ov.OpenExceptions) > 0 {
		out.Exception = &OpenException{Status: ownertypes.ExceptionOpen}
	}
	if out.Grants == nil {
		out.Grants = []consenttypes.GrantView{}
	}
	c.JSON(http.StatusOK, out)
}

// revoke relays a revocation and then purges the grantee's copies of the
// data shared under the grant: consent:Purge, a private-only transaction
// endorsed by the holders of the share collections alone.
func (s *Server) revoke(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, _, ok := readBody[StatementBody](c)
	if !ok {
		return
	}
	env := b.envelope()
	st, ok := s.checkStatement(c, env, vin, statement.Revoke, nil)
	if !ok {
		return
	}
	grantID := st.Params["grant"]
	// The grantee, read before the revocation, must not be among its
	// endorsers; the same grant tells the purge its holders.
	g, ok := s.grant(c, principal(c), vin, grantID)
	if !ok {
		return
	}
	r, ok := s.commit(c, fabric.Request{Function: "consent:Revoke", Args: []string{vin, jsonArg(env)},
		Endorsers: revocationEndorsers(g.Grantee), SuccessStatus: http.StatusCreated})
	if !ok {
		return
	}
	out := OwnerTx{TxView: view(r)}
	if r.Status == store.Pending {
		out.Purge = &Followup{Status: FollowupNotRun, Detail: "the revocation is not committed yet; once it is, any member of the share collection runs " +
			"POST /v1/consents/" + vin + "/" + grantID + "/purges"}
	} else {
		out.Purge = s.purgeAfterRevoke(c, vin, g)
	}
	s.writeTx(c, r, out)
}

// purgeAfterRevoke runs consent:Purge for grant g just revoked, as the
// relay if it is a member of every share collection of the grant, else as
// a holder this gateway serves: a private data purge needs a member as its
// creator.
func (s *Server) purgeAfterRevoke(c *gin.Context, vin string, g consenttypes.GrantView) *Followup {
	grantID := g.ID
	colls := consenttypes.ShareCollections(g.Grantee)
	if len(colls) == 0 {
		return &Followup{Status: FollowupNotRun, Detail: "no member shares data with " + g.Grantee + ": nothing to purge"}
	}
	holders := holdersOf(colls)
	for _, org := range append([]string{principal(c).Org}, holders...) {
		if s.Ledger.Serves(org) && memberOfAll(org, colls) {
			return s.followup(c, fabric.Request{Principal: auth.Principal{Client: ownerClient, Org: org, Role: access.OwnerServices},
				Function: "consent:Purge", Args: []string{vin, grantID}, Endorsers: holders})
		}
	}
	return &Followup{Status: FollowupNotRun, Endorsers: holders, Detail: "this gateway holds no identity of a member of the share collection; " +
		"a member (" + strings.Join(holders, ", ") + ") runs POST /v1/consents/" + vin + "/" + grantID + "/purges"}
}
