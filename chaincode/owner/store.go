package owner

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/nonce"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Composite key object types. Every key of a car's ownerships, exceptions
// and nonces starts with public facts only.
const (
	ownershipObject = "ownership"
	exceptionObject = "ownerexception"
	// ownerKeyObject indexes every key ever bound by its fingerprint.
	ownerKeyObject = "ownerkey"
)

// indexKey records that the key with fingerprint fp is bound to o, and
// refuses (FAILED_PRECONDITION) a key already bound to any other ownership
// of this or another car. The same ownership may take its key back (a
// disputed claim settled in the first holder's favour); the consent
// contract's liveness rule (granted at or after the binding) keeps grants
// from before such a re-binding dead.
func indexKey(stub shim.ChaincodeStubInterface, fp string, o *ownertypes.Ownership) error {
	key, err := shim.CreateCompositeKey(ownerKeyObject, []string{fp})
	if err != nil {
		return err
	}
	var b ownertypes.KeyBinding
	found, err := kit.GetJSON(stub, key, &b)
	if err != nil {
		return fmt.Errorf("read the binding of key %s: %w", fp, err)
	}
	if found {
		if b.VIN != o.VIN || b.OwnerNo != o.OwnerNo {
			return ccerr.New(ccerr.FailedPrecondition, "key %s is already bound to another ownership; a key serves one ownership of one car, make a new one", fp)
		}
		return nil
	}
	return kit.PutJSON(stub, key, ownertypes.KeyBinding{SchemaVersion: kit.SchemaVersion, Fingerprint: fp, VIN: o.VIN, OwnerNo: o.OwnerNo})
}

func ownershipKey(vinCode string, ownerNo int) (string, error) {
	return shim.CreateCompositeKey(ownershipObject, []string{vinCode, fmt.Sprintf(vehicle.OwnerNoFormat, ownerNo)})
}

func exceptionKey(vinCode, id string) (string, error) {
	return shim.CreateCompositeKey(exceptionObject, []string{vinCode, id})
}

func putOwnership(stub shim.ChaincodeStubInterface, o *ownertypes.Ownership) error {
	key, err := ownershipKey(o.VIN, o.OwnerNo)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, key, o)
}

// ownership reads ownership n of v: NOT_FOUND when the car never had it.
func ownership(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, n int) (*ownertypes.Ownership, error) {
	notFound := func() error {
		return ccerr.New(ccerr.NotFound, "vehicle %s has no ownership %d (it has had %d)", v.VIN, n, v.OwnerCount)
	}
	if n < 1 || n > v.OwnerCount {
		return nil, notFound()
	}
	key, err := ownershipKey(v.VIN, n)
	if err != nil {
		return nil, err
	}
	return kit.MustGet[ownertypes.Ownership](stub, key, notFound)
}

// current reads the car's current ownership: NOT_FOUND before its first sale.
func current(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle) (*ownertypes.Ownership, error) {
	if v.OwnerCount == 0 {
		return nil, ccerr.New(ccerr.NotFound, "vehicle %s has no owner yet: it was never sold (owner:SellFromStock)", v.VIN)
	}
	return ownership(stub, v, v.OwnerCount)
}

// ownerships lists the car's ownerships, oldest first (the keys sort so).
func ownerships(stub shim.ChaincodeStubInterface, vinCode string) ([]ownertypes.Ownership, error) {
	it, err := stub.GetStateByPartialCompositeKey(ownershipObject, []string{vinCode})
	if err != nil {
		return nil, fmt.Errorf("scan ownerships of %s: %w", vinCode, err)
	}
	out, err := kit.Collect[ownertypes.Ownership](it)
	if err != nil {
		return nil, fmt.Errorf("scan ownerships of %s: %w", vinCode, err)
	}
	return out, nil
}

