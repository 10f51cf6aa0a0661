package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// The members' side of owners' consent: a holder (the OEM's telematics)
// shares a car's data with a grantee while the owner's grant is live, the
// grantee reads it, and a member purges it once the grant ended. The
// chaincode decides every one of these on each endorsing peer; the gateway
// checks the grant first so that a request the chaincode must refuse costs
// no endorsement, and targets the endorsers private data may reach.

func (s *Server) consentRoutes(v1 *gin.RouterGroup) {
	v1.GET("/consents/:vin", s.query("consent:List", pathVIN))
	v1.POST("/consents/:vin/:grantId/shares/:scope", s.share)
	v1.GET("/consents/:vin/:grantId/shares/:scope", s.readShare)
	v1.POST("/consents/:vin/:grantId/purges", s.purge)
}

// holdersOf are the holders of colls, which alone endorse their writes
// and purges.
func holdersOf(colls []collections.Collection) []string {
	var out []string
	for _, c := range colls {
		if !slices.Contains(out, c.Consent.Holder) {
			out = append(out, c.Consent.Holder)
		}
	}
	return out
}

func memberOfAll(org string, colls []collections.Collection) bool {
	for _, c := range colls {
		if !slices.Contains(c.Members, org) {
			return false
		}
	}
	return true
}

// grant reads grant id of vin as pr, live or not; when it cannot (NOT_FOUND
// when the car has no such grant) it answers the error and is false.
func (s *Server) grant(c *gin.Context, pr auth.Principal, vin, id string) (consenttypes.GrantView, bool) {
	g, err := s.readGrant(c, pr, vin, id)
	if err != nil {
		fail(c, err)
		return g, false
	}
	return g, true
}

func (s *Server) readGrant(c *gin.Context, pr auth.Principal, vin, id string) (consenttypes.GrantView, error) {
	raw, err := s.Ledger.Evaluate(c.Request.Context(), pr, "consent:List", vin)
	if err != nil {
		return consenttypes.GrantView{}, err
	}
	var list consenttypes.GrantList
	if err := json.Unmarshal(raw, &list); err != nil {
		return consenttypes.GrantView{}, err
	}
	for _, g := range list.Grants {
		if g.ID == id {
			return g, nil
		}
	}
	return consenttypes.GrantView{}, ccerr.New(ccerr.NotFound, "%s has no grant %s", vin, id)
}

// shareKeys reads and checks the path of a grant's data: VIN, grant ID
// and, withScope, the scope.
func shareKeys(c *gin.Context, withScope bool) (vin, grantID, scope string, ok bool) {
	vin, grantID = c.Param("vin"), c.Param("grantId")
	if withScope {
		scope = c.Param("scope")
	}
	if err := consenttypes.ValidateShareArgs(vin, grantID, scope); err != nil {
		return "", "", "", valid(c, err)
	}
	return vin, grantID, scope, true
}

// liveFor checks at the gateway what the chaincode checks on every peer:
// the grant is live and covers scope. A refusal is 403 CONSENT_REQUIRED.
func liveFor(c *gin.Context, g consenttypes.GrantView, scope string) bool {
	switch {
	case !g.Live:
		_, why := g.Standing(time.Now(), g.OwnerNo, true)
		if why == "" {
			why = "is not live: its ownership ended or has no bound key"
		}
		fail(c, ccerr.New(ccerr.ConsentRequired, "grant %s %s", g.ID, why))
	case !g.Covers(scope):
		fail(c, ccerr.New(ccerr.ConsentRequired, "grant %s does not cover scope %s (it covers %v)", g.ID, scope, g.Scopes))
	default:
		return true
	}
	return false
}

// share writes the body, a JSON object, as the data of scope shared under
// the grant: transient data, endorsed by the caller's org alone, the
// holder whose collection with the grantee receives it.
func (s *Server) share(c *gin.Context) {
	vin, grantID, scope, ok := shareKeys(c, true)
	if !ok {
		return
	}
	var body json.RawMessage
	raw, ok := decode(c, &body)
	if !ok {
		return
	}
	data, err := consenttypes.ShareData(raw)
	if err != nil {
		valid(c, err)
		return
	}
	pr := principal(c)
	g, ok := s.grant(c, pr, vin, grantID)
	if !ok {
		return
	}
	if _, ok := collections.ForShare(pr.Org, g.Grantee); !ok {
		fail(c, ccerr.New(ccerr.ConsentRequired, "%s shares no data with %s: no collection of the two carries owner-granted data", pr.Org, g.Grantee))
		return
	}
	if !liveFor(c, g, scope) {
		return
	}
	s.submit(c, raw, fabric.Request{Function: "consent:Share", Args: []string{vin, grantID, scope},
		Transient: map[string][]byte{consenttypes.ShareTransientKey: []byte(data)}, Endorsers: []string{pr.Org},
		SuccessStatus: http.StatusCreated})
}

// SharedData answers a grantee's read: the shared record with its data as
// the JSON object the holder sent.
type SharedData struct {
	VIN      string          `json:"vin"`
	GrantID  string          `json:"grantId"`
	Scope    string          `json:"scope"`
	Data     json.RawMessage `json:"data"`
	SharedAt time.Time       `json:"sharedAt"`
	SharedBy string          `json:"sharedBy"`
}

// readShare answers the grantee the data shared under a live grant, read
// on its own peer. Another org is FORBIDDEN; a grant that is not live, or
// does not cover the scope, is CONSENT_REQUIRED, here and on every peer.
func (s *Server) readShare(c *gin.Context) {
	vin, grantID, scope, ok := shareKeys(c, true)
	if !ok {
		return
	}
	pr := principal(c)
	g, ok := s.grant(c, pr, vin, grantID)
	if !ok {
		return
	}
	if g.Grantee != pr.Org {
		fail(c, ccerr.New(ccerr.Forbidden, "grant %s is %s's, not %s's", grantID, g.Grantee, pr.Org))
		return
	}
	if !liveFor(c, g, scope) {
		return
	}
	var rec consenttypes.SharedRecord
	if !s.evaluateInto(c, &rec, "consent:Read", vin, grantID, scope) {
		return
	}
	c.JSON(http.StatusOK, SharedData{VIN: rec.VIN, GrantID: rec.GrantID, Scope: rec.Scope, Data: json.RawMessage(rec.Data),
		SharedAt: rec.SharedAt, SharedBy: rec.SharedBy})
}

// purge removes the data shared under a grant that is no longer live from
// every share collection of its grantee: endorsed by their holders alone.
// Any member may run it (the gateway does right after a revocation); the
// chaincode refuses while the grant is live.
func (s *Server) purge(c *gin.Context) {
	vin, grantID, _, ok := shareKeys(c, false)
	if !ok {
		return
	}
	g, ok := s.grant(c, principal(c), vin, grantID)
	if !ok {
		return
	}
	colls := consenttypes.ShareCollections(g.Grantee)
	if len(colls) == 0 {
		fail(c, ccerr.New(ccerr.FailedPrecondition, "no member shares data with %s: nothing to purge", g.Grantee))
		return
	}
	s.submit(c, nil, fabric.Request{Function: "consent:Purge", Args: []string{vin, grantID}, Endorsers: holdersOf(colls),
		SuccessStatus: http.StatusCreated})
}
