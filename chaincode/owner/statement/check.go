package statement

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
)

// MaxLifetime bounds how far past the transaction time a statement's
// expiry may lie. A signed statement is a bearer instrument until it
// expires or its nonce is used, so it must not live long; and the ledger
// needs to remember a used nonce only until the statement expires.
const MaxLifetime = 24 * time.Hour

// Expect is what the chaincode knows before it reads a statement: where it
// runs, which car and action the transaction is about, whose key must have
// signed, and the transaction time (already bounded to the peer's clock by
// kit).
type Expect struct {
	Channel string
	VIN     string
	Action  Action
	Key     PublicKey
	TxTime  time.Time
}

// Check decodes a signed statement and refuses it unless it is the
// expected key's signature over a statement for this channel, VIN and
// action that is live at the transaction time. It returns the statement
// and its ID. Whether the nonce was used before is the ledger's question,
// answered by the caller (NONCE_REUSED).
//
// The checks run in this order, each with its own code:
//   - the bytes decode (INVALID_ARGUMENT)
//   - the signature is the key's (OWNER_SIGNATURE_INVALID)
//   - channel, VIN, action and, for a claim, the key parameter match
//     (STATEMENT_MISMATCH, field statement.channel, .vin, .action or .params.key)
//   - TxTime < expires (STATEMENT_EXPIRED) and expires <= TxTime +
//     MaxLifetime (INVALID_ARGUMENT, field statement.expires, rule max_lifetime)
func Check(encoded, sig []byte, want Expect) (Statement, string, error) {
	s, err := Decode(encoded)
	if err != nil {
		return Statement{}, "", err
	}
	if err := want.Key.Verify(encoded, sig); err != nil {
		return Statement{}, "", err
	}
	mismatch := func(field, got, expected string) error {
		return ccerr.Field(ccerr.StatementMismatch, "statement."+field, "mismatch", "the statement is for %q, this transaction for %q", got, expected)
	}
	switch {
	case s.Channel != want.Channel:
		return Statement{}, "", mismatch("channel", s.Channel, want.Channel)
	case s.VIN != want.VIN:
		return Statement{}, "", mismatch("vin", s.VIN, want.VIN)
	case s.Action != want.Action:
		return Statement{}, "", mismatch("action", string(s.Action), string(want.Action))
	case s.Action == Claim && s.Params["key"] != want.Key.Fingerprint():
		return Statement{}, "", mismatch("params.key", s.Params["key"], want.Key.Fingerprint())
	}
	if !want.TxTime.Before(s.Expires) {
		return Statement{}, "", ccerr.New(ccerr.StatementExpired, "the statement expired at %s; the transaction time is %s",
			FormatTime(s.Expires), FormatTime(want.TxTime))
	}
	if s.Expires.Sub(want.TxTime) > MaxLifetime {
		return Statement{}, "", ccerr.Field(ccerr.InvalidArgument, "statement.expires", "max_lifetime",
			"expires %s, more than %s after the transaction time %s", FormatTime(s.Expires), MaxLifetime, FormatTime(want.TxTime))
	}
	return s, ID(encoded), nil
}
