// Package consenttypes holds the consent contract's record, answer and
// event types, its scope vocabulary and its rules. It imports neither the
// contract API nor the shim, so the gateway and the CLI check requests and
// read grants with the very code the peers run (docs/owners.md, "Consent").
package consenttypes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vin"
)

// The scopes an owner may grant: kinds of a car's data.
const (
	// ScopeDriving is trip, distance and harsh-event summaries from the
	// car's telematics, for usage-based insurance.
	ScopeDriving = "driving"
	// ScopeOdometer is odometer readings.
	ScopeOdometer = "odometer"
	// ScopeService is service and repair records.
	ScopeService = "service"
	// ScopeBattery is battery health reports.
	ScopeBattery = "battery"
	// ScopeIncidents is incident records.
	ScopeIncidents = "incidents"
	// ScopeReport lets the grantee make share links of the car's history
	// report for the owner (owner:CreateShareLinkForOwner): a dealer
	// selling the car for its owner shows buyers the report.
	ScopeReport = "report"
)

// Scopes is the vocabulary a grant's scopes come from, in the order the
// documentation lists them. The validate tag "scope" checks a value against
// it (rule one_of).
var Scopes = rules.Enum("scope", ScopeDriving, ScopeOdometer, ScopeService, ScopeBattery, ScopeIncidents, ScopeReport)

// IsScope reports whether s is in the vocabulary.
func IsScope(s string) bool { return slices.Contains(Scopes, s) }

// Holders names, for each scope whose data a member shares through the
// consent contract (consent:Share), the orgs that hold that data. A grant
// may name any scope of the vocabulary; only these can be shared today:
// the OEM's telematics summaries.
var Holders = map[string][]string{
	ScopeDriving: {access.OemMSP},
}

