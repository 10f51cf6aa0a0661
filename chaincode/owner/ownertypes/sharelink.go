package ownertypes

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
)

// Share links (issue 15): a link lets whoever holds its token read one
// car's history report without a credential, until it expires, its owner
// revokes it, or the car is sold. The token is made on the owner's device
// (or by the dealer's gateway for a dealer link) and never reaches the
// ledger: the ledger keys the link by the token's hash, so no reader of the
// ledger can open a link.

// MaxShareLinkLifetime bounds how far after the creating transaction a
// link's notAfter may lie (rule max_link): a link handed to a buyer serves
// one sale, not years of browsing.
const MaxShareLinkLifetime = 90 * 24 * time.Hour

// MinShareLinkTokenBytes is the least randomness a link token carries:
// 128 bits, so that no one guesses a live link.
const MinShareLinkTokenBytes = 16

// ShareLinkTokenBytes is the randomness NewShareLinkToken draws (256 bits).
const ShareLinkTokenBytes = 32

// Who created a link: the owner with a signed share-link statement, or a
// member org acting under the owner's grant of scope report
// (CreatedByGranteePrefix followed by the MSP ID).
const (
	CreatedByOwner         = "owner"
	CreatedByGranteePrefix = "grantee:"
)

// ShareLink is a link's public record, key sharelink~<link>. It holds no
// personal data and not the token: only the token's hash.
type ShareLink struct {
	SchemaVersion int `json:"schemaVersion"`
	// Link is the lower-case hex SHA-256 of the token's UTF-8 bytes.
	Link string `json:"link"`
	VIN  string `json:"vin"`
	// OwnerNo is the ownership the link was made for; the link is live only
	// while it is the car's current ownership.
	OwnerNo  int       `json:"ownerNo"`
	NotAfter time.Time `json:"notAfter"`
	// CreatedAt is the creating transaction's time.
	CreatedAt time.Time `json:"createdAt"`
	// CreatedBy is CreatedByOwner or CreatedByGranteePrefix + MSP ID.
	CreatedBy string `json:"createdBy"`
	// StatementID is the owner's share-link statement's ID (owner links).
	StatementID string `json:"statementId,omitempty" metadata:",optional"`
	// GrantID is the grant a grantee made the link under (grantee links).
	GrantID string `json:"grantId,omitempty" metadata:",optional"`
	// RevokedAt is the revoking transaction's time; RevokeStatementID the
	// owner's unshare-link statement's ID.
	RevokedAt         time.Time `json:"revokedAt,omitzero" metadata:",optional"`
	RevokeStatementID string    `json:"revokeStatementId,omitempty" metadata:",optional"`
}

// ShareLinkView answers owner:CreateShareLink, owner:RevokeShareLink,
// owner:CreateShareLinkForOwner and owner:ShareLink: the record, whether
// the link is live at the transaction time, and if not, why.
type ShareLinkView struct {
	ShareLink
	Live bool `json:"live"`
	// Reason says what ended the link, e.g. "was revoked at ..."; empty
	// while it is live.
	Reason string `json:"reason,omitempty" metadata:",optional"`
}

// Standing says whether l is live at t given the car's current ownership
// number; why says what ended it ("" for a live link). A link is live when
// it is not revoked, t is before NotAfter, and the ownership it was made
// for is still the car's current one: a sale ends the seller's links.
func (l ShareLink) Standing(t time.Time, currentOwnerNo int) (live bool, why string) {
	switch {
	case !l.RevokedAt.IsZero():
		return false, "was revoked at " + statement.FormatTime(l.RevokedAt)
	case !t.Before(l.NotAfter):
		return false, "expired at " + statement.FormatTime(l.NotAfter)
	case l.OwnerNo != currentOwnerNo:
		return false, fmt.Sprintf("was made for ownership %d, and the car's current ownership is %d", l.OwnerNo, currentOwnerNo)
	}
	return true, ""
}

