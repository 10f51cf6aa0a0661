package owner

import (
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// shareLinkObject is the composite key object type of a share link; its
// one attribute is the link hash (the token's SHA-256, never the token).
const shareLinkObject = "sharelink"

func shareLinkKey(link string) (string, error) {
	return shim.CreateCompositeKey(shareLinkObject, []string{link})
}

// loadShareLink reads a link: NOT_FOUND, on field, when there is none.
func loadShareLink(stub shim.ChaincodeStubInterface, link, field string) (*ownertypes.ShareLink, error) {
	k, err := shareLinkKey(link)
	if err != nil {
		return nil, err
	}
	return kit.MustGet[ownertypes.ShareLink](stub, k, func() error {
		return ccerr.Field(ccerr.NotFound, field, "exists", "there is no share link %s", link)
	})
}

// putNewShareLink stores l, refusing a link hash already on record
// (ALREADY_EXISTS): a token is drawn once, so a repeat is a replay or a
// client's bug, and no link may be re-pointed at another car.
func putNewShareLink(tx kit.Tx, l *ownertypes.ShareLink) (*ownertypes.ShareLinkView, error) {
	k, err := shareLinkKey(l.Link)
	if err != nil {
		return nil, err
	}
	if b, err := tx.Stub.GetState(k); err != nil {
		return nil, err
	} else if b != nil {
		return nil, ccerr.New(ccerr.AlreadyExists, "share link %s is already on record", l.Link)
	}
	if err := kit.PutJSON(tx.Stub, k, l); err != nil {
		return nil, err
	}
	return &ownertypes.ShareLinkView{ShareLink: *l, Live: true}, kit.Emit(tx.Stub, ownertypes.EvShareLinkCreated, linkEvent(l))
}

func linkEvent(l *ownertypes.ShareLink) ownertypes.ShareLinkEvent {
	return ownertypes.ShareLinkEvent{VIN: l.VIN, Link: l.Link, OwnerNo: l.OwnerNo, NotAfter: l.NotAfter, CreatedBy: l.CreatedBy}
}

// ownedCurrent is the car's current ownership, which must be owned (a key
// bound) for anyone to act for its owner: FAILED_PRECONDITION otherwise.
func ownedCurrent(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle) (*ownertypes.Ownership, error) {
	o, err := current(stub, v)
	if err != nil {
		return nil, err
	}
	if o.Status != ownertypes.StatusOwned {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s is %s: its owner claims the car before sharing its report", o.OwnerNo, v.VIN, o.Status)
	}
	return o, nil
}

// CreateShareLink records a share link the owner made: the envelope's
// share-link statement, signed by the key bound to the car's current
// ownership, names the link (its token's hash) and its expiry, after the
// transaction and at most 90 days after it (rule max_link).
func (c *Contract) CreateShareLink(ctx contractapi.TransactionContextInterface, vinCode string, env ownertypes.StatementEnvelope) (*ownertypes.ShareLinkView, error) {
	tx, v, err := c.begin(ctx, vinCode, env)
	if err != nil {
		return nil, err
	}
	o, err := ownedCurrent(tx.Stub, v)
	if err != nil {
		return nil, err
	}
	s, err := signedBy(tx, v.VIN, o, ccerr.FailedPrecondition, "shared", statement.ShareLink, env)
	if err != nil {
		return nil, err
	}
	// Decode has checked the time's form.
	notAfter, err := time.Parse(statement.TimeLayout, s.Params["notAfter"])
	if err != nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "statement.params.notAfter", "time", "must be %s", statement.TimeLayout)
	}
	if err := ownertypes.CheckLinkNotAfter("statement.params.notAfter", notAfter, tx.Time); err != nil {
		return nil, err
	}
	return putNewShareLink(tx, &ownertypes.ShareLink{
		SchemaVersion: kit.SchemaVersion, Link: s.Params["link"], VIN: v.VIN, OwnerNo: o.OwnerNo, NotAfter: notAfter,
		CreatedAt: tx.Time, CreatedBy: ownertypes.CreatedByOwner, StatementID: statement.ID([]byte(env.Statement)),
	})
}

// CreateShareLinkForOwner records a share link a member org makes for the
// owner under the owner's grant: grantId must be a live grant to the
// caller's org that covers scope report (CONSENT_REQUIRED otherwise). The
// link lives at most 90 days (rule max_link) and not past the grant
// (rule within_grant). The caller's gateway draws the token and hands it
// out; the ledger gets its hash.
func (c *Contract) CreateShareLinkForOwner(ctx contractapi.TransactionContextInterface, vinCode, linkHash, notAfter, grantID string) (*ownertypes.ShareLinkView, error) {
	tx, v, err := c.begin(ctx, vinCode)
	if err != nil {
		return nil, err
	}
	if err := ownertypes.ValidateLinkHash("linkHash", linkHash); err != nil {
		return nil, err
	}
	until, err := ownertypes.ParseLinkNotAfter("notAfter", notAfter)
	if err != nil {
		return nil, err
	}
	if err := consenttypes.ValidateGrantID("grantId", grantID); err != nil {
		return nil, err
	}
	if err := ownertypes.CheckLinkNotAfter("notAfter", until, tx.Time); err != nil {
		return nil, err
	}
	g, err := consent.RequireActingGrant(tx.Stub, tx.Time, v.VIN, grantID, tx.Caller.MSP, consenttypes.ScopeReport)
	if err != nil {
		return nil, err
	}
	if until.After(g.NotAfter) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "notAfter", "within_grant", "%s is after the end of grant %s, %s",
			statement.FormatTime(until), grantID, statement.FormatTime(g.NotAfter))
	}
	return putNewShareLink(tx, &ownertypes.ShareLink{
		SchemaVersion: kit.SchemaVersion, Link: linkHash, VIN: v.VIN, OwnerNo: g.OwnerNo, NotAfter: until,
		CreatedAt: tx.Time, CreatedBy: ownertypes.CreatedByGranteePrefix + tx.Caller.MSP, GrantID: grantID,
	})
}