// ShareableScopes lists the scopes some member shares, in Scopes order.
func ShareableScopes() []string {
	var out []string
	for _, s := range Scopes {
		if len(Holders[s]) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Actors names, for each scope that lets the grantee act rather than
// read data shared with it, the orgs that may act on it: a dealer makes
// share links of the report under a grant of ScopeReport.
var Actors = map[string][]string{
	ScopeReport: {access.DealerMSP},
}

// Shareable reports whether msp holds the data of scope and may share it.
func Shareable(scope, msp string) bool { return slices.Contains(Holders[scope], msp) }

// ShareTransientKey is the transient field of consent:Share that carries
// the shared data, a JSON object: it never reaches the public proposal.
const ShareTransientKey = "data"

// MaxShareBytes bounds the shared data's JSON.
const MaxShareBytes = 16 * 1024

// MaxGrantLifetime bounds how far after the transaction time a grant's
// notAfter may lie: an owner renews consent at least yearly (366 days
// cover a leap year), so a forgotten grant does not run on for years.
const MaxGrantLifetime = 366 * 24 * time.Hour

// Grant is an owner's consent, public so that every endorsing peer, member
// of a collection or not, can judge it. It holds no personal data: the
// statement names a key fingerprint, a pseudonym for this car's ownership.
type Grant struct {
	SchemaVersion int `json:"schemaVersion"`
	// ID is the grant statement's ID (statement.ID): the lower-case hex
	// SHA-256 of its canonical text.
	ID  string `json:"id"`
	VIN string `json:"vin"`
	// OwnerNo is the ownership whose key signed the grant; the grant is
	// live only while that ownership is the car's current one and owned.
	OwnerNo  int       `json:"ownerNo"`
	Grantee  string    `json:"grantee"`
	Scopes   []string  `json:"scopes"`
	Purpose  string    `json:"purpose"`
	NotAfter time.Time `json:"notAfter"`
	// GrantedAt is the granting transaction's time.
	GrantedAt time.Time `json:"grantedAt"`
	// Statement is the signed statement's canonical text, kept as
	// evidence; KeyFingerprint the signing key's.
	Statement      string `json:"statement"`
	KeyFingerprint string `json:"keyFingerprint"`
	// RevokedAt is the revoking transaction's time; RevokeStatement the
	// owner's signed revoke statement, and RevokeStatementID its ID.
	RevokedAt         time.Time `json:"revokedAt,omitzero" metadata:",optional"`
	RevokeStatement   string    `json:"revokeStatement,omitempty" metadata:",optional"`
	RevokeStatementID string    `json:"revokeStatementId,omitempty" metadata:",optional"`
	// ErasedAt is when the grant's ownership was erased (owner:Erase). The
	// erasure purges the data shared under the grant where the relaying
	// org is a member of the share collection; elsewhere consent:Purge does.
	ErasedAt time.Time `json:"erasedAt,omitzero" metadata:",optional"`
}

// Covers reports whether the grant names scope.
func (g Grant) Covers(scope string) bool { return slices.Contains(g.Scopes, scope) }

// Standing says whether g is live at t, given the car's current ownership
// number and whether that ownership is owned (a key bound, not ended); why
// says what ended it, "" for a live grant. A grant is live when it is not
// revoked, t is before NotAfter, and the ownership that signed it is the
// car's current one and owned: a sale ends the seller's grants.
// StandingIn adds the key check the chaincode applies; use it where the
// ownership record is at hand.
func (g Grant) Standing(t time.Time, currentOwnerNo int, ownershipOwned bool) (live bool, why string) {
	switch {
	case !g.RevokedAt.IsZero():
		return false, "was revoked at " + statement.FormatTime(g.RevokedAt)
	case !t.Before(g.NotAfter):
		return false, "expired at " + statement.FormatTime(g.NotAfter)
	case g.OwnerNo != currentOwnerNo:
		return false, fmt.Sprintf("was given by ownership %d, and the car's current ownership is %d", g.OwnerNo, currentOwnerNo)
	case !ownershipOwned:
		return false, fmt.Sprintf("was given by ownership %d, which has no bound key now", g.OwnerNo)
	}
	return true, ""
}

// LiveAt reports whether g is live at t (Standing).
func (g Grant) LiveAt(t time.Time, currentOwnerNo int, ownershipOwned bool) bool {
	live, _ := g.Standing(t, currentOwnerNo, ownershipOwned)
	return live
}

// StandingIn is Standing given the car's current ownership record (nil
// before its first sale), as the chaincode judges a grant: besides
// Standing's rules, the key bound to the ownership now must be the one
// that signed the grant, and the grant no older than that binding. An exception that re-binds the ownership's key
// (lost-key, disputed-claim) thus ends the grants of the old key: after a
// disputed claim that key may never have been the owner's, and after a
// lost key the owner grants again with the new one.
func (g Grant) StandingIn(t time.Time, cur *ownertypes.Ownership) (live bool, why string) {
	if cur == nil {
		return g.Standing(t, 0, false)
	}
	if live, why := g.Standing(t, cur.OwnerNo, cur.Status == ownertypes.StatusOwned); !live {
		return false, why
	}
	if cur.KeyFingerprint != g.KeyFingerprint {
		return false, fmt.Sprintf("was signed with key %s, and ownership %d's key is now %s", g.KeyFingerprint, g.OwnerNo, cur.KeyFingerprint)
	}
	// The same key bound again (a disputed claim settled for its first
	// holder) starts afresh: what it granted before does not come back.
	if g.GrantedAt.Before(cur.BoundAt) {
		return false, fmt.Sprintf("was granted at %s, before ownership %d's key was bound again at %s",
			statement.FormatTime(g.GrantedAt), g.OwnerNo, statement.FormatTime(cur.BoundAt))
	}
	return true, ""
}

// GrantView is a grant as consent:Grant, consent:Revoke and consent:List
// answer it: the record and whether it is live at the transaction time.
type GrantView struct {
	Grant
	Live bool `json:"live"`
}

// GrantList answers consent:List: a car's grants, oldest first (by
// grantedAt, then id).
type GrantList struct {
	VIN    string      `json:"vin"`
	Grants []GrantView `json:"grants"`
}

// SortGrants orders grants by grantedAt, then id, the order of GrantList.
func SortGrants(gs []GrantView) {
	slices.SortFunc(gs, func(a, b GrantView) int {
		if c := a.GrantedAt.Compare(b.GrantedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SharedRecord is data a holder shared under a grant, in the share
// collection of the holder and the grantee (private).
type SharedRecord struct {
	SchemaVersion int    `json:"schemaVersion"`
	VIN           string `json:"vin"`
	GrantID       string `json:"grantId"`
	Scope         string `json:"scope"`
	// Data is the shared JSON object, compacted, as JSON text.
	Data     string    `json:"data"`
	SharedAt time.Time `json:"sharedAt"`
	SharedBy string    `json:"sharedBy"`
}

// ShareReceipt answers consent:Share. It carries no data: a transaction's
// answer is written to the block, which every org keeps.
type ShareReceipt struct {
	VIN        string    `json:"vin"`
	GrantID    string    `json:"grantId"`
	Scope      string    `json:"scope"`
	Collection string    `json:"collection"`
	SharedAt   time.Time `json:"sharedAt"`
	SharedBy   string    `json:"sharedBy"`
}

// PurgedShare is one shared record a purge removed.
type PurgedShare struct {
	Collection string `json:"collection"`
	Scope      string `json:"scope"`
}

// PurgeResult answers consent:Purge: the shared records it purged (none
// when nothing had been shared, or it was purged before).
type PurgeResult struct {
	VIN     string        `json:"vin"`
	GrantID string        `json:"grantId"`
	Purged  []PurgedShare `json:"purged"`
}

// GrantTerms are a grant statement's parameters, checked.
type GrantTerms struct {
	Grantee  string
	Scopes   []string
	Purpose  string
	NotAfter time.Time
}

// TermsOf reads and checks a grant statement's parameters at transaction
// time t: the grantee is a member org, every scope is in the vocabulary,
// and notAfter is after t and at most MaxGrantLifetime after it. Errors
// are INVALID_ARGUMENT naming statement.params.<name>. The statement
// itself must already be valid (statement.Decode or Check).
func TermsOf(s statement.Statement, t time.Time) (GrantTerms, error) {
	var c rules.Checker
	if s.Action != statement.Grant {
		c.Fail("statement.action", "grant", "must be %s, got %s", statement.Grant, s.Action)
		return GrantTerms{}, c.Err()
	}
	terms := GrantTerms{Grantee: s.Params["grantee"], Purpose: s.Params["purpose"]}
	if !slices.Contains(access.Members, terms.Grantee) {
		c.Fail("statement.params.grantee", "member", "must be a member org, one of %v", access.Members)
	}
	for _, sc := range strings.Split(s.Params["scopes"], ",") {
		if !IsScope(sc) {
			c.Fail("statement.params.scopes", "one_of", "scope %q is not one of %v", sc, Scopes)
			continue
		}
		terms.Scopes = append(terms.Scopes, sc)
	}
	notAfter, err := time.Parse(statement.TimeLayout, s.Params["notAfter"])
	switch {
	case err != nil:
		c.Fail("statement.params.notAfter", "time", "must be RFC 3339 UTC in whole seconds")
	case !notAfter.After(t):
		c.Fail("statement.params.notAfter", "future", "%s is not after the transaction time %s", statement.FormatTime(notAfter), statement.FormatTime(t))
	case notAfter.Sub(t) > MaxGrantLifetime:
		c.Fail("statement.params.notAfter", "max_grant", "%s is more than %d days after the transaction time %s",
			statement.FormatTime(notAfter), int(MaxGrantLifetime/(24*time.Hour)), statement.FormatTime(t))
	}
	terms.NotAfter = notAfter
	if err := c.Err(); err != nil {
		return GrantTerms{}, err
	}
	return terms, nil
}

var grantIDShape = regexp.MustCompile(rules.HashPattern)

// ValidateGrantID checks a grant ID (a statement ID: 64 lower-case hex
// characters); field names it in the error.
func ValidateGrantID(field, id string) error {
	if !grantIDShape.MatchString(id) {
		return ccerr.Field(ccerr.InvalidArgument, field, "sha256_hex", "must be a grant's statement ID: 64 lower-case hex characters")
	}
	return nil
}

// ValidateScope checks a scope against the vocabulary.
func ValidateScope(field, scope string) error {
	if !IsScope(scope) {
		return ccerr.Field(ccerr.InvalidArgument, field, "one_of", "must be one of %v, got %q", Scopes, scope)
	}
	return nil
}

// ValidateShareArgs checks the arguments of consent:Share and consent:Read
// (and, with scope "", consent:Purge): the VIN (VIN_INVALID), the grant ID
// and the scope, each error naming its argument.
func ValidateShareArgs(vinCode, grantID, scope string) error {
	if _, err := vin.Validate(vinCode); err != nil {
		return err
	}
	var c rules.Checker
	c.Add(ValidateGrantID("grantId", grantID))
	if scope != "" {
		c.Add(ValidateScope("scope", scope))
	}
	return c.Err()
}

// ShareData checks the shared data sent as transient data: a JSON object
// of at most MaxShareBytes. It returns the object compacted, the one form
// stored, so that every endorser writes the same bytes.
func ShareData(raw []byte) (string, error) {
	if len(raw) > MaxShareBytes {
		return "", ccerr.Field(ccerr.InvalidArgument, ShareTransientKey, "max_size", "at most %d bytes, got %d", MaxShareBytes, len(raw))
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return "", ccerr.Field(ccerr.InvalidArgument, ShareTransientKey, "json_object", "must be a JSON object")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, trimmed); err != nil {
		return "", ccerr.Field(ccerr.InvalidArgument, ShareTransientKey, "json_object", "must be a JSON object")
	}
	return b.String(), nil
}
