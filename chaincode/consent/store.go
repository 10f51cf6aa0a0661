package consent

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/nonce"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

// Composite key object types. A grant is public; shared data lives in a
// share collection under a key of public facts only (Fabric hashes private
// keys without a salt).
const (
	grantObject  = "grant"  // vin, grant ID: Grant
	sharedObject = "shared" // vin, grant ID, scope: SharedRecord (share collection)
)

func grantKey(vinCode, id string) (string, error) {
	return shim.CreateCompositeKey(grantObject, []string{vinCode, id})
}

func sharedKey(vinCode, grantID, scope string) (string, error) {
	return shim.CreateCompositeKey(sharedObject, []string{vinCode, grantID, scope})
}

// loadGrant reads a grant; notFound makes the error of one not on record.
func loadGrant(stub shim.ChaincodeStubInterface, vinCode, id string, notFound func() error) (*consenttypes.Grant, error) {
	k, err := grantKey(vinCode, id)
	if err != nil {
		return nil, err
	}
	return kit.MustGet[consenttypes.Grant](stub, k, notFound)
}

func putGrant(stub shim.ChaincodeStubInterface, g *consenttypes.Grant) error {
	k, err := grantKey(g.VIN, g.ID)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, k, g)
}

// grantsOf reads every grant of a car, in key (grant ID) order.
func grantsOf(stub shim.ChaincodeStubInterface, vinCode string) ([]consenttypes.Grant, error) {
	it, err := stub.GetStateByPartialCompositeKey(grantObject, []string{vinCode})
	if err != nil {
		return nil, fmt.Errorf("scan grants of %s: %w", vinCode, err)
	}
	gs, err := kit.Collect[consenttypes.Grant](it)
	if err != nil {
		return nil, fmt.Errorf("scan grants of %s: %w", vinCode, err)
	}
	return gs, nil
}

// checkStatement checks a signed statement against the transaction (its
// channel, VIN and time), the action and the key that must have signed it,
// then spends its nonce in the nonce ledger the owner contract shares. It
// returns the statement and its ID.
func checkStatement(tx kit.Tx, vinCode string, action statement.Action, env consenttypes.StatementEnvelope, key statement.PublicKey) (statement.Statement, string, error) {
	sig, err := env.SignatureBytes()
	if err != nil {
		return statement.Statement{}, "", ccerr.Field(ccerr.InvalidArgument, "signature", "base64", "must be base64 (standard or URL-safe) of the 64-byte P1363 signature")
	}
	s, id, err := statement.Check([]byte(env.Statement), sig, statement.Expect{
		Channel: tx.Stub.GetChannelID(), VIN: vinCode, Action: action, Key: key, TxTime: tx.Time,
	})
	if err != nil {
		return statement.Statement{}, "", err
	}
	if err := nonce.Spend(tx.Stub, key.Fingerprint(), s.Nonce, s.Expires); err != nil {
		return statement.Statement{}, "", err
	}
	// The statement ID only: its text is public anyway, but a log has no
	// need of it, and signatures and keys never go to a log.
	slog.Debug("owner statement accepted", "vin", vinCode, "action", string(action), "statementId", id)
	return s, id, nil
}

// The owner contract's ownership records (docs/owners.md), which the
// consent contract reads itself: it may not import the owner contract,
// which imports it (PurgeOwnership).
const (
	ownershipObject = "ownership" // vin, ownerNo as %06d: ownertypes.Ownership
	ownerNoFormat   = "%06d"
)

type ownershipState ownertypes.Ownership