// RevokeShareLink ends a share link: the envelope's unshare-link
// statement names it and is signed by the key bound to the link's
// ownership. A link that has ended otherwise (expired, the car sold) can
// still be revoked, which records the owner's word; one revoked already
// cannot (FAILED_PRECONDITION).
func (c *Contract) RevokeShareLink(ctx contractapi.TransactionContextInterface, vinCode string, env ownertypes.StatementEnvelope) (*ownertypes.ShareLinkView, error) {
	tx, v, err := c.begin(ctx, vinCode, env)
	if err != nil {
		return nil, err
	}
	// The link, hence the ownership whose key must have signed, is named
	// inside the statement: read it before the signature can be checked.
	s, err := decodeFor(env, statement.UnshareLink)
	if err != nil {
		return nil, err
	}
	l, err := loadShareLink(tx.Stub, s.Params["link"], "statement.params.link")
	if err != nil {
		return nil, err
	}
	if l.VIN != v.VIN {
		return nil, ccerr.Field(ccerr.NotFound, "statement.params.link", "exists", "vehicle %s has no share link %s", v.VIN, l.Link)
	}
	o, err := ownership(tx.Stub, v, l.OwnerNo)
	if err != nil {
		return nil, err
	}
	if _, err := signedBy(tx, v.VIN, o, ccerr.FailedPrecondition, "unshared", statement.UnshareLink, env); err != nil {
		return nil, err
	}
	if !l.RevokedAt.IsZero() {
		return nil, ccerr.New(ccerr.FailedPrecondition, "share link %s of %s was already revoked at %s", l.Link, v.VIN, statement.FormatTime(l.RevokedAt))
	}
	l.RevokedAt, l.RevokeStatementID = tx.Time, statement.ID([]byte(env.Statement))
	k, err := shareLinkKey(l.Link)
	if err != nil {
		return nil, err
	}
	if err := kit.PutJSON(tx.Stub, k, l); err != nil {
		return nil, err
	}
	_, why := l.Standing(tx.Time, l.OwnerNo)
	return &ownertypes.ShareLinkView{ShareLink: *l, Live: false, Reason: why}, kit.Emit(tx.Stub, ownertypes.EvShareLinkRevoked, linkEvent(l))
}

// ShareLink returns a link by its hash and whether it is live at the
// transaction time (linkStanding), with the reason when it is not.
// NOT_FOUND for an unknown link.
func (c *Contract) ShareLink(ctx contractapi.TransactionContextInterface, linkHash string) (*ownertypes.ShareLinkView, error) {
	if err := ownertypes.ValidateLinkHash("linkHash", linkHash); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	l, err := loadShareLink(stub, linkHash, "linkHash")
	if err != nil {
		return nil, err
	}
	v, err := vehicle.Load(stub, l.VIN)
	if err != nil {
		return nil, err
	}
	var cur *ownertypes.Ownership
	if v.OwnerCount > 0 {
		if cur, err = current(stub, v); err != nil {
			return nil, err
		}
	}
	t, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	live, why, err := linkStanding(stub, l, t, cur)
	if err != nil {
		return nil, err
	}
	return &ownertypes.ShareLinkView{ShareLink: *l, Live: live, Reason: why}, nil
}

// linkStanding judges l at t from the ledger: ownertypes.ShareLink.StandingIn
// given the car's current ownership cur, and for a link a grantee made
// (createdBy grantee:<MSP>), the grant it was made under must still be to
// that MSP, cover scope report and be live (consent.RequireActingGrant, as
// when the link was made): the owner's revoking the grant ends the links
// the dealer made under it, not only the dealer's power to make new ones.
func linkStanding(stub shim.ChaincodeStubInterface, l *ownertypes.ShareLink, t time.Time, cur *ownertypes.Ownership) (live bool, why string, err error) {
	if live, why := l.StandingIn(t, cur); !live {
		return false, why, nil
	}
	msp, byGrantee := strings.CutPrefix(l.CreatedBy, ownertypes.CreatedByGranteePrefix)
	if !byGrantee {
		return true, "", nil
	}
	_, err = consent.RequireActingGrant(stub, t, l.VIN, l.GrantID, msp, consenttypes.ScopeReport)
	if err == nil {
		return true, "", nil
	}
	// A refusal of the grant ends the link; a failed ledger read is an error.
	if e, ok := ccerr.From(err); ok && (e.Code == ccerr.ConsentRequired || e.Code == ccerr.Forbidden) {
		return false, "was made by " + msp + " under a grant that no longer allows it: " + e.Message, nil
	}
	return false, "", err
}
