// Package statement is the owner's signed word: the statements a car owner
// signs on their own device (claim a car, release it for sale, grant or
// revoke consent, erase a past ownership, ...), their one canonical byte
// encoding, the owner's P-256 keys and the checks the chaincode applies
// before it acts on a statement.
//
// It imports neither the contract API nor the shim, so the chaincode, the
// gateway and the CLI share one implementation; docs/owners.md specifies
// the encoding precisely enough for a second one (the portal's script).
package statement

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/vin"
)

// Domain is the first line of every statement. It keeps an owner signature
// from being valid for any other protocol, and names the format's version.
const Domain = "autoledger-owner-statement/v1"

// MaxSize bounds an encoded statement; Decode refuses longer input unread.
const MaxSize = 2048

// TimeLayout is the one form of a time in a statement: RFC 3339, UTC,
// whole seconds.
const TimeLayout = "2006-01-02T15:04:05Z"

// Action is what the owner asks for.
type Action string

// The actions of format v1. Each one's parameters are in its Params entry
// below and in docs/owners.md. Actions marked provisional belong to issues
// not built yet; their parameters may still change with the v1 prefix,
// since no ledger holds such a statement.
const (
	// Claim binds the signing key to the car the dealer sold (issue 14).
	Claim Action = "claim"
	// ReleaseSale is the current owner's consent to sell to a named buyer,
	// with everything the sale records (odometer reading, sale date, use
	// type), so that no relay can change them.
	ReleaseSale Action = "release-sale"
	// Grant lets one member org read some scopes of the car's data.
	Grant Action = "grant"
	// Revoke ends a grant.
	Revoke Action = "revoke"
	// Erase purges a past ownership's private records.
	Erase Action = "erase"
	// ShareLink creates a share link of the car's report for buyers.
	ShareLink Action = "share-link"
	// UnshareLink revokes a share link.
	UnshareLink Action = "unshare-link"
	// RedeemPoints spends loyalty points at a member (issue 16, provisional).
	RedeemPoints Action = "redeem-points"
	// MovePoints moves points to another key of the same owner; both keys
	// sign the same statement (issue 16, provisional).
	MovePoints Action = "move-points"
)

// Kind is the type of a parameter value; each kind has one text form.
type Kind int

// The parameter kinds.
const (
	// KindFingerprint is a key fingerprint: 64 lower-case hex characters.
	KindFingerprint Kind = iota + 1
	// KindHash is a SHA-256 digest: 64 lower-case hex characters.
	KindHash
	// KindMSP is a member org's MSP ID.
	KindMSP
	// KindToken is a lower-case word list joined by '-', at most 64 characters.
	KindToken
	// KindScopes is 1-16 tokens of at most 32 characters, strictly ascending, joined by ','.
	KindScopes
	// KindTime is a time in TimeLayout.
	KindTime
	// KindCount is a decimal integer 1-1,000,000,000 without leading zeros.
	KindCount
	// KindKm is a decimal integer 0-10,000,000 without leading zeros.
	KindKm
	// KindParty is "key:" or "claim:" followed by 64 lower-case hex characters.
	KindParty
)

// Param is one parameter of an action.
type Param struct {
	Name string
	Kind Kind
}

// Params lists each action's parameters in their encoded order, which is
// ascending byte order of the names (a test holds it so).
var Params = map[Action][]Param{
	Claim:        {{"key", KindFingerprint}},
	ReleaseSale:  {{"buyer", KindParty}, {"odometerKm", KindKm}, {"saleDate", KindTime}, {"useType", KindToken}},
	Grant:        {{"grantee", KindMSP}, {"notAfter", KindTime}, {"purpose", KindToken}, {"scopes", KindScopes}},
	Revoke:       {{"grant", KindHash}},
	Erase:        {{"ownerNo", KindCount}},
	ShareLink:    {{"link", KindHash}, {"notAfter", KindTime}},
	UnshareLink:  {{"link", KindHash}},
	RedeemPoints: {{"member", KindMSP}, {"points", KindCount}, {"programme", KindToken}},
	MovePoints:   {{"points", KindCount}, {"programme", KindToken}, {"toKey", KindFingerprint}},
}

// Actions lists the actions of format v1 in a stable order.
func Actions() []Action {
	return []Action{Claim, ReleaseSale, Grant, Revoke, Erase, ShareLink, UnshareLink, RedeemPoints, MovePoints}
}

// Statement is one owner statement. Params holds each of the action's
// parameters (and nothing else) in its text form; Expires is UTC, whole
// seconds, so that Decode(Encode(s)) equals s.
type Statement struct {
	Channel string
	VIN     string
	Action  Action
	Params  map[string]string
	// Nonce is 128 bits from a cryptographic random source as 32
	// lower-case hex characters; the ledger refuses its second use.
	Nonce   string
	Expires time.Time
}