// key parses the ownership's bound key; FAILED_PRECONDITION when none is
// bound (the ownership awaits its claim).
func (o *ownershipState) key() (statement.PublicKey, error) {
	if o.PublicKey == "" {
		return statement.PublicKey{}, ccerr.New(ccerr.FailedPrecondition, "ownership %d has no bound key (it is %s): no owner statement can be checked", o.OwnerNo, o.Status)
	}
	der, err := ownertypes.DecodeBase64(o.PublicKey)
	if err != nil {
		return statement.PublicKey{}, fmt.Errorf("decode the key of ownership %d: %w", o.OwnerNo, err)
	}
	k, err := statement.ParsePublicKey(der)
	if err != nil {
		return statement.PublicKey{}, fmt.Errorf("parse the key of ownership %d: %w", o.OwnerNo, err)
	}
	return k, nil
}

// ownershipAt reads ownership n of a car: NOT_FOUND when it never had it.
func ownershipAt(stub shim.ChaincodeStubInterface, vinCode string, n int) (*ownershipState, error) {
	k, err := shim.CreateCompositeKey(ownershipObject, []string{vinCode, fmt.Sprintf(ownerNoFormat, n)})
	if err != nil {
		return nil, err
	}
	return kit.MustGet[ownershipState](stub, k, func() error {
		return ccerr.New(ccerr.NotFound, "vehicle %s has no ownership %d", vinCode, n)
	})
}