// checkStatement checks a signed statement against the transaction (its
// channel, VIN and time), the action and the key that must have signed it,
// then spends its nonce: a second use by the same key is NONCE_REUSED.
func checkStatement(tx kit.Tx, vinCode string, action statement.Action, env ownertypes.StatementEnvelope, key statement.PublicKey) (statement.Statement, error) {
	sig, err := env.SignatureBytes()
	if err != nil {
		return statement.Statement{}, ccerr.Field(ccerr.InvalidArgument, "signature", "base64", "must be base64 (standard or URL-safe) of the 64-byte P1363 signature")
	}
	s, id, err := statement.Check([]byte(env.Statement), sig, statement.Expect{
		Channel: tx.Stub.GetChannelID(), VIN: vinCode, Action: action, Key: key, TxTime: tx.Time,
	})
	if err != nil {
		return statement.Statement{}, err
	}
	// One nonce ledger for every contract that takes owner statements.
	if err := nonce.Spend(tx.Stub, key.Fingerprint(), s.Nonce, s.Expires); err != nil {
		return statement.Statement{}, err
	}
	slog.Debug("owner statement accepted", "vin", vinCode, "action", string(action), "statementId", id)
	return s, nil
}

// cutParty splits a statement's party into its kind ("key" or "claim")
// and its hex reference; statement.Decode has checked its shape.
func cutParty(party string) (kind, ref string, ok bool) { return strings.Cut(party, ":") }

// parseKm and parseCount read parameters statement.Decode has checked.
func parseKm(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, ccerr.Field(ccerr.InvalidArgument, "statement.params.odometerKm", "decimal", "must be a decimal integer")
	}
	return n, nil
}

func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, ccerr.Field(ccerr.InvalidArgument, "statement.params.ownerNo", "decimal", "must be a decimal integer")
	}
	return n, nil
}

// erasable reads ownership n of v and refuses it unless it is a past,
// ended ownership not erased yet: the current owner's link stays while
// they own the car.
func erasable(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, n int) (*ownertypes.Ownership, error) {
	o, err := ownership(stub, v, n)
	if err != nil {
		return nil, err
	}
	if n == v.OwnerCount || o.Status != ownertypes.StatusEnded {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s is the current one (%s); only a past ownership can be erased", n, v.VIN, o.Status)
	}
	if !o.ErasedAt.IsZero() {
		return nil, ccerr.New(ccerr.FailedPrecondition, "ownership %d of %s was already erased at %s", n, v.VIN, statement.FormatTime(o.ErasedAt))
	}
	return o, nil
}

// erase purges o's owner link, if the dealer recorded one, and what the
// consent contract holds of o (consent.PurgeOwnership: its grants are
// marked erased and the data shared under them is purged from the share
// collections the caller's org is a member of), and marks o erased. A
// purge removes the value from every member peer and its private history;
// the hash stays only in old blocks.
func erase(tx kit.Tx, v *vehicletypes.Vehicle, o *ownertypes.Ownership, by, evidenceHash string) (*ownertypes.EraseResult, error) {
	key, err := vehicle.OwnerLinkKey(v.VIN, o.OwnerNo)
	if err != nil {
		return nil, err
	}
	h, err := tx.Stub.GetPrivateDataHash(vehicle.OwnersCollection, key)
	if err != nil {
		return nil, fmt.Errorf("read owner link hash of %s ownership %d: %w", v.VIN, o.OwnerNo, err)
	}
	if h != nil {
		if err := tx.Stub.PurgePrivateData(vehicle.OwnersCollection, key); err != nil {
			return nil, fmt.Errorf("purge owner link of %s ownership %d: %w", v.VIN, o.OwnerNo, err)
		}
	}
	if err := consent.PurgeOwnership(tx.Stub, v.VIN, o.OwnerNo); err != nil {
		return nil, err
	}
	o.ErasedAt, o.ErasedBy, o.ErasureEvidenceHash = tx.Time, by, evidenceHash
	if err := putOwnership(tx.Stub, o); err != nil {
		return nil, err
	}
	res := &ownertypes.EraseResult{Ownership: *o, LinkPurged: h != nil}
	return res, kit.Emit(tx.Stub, ownertypes.EvOwnershipErased, ownertypes.OwnershipErased{VIN: v.VIN, OwnerNo: o.OwnerNo, ErasedBy: by})
}