var (
	channelShape = regexp.MustCompile(`^[a-z][a-z0-9.-]{0,48}$`)
	nonceShape   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hex64Shape   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	mspShape     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)
	tokenShape   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	decimalShape = regexp.MustCompile(`^(0|[1-9][0-9]{0,9})$`)
)

// invalid is the error of a malformed statement field.
func invalid(field, rule, format string, args ...any) error {
	return ccerr.Field(ccerr.InvalidArgument, "statement."+field, rule, format, args...)
}

// Validate checks every field's shape, so that s has exactly one encoding.
func (s Statement) Validate() error {
	if !channelShape.MatchString(s.Channel) {
		return invalid("channel", "pattern", "must match %s", channelShape)
	}
	if _, err := vin.Validate(s.VIN); err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	params, ok := Params[s.Action]
	if !ok {
		return invalid("action", "oneof", "unknown action %q", s.Action)
	}
	if len(s.Params) != len(params) {
		return invalid("params", "count", "action %s takes %d parameters, got %d", s.Action, len(params), len(s.Params))
	}
	for _, p := range params {
		v, ok := s.Params[p.Name]
		if !ok {
			return invalid("params."+p.Name, "required", "action %s needs it", s.Action)
		}
		if err := checkValue(p, v); err != nil {
			return err
		}
	}
	if !nonceShape.MatchString(s.Nonce) {
		return invalid("nonce", "pattern", "must be 32 lower-case hex characters (128 random bits)")
	}
	if s.Expires.Location() != time.UTC || s.Expires.Nanosecond() != 0 {
		return invalid("expires", "utc_seconds", "must be UTC in whole seconds")
	}
	if y := s.Expires.Year(); y < 2000 || y > 9999 {
		return invalid("expires", "range", "year %d is outside 2000-9999", y)
	}
	return nil
}

func checkValue(p Param, v string) error {
	field := "params." + p.Name
	switch p.Kind {
	case KindFingerprint, KindHash:
		if !hex64Shape.MatchString(v) {
			return invalid(field, "pattern", "must be 64 lower-case hex characters")
		}
	case KindMSP:
		if !mspShape.MatchString(v) {
			return invalid(field, "pattern", "must match %s", mspShape)
		}
	case KindToken:
		if len(v) > 64 || !tokenShape.MatchString(v) {
			return invalid(field, "pattern", "must be lower-case words joined by '-', at most 64 characters")
		}
	case KindScopes:
		scopes := strings.Split(v, ",")
		if len(scopes) > 16 {
			return invalid(field, "count", "at most 16 scopes, got %d", len(scopes))
		}
		for i, sc := range scopes {
			if len(sc) > 32 || !tokenShape.MatchString(sc) {
				return invalid(field, "pattern", "each scope is lower-case words joined by '-', at most 32 characters")
			}
			if i > 0 && scopes[i-1] >= sc {
				return invalid(field, "sorted", "scopes must be strictly ascending (sorted, no repeats)")
			}
		}
	case KindTime:
		if _, err := parseTime(v); err != nil {
			return invalid(field, "time", "must be RFC 3339 UTC in whole seconds (%s)", TimeLayout)
		}
	case KindCount, KindKm:
		n, err := parseDecimal(v)
		switch {
		case err != nil:
			return invalid(field, "decimal", "must be a decimal integer without leading zeros")
		case p.Kind == KindCount && (n < 1 || n > 1_000_000_000):
			return invalid(field, "range", "must be 1-1,000,000,000")
		case p.Kind == KindKm && n > 10_000_000:
			return invalid(field, "range", "must be 0-10,000,000")
		}
	case KindParty:
		kind, h, _ := strings.Cut(v, ":")
		if (kind != "key" && kind != "claim") || !hex64Shape.MatchString(h) {
			return invalid(field, "party", `must be "key:" or "claim:" followed by 64 lower-case hex characters`)
		}
	default:
		return fmt.Errorf("statement: parameter %s has no kind", p.Name) // a bug in Params
	}
	return nil
}

func parseDecimal(v string) (int64, error) {
	if !decimalShape.MatchString(v) {
		return 0, fmt.Errorf("not a canonical decimal: %q", v)
	}
	return strconv.ParseInt(v, 10, 64)
}