// currentOwnership reads the car's current ownership, the one of the
// highest number; nil before its first sale. It scans the car's
// ownerships rather than reading the vehicle's owner count: the vehicle
// record changes with every odometer reading, and a holder's Share whose
// read set held it would fail whenever a reading committed first, while
// the ownership keys change only when the owner does. The scan is
// re-checked at commit, so a sale committed meanwhile invalidates it.
func currentOwnership(stub shim.ChaincodeStubInterface, vinCode string) (*ownershipState, error) {
	it, err := stub.GetStateByPartialCompositeKey(ownershipObject, []string{vinCode})
	if err != nil {
		return nil, fmt.Errorf("scan ownerships of %s: %w", vinCode, err)
	}
	var cur *ownershipState
	err = kit.Each(it, func(kv *queryresult.KV) (bool, error) {
		if _, attrs, err := stub.SplitCompositeKey(kv.Key); err != nil || len(attrs) != 2 {
			return true, err // another record under the car's ownerships: not one
		}
		var o ownershipState
		if err := json.Unmarshal(kv.Value, &o); err != nil {
			return false, fmt.Errorf("decode %q: %w", kv.Key, err)
		}
		cur = &o
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan ownerships of %s: %w", vinCode, err)
	}
	return cur, nil
}

// liveUnder judges g at t given the car's current ownership (nil: none).
func liveUnder(g consenttypes.Grant, cur *ownershipState, t time.Time) bool {
	live, _ := standingUnder(g, cur, t)
	return live
}

func standingUnder(g consenttypes.Grant, cur *ownershipState, t time.Time) (bool, string) {
	return g.StandingIn(t, (*ownertypes.Ownership)(cur))
}

// standing judges g at t from the ledger; why says what ended it.
func standing(stub shim.ChaincodeStubInterface, g *consenttypes.Grant, t time.Time) (live bool, why string, err error) {
	cur, err := currentOwnership(stub, g.VIN)
	if err != nil {
		return false, "", err
	}
	live, why = standingUnder(*g, cur, t)
	return live, why, nil
}

// requireLive refuses a grant that is not live at the transaction time
// with CONSENT_REQUIRED.
func requireLive(tx kit.Tx, g *consenttypes.Grant) error {
	live, why, err := standing(tx.Stub, g, tx.Time)
	if err != nil {
		return err
	}
	if !live {
		return ccerr.New(ccerr.ConsentRequired, "grant %s of %s %s", g.ID, g.VIN, why)
	}
	return nil
}

// liveGrant reads a grant the transaction acts under: CONSENT_REQUIRED
// when there is none or it is not live.
func liveGrant(tx kit.Tx, vinCode, id string) (*consenttypes.Grant, error) {
	g, err := loadGrant(tx.Stub, vinCode, id, func() error {
		return ccerr.New(ccerr.ConsentRequired, "vehicle %s has no grant %s", vinCode, id)
	})
	if err != nil {
		return nil, err
	}
	return g, requireLive(tx, g)
}

// transientData reads and checks the shared data (consenttypes.ShareData).
func transientData(tx kit.Tx) (string, error) {
	t, err := tx.Stub.GetTransient()
	if err != nil {
		return "", fmt.Errorf("read transient data: %w", err)
	}
	raw, ok := t[consenttypes.ShareTransientKey]
	if !ok {
		return "", ccerr.Field(ccerr.MissingTransient, consenttypes.ShareTransientKey, "required",
			"send the shared data as transient data under %q", consenttypes.ShareTransientKey)
	}
	return consenttypes.ShareData(raw)
}

// purgeShared purges the records shared under g that exist (their hash is
// on every peer, member or not). A record in a collection msp is no member
// of cannot be written by its transaction: strict refuses it (FORBIDDEN),
// otherwise it is left for Purge by a member.
func purgeShared(stub shim.ChaincodeStubInterface, msp string, g *consenttypes.Grant, strict bool) ([]consenttypes.PurgedShare, error) {
	purged := []consenttypes.PurgedShare{}
	for _, c := range consenttypes.ShareCollections(g.Grantee) {
		for _, scope := range g.Scopes {
			k, err := sharedKey(g.VIN, g.ID, scope)
			if err != nil {
				return nil, err
			}
			h, err := stub.GetPrivateDataHash(c.Name, k)
			if err != nil {
				return nil, fmt.Errorf("read the hash of %s data of grant %s in %s: %w", scope, g.ID, c.Name, err)
			}
			if len(h) == 0 {
				continue
			}
			if !slices.Contains(c.Members, msp) {
				if strict {
					return nil, ccerr.New(ccerr.Forbidden, "%s is no member of %s, which holds data shared under grant %s; a member (%v) purges it",
						msp, c.Name, g.ID, c.Members)
				}
				continue
			}
			if err := stub.PurgePrivateData(c.Name, k); err != nil {
				return nil, fmt.Errorf("purge %s data of grant %s in %s: %w", scope, g.ID, c.Name, err)
			}
			purged = append(purged, consenttypes.PurgedShare{Collection: c.Name, Scope: scope})
		}
	}
	return purged, nil
}

// PurgeOwnership is the consent side of erasing a past ownership
// (owner:Erase), run in the caller's transaction: every grant the
// ownership gave is marked erased (erasedAt), and the data shared under it
// is purged from each share collection the calling org is a member of (a
// transaction may write only those). Data in another collection stays
// until a member runs consent:Purge, which it may do at any time, since
// these grants are never live again. It refuses (FAILED_PRECONDITION) while
// one of the grants is live: the ownership must have ended. It sets no
// event; the erasure sets its own.
func PurgeOwnership(stub shim.ChaincodeStubInterface, vinCode string, ownerNo int) error {
	t, err := kit.TxTime(stub)
	if err != nil {
		return err
	}
	msp, err := cid.GetMSPID(stub)
	if err != nil {
		return fmt.Errorf("read caller MSP ID: %w", err)
	}
	gs, err := grantsOf(stub, vinCode)
	if err != nil {
		return err
	}
	cur, err := currentOwnership(stub, vinCode)
	if err != nil {
		return err
	}
	for i := range gs {
		g := &gs[i]
		if g.OwnerNo != ownerNo {
			continue
		}
		if liveUnder(*g, cur, t) {
			return ccerr.New(ccerr.FailedPrecondition, "grant %s of %s ownership %d is live: a current ownership is not erased", g.ID, vinCode, ownerNo)
		}
		if _, err := purgeShared(stub, msp, g, false); err != nil {
			return err
		}
		if g.ErasedAt.IsZero() {
			g.ErasedAt = t
			if err := putGrant(stub, g); err != nil {
				return err
			}
		}
	}
	return nil
}