// LiveAt reports whether l is live at t (Standing).
func (l ShareLink) LiveAt(t time.Time, currentOwnerNo int) bool {
	live, _ := l.Standing(t, currentOwnerNo)
	return live
}

// StandingIn is Standing given the car's current ownership record (nil
// before its first sale), as the chaincode judges a link: besides
// Standing's rules, the ownership must be owned and its key bound no later
// than the link was made. An exception that re-binds the ownership's key
// (lost-key, disputed-claim) thus ends the links made before it, as it
// ends the grants: after a disputed claim the old key may never have been
// the owner's. A grantee's link also needs its grant still live; the
// chaincode checks that from the ledger (owner:ShareLink), as this package
// cannot see grants.
func (l ShareLink) StandingIn(t time.Time, cur *Ownership) (live bool, why string) {
	if cur == nil {
		return l.Standing(t, 0)
	}
	if live, why := l.Standing(t, cur.OwnerNo); !live {
		return false, why
	}
	if cur.Status != StatusOwned {
		return false, fmt.Sprintf("was made for ownership %d, which is %s now", l.OwnerNo, cur.Status)
	}
	if l.CreatedAt.Before(cur.BoundAt) {
		return false, fmt.Sprintf("was made at %s, before ownership %d's key was bound again at %s",
			statement.FormatTime(l.CreatedAt), l.OwnerNo, statement.FormatTime(cur.BoundAt))
	}
	return true, ""
}

var (
	linkHashShape = regexp.MustCompile(rules.HashPattern)
	tokenShape    = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// ValidateLinkHash checks a link hash (64 lower-case hex characters);
// field names it in the error.
func ValidateLinkHash(field, h string) error {
	if !linkHashShape.MatchString(h) {
		return ccerr.Field(ccerr.InvalidArgument, field, "sha256_hex", "must be the lower-case hex SHA-256 of the link token: 64 characters")
	}
	return nil
}

// CheckLinkNotAfter checks a link's expiry at transaction time t: after t
// (rule future) and at most MaxShareLinkLifetime after it (rule max_link).
func CheckLinkNotAfter(field string, notAfter, t time.Time) error {
	switch {
	case !notAfter.After(t):
		return ccerr.Field(ccerr.InvalidArgument, field, "future", "%s is not after the transaction time %s", statement.FormatTime(notAfter), statement.FormatTime(t))
	case notAfter.Sub(t) > MaxShareLinkLifetime:
		return ccerr.Field(ccerr.InvalidArgument, field, "max_link", "%s is more than %d days after the transaction time %s",
			statement.FormatTime(notAfter), int(MaxShareLinkLifetime/(24*time.Hour)), statement.FormatTime(t))
	}
	return nil
}

// ParseLinkNotAfter reads the notAfter argument of
// owner:CreateShareLinkForOwner: RFC 3339 (rule time), returned in UTC.
func ParseLinkNotAfter(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, ccerr.Field(ccerr.InvalidArgument, field, "time", "must be an RFC 3339 time, e.g. %s", statement.TimeLayout)
	}
	return t.UTC(), nil
}

// ShareLinkHash is the link hash of a token: the lower-case hex SHA-256 of
// its UTF-8 bytes. It refuses a token that is not unpadded base64url of at
// least MinShareLinkTokenBytes bytes (field token, rule link_token), so a
// client cannot hash a guessable link by mistake.
func ShareLinkHash(token string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !tokenShape.MatchString(token) || len(raw) < MinShareLinkTokenBytes || strings.ContainsRune(token, '=') {
		return "", ccerr.Field(ccerr.InvalidArgument, "token", "link_token",
			"must be base64url without padding of at least %d random bytes", MinShareLinkTokenBytes)
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), nil
}

// NewShareLinkToken draws a link token for a client (the CLI, the portal's
// server side, a dealer's gateway): ShareLinkTokenBytes from crypto/rand as
// base64url without padding. The chaincode never calls it.
func NewShareLinkToken() (string, error) {
	b := make([]byte, ShareLinkTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("draw a share link token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