// parseTime accepts exactly TimeLayout: the round trip through Format
// refuses anything time.Parse would also take (a missing leading zero, say).
func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(TimeLayout, v)
	if err != nil {
		return time.Time{}, err
	}
	if t.Format(TimeLayout) != v {
		return time.Time{}, fmt.Errorf("not canonical: %q", v)
	}
	return t, nil
}

// FormatTime is t in a statement's time form (UTC, truncated to seconds).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// FormatScopes is the scopes parameter for a set of scope names: sorted,
// without repeats, joined by ','.
func FormatScopes(scopes []string) string {
	s := slices.Clone(scopes)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ",")
}

// Encode returns the canonical bytes of s, the bytes the owner signs:
// ASCII lines, each ending in LF, in this order:
//
//	autoledger-owner-statement/v1
//	channel=<channel>
//	vin=<VIN>
//	action=<action>
//	<name>=<value>        one line per parameter, in Params order
//	nonce=<32 hex>
//	expires=<YYYY-MM-DDTHH:MM:SSZ>
//
// No value can contain '=', LF or a non-ASCII byte, so nothing is escaped
// and every statement has exactly one encoding.
func (s Statement) Encode() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(k, v string) { b.WriteString(k + "=" + v + "\n") }
	b.WriteString(Domain + "\n")
	line("channel", s.Channel)
	line("vin", s.VIN)
	line("action", string(s.Action))
	for _, p := range Params[s.Action] {
		line(p.Name, s.Params[p.Name])
	}
	line("nonce", s.Nonce)
	line("expires", s.Expires.Format(TimeLayout))
	return b.Bytes(), nil
}

// Decode parses canonical statement bytes. Input that is not exactly the
// encoding of the statement it describes (another field order, a CR, a
// missing final LF, an unknown or repeated field) is refused, so a
// signature covers one statement in one form.
func Decode(b []byte) (Statement, error) {
	if len(b) > MaxSize {
		return Statement{}, invalid("bytes", "max_size", "at most %d bytes, got %d", MaxSize, len(b))
	}
	rest, ok := bytes.CutPrefix(b, []byte(Domain+"\n"))
	if !ok {
		return Statement{}, invalid("domain", "prefix", "must start with the line %q", Domain)
	}
	lines := strings.Split(string(rest), "\n")
	if lines[len(lines)-1] != "" {
		return Statement{}, invalid("bytes", "final_lf", "every line, the last included, ends in LF")
	}
	lines = lines[:len(lines)-1]
	next := func(name string) (string, error) {
		if len(lines) == 0 {
			return "", invalid(name, "required", "missing line %q", name+"=")
		}
		k, v, ok := strings.Cut(lines[0], "=")
		if !ok || k != name {
			return "", invalid(name, "order", "expected line %q, got %q", name+"=", truncate(lines[0]))
		}
		lines = lines[1:]
		return v, nil
	}
	var s Statement
	var err error
	if s.Channel, err = next("channel"); err != nil {
		return Statement{}, err
	}
	if s.VIN, err = next("vin"); err != nil {
		return Statement{}, err
	}
	action, err := next("action")
	if err != nil {
		return Statement{}, err
	}
	s.Action = Action(action)
	params, ok := Params[s.Action]
	if !ok {
		return Statement{}, invalid("action", "oneof", "unknown action %q", truncate(action))
	}
	s.Params = make(map[string]string, len(params))
	for _, p := range params {
		if s.Params[p.Name], err = next(p.Name); err != nil {
			return Statement{}, err
		}
	}
	if s.Nonce, err = next("nonce"); err != nil {
		return Statement{}, err
	}
	expires, err := next("expires")
	if err != nil {
		return Statement{}, err
	}
	if s.Expires, err = parseTime(expires); err != nil {
		return Statement{}, invalid("expires", "time", "must be RFC 3339 UTC in whole seconds (%s)", TimeLayout)
	}
	if len(lines) > 0 {
		return Statement{}, invalid("bytes", "trailing", "unexpected line %q after expires", truncate(lines[0]))
	}
	// The re-encoding checks every value's shape and, byte for byte, that
	// b is the one encoding of s.
	enc, err := s.Encode()
	if err != nil {
		return Statement{}, err
	}
	if !bytes.Equal(enc, b) {
		return Statement{}, invalid("bytes", "canonical", "not the canonical encoding")
	}
	return s, nil
}

// truncate shortens untrusted text quoted in an error message.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// ID names a statement: the lower-case hex SHA-256 of its canonical bytes.
// A revocation names the grant it ends by the grant statement's ID. The
// signature is not part of the ID: an ECDSA signature can be altered into
// another valid one (see Verify), the statement cannot.
func ID(encoded []byte) string {
	sum := sha256.Sum256(encoded)
	return hex.EncodeToString(sum[:])
}
