package owner

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/governance"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// ProposeException opens an exception for the car's current ownership: a
// case its key cannot settle (the key was lost, the claim disputed, the
// car repossessed or its owner changed by a court). The proposer's org
// approves by proposing; a majority of the member orgs applies it
// (ApproveException). Its ID is the proposing transaction's ID.
//
// Each org has at most one open exception per car, so that no org (the
// supplier's admin, say) can hold the car's exceptions hostage by filing
// one after another: others' proposals stand beside its own, and it can
// withdraw its own (WithdrawException). Open exceptions that expired or
// whose ownership changed lapse when the next is proposed; the one applied
// lapses the others (they were about the state it changed).
func (c *Contract) ProposeException(ctx contractapi.TransactionContextInterface, vinCode string, req ownertypes.ExceptionRequest) (*ownertypes.Exception, error) {
	tx, v, err := c.begin(ctx, vinCode, req)
	if err != nil {
		return nil, err
	}
	claimKey, err := parseKey(req.ClaimPublicKey, "claimPublicKey")
	if err != nil {
		return nil, err
	}
	o, err := current(tx.Stub, v)
	if err != nil {
		return nil, err
	}
	all, err := exceptions(tx.Stub, v.VIN)
	if err != nil {
		return nil, err
	}
	for i := range all {
		old := &all[i]
		if old.Status != ownertypes.ExceptionOpen {
			continue
		}
		if live(old, v, tx.Time) {
			if old.ProposedBy == tx.Caller.MSP {
				return nil, ccerr.New(ccerr.FailedPrecondition, "%s already has exception %s open on %s (%s, until %s); withdraw it or let it lapse",
					tx.Caller.MSP, old.ID, v.VIN, old.Kind, old.ExpiresAt.Format(time.RFC3339))
			}
			continue
		}
		old.Status, old.ClosedAt = ownertypes.ExceptionLapsed, tx.Time
		if err := putException(tx.Stub, old); err != nil {
			return nil, err
		}
	}
	ex := &ownertypes.Exception{
		SchemaVersion: kit.SchemaVersion, ID: tx.Stub.GetTxID(), VIN: v.VIN, OwnerNo: o.OwnerNo, Kind: req.Kind,
		EvidenceHash: req.EvidenceHash, ClaimPublicKey: ownertypes.KeyBase64(claimKey), ClaimFingerprint: claimKey.Fingerprint(),
		ProposedBy: tx.Caller.MSP, ProposedAt: tx.Time, ExpiresAt: tx.Time.Add(ownertypes.ExceptionLifetime),
		Approvals: []ownertypes.ExceptionApproval{{MSP: tx.Caller.MSP, At: tx.Time}}, Required: governance.Majority(len(access.Members)),
		Status: ownertypes.ExceptionOpen,
	}
	return ex, decide(tx, v, ex)
}

// ApproveException adds the caller's org's approval to the car's open
// exception id; the approval that makes a majority applies it. An org
// approves once.
func (c *Contract) ApproveException(ctx contractapi.TransactionContextInterface, vinCode, id string) (*ownertypes.Exception, error) {
	tx, v, ex, err := c.beginException(ctx, vinCode, id)
	if err != nil {
		return nil, err
	}
	if err := stillOpen(ex); err != nil {
		return nil, err
	}
	if !live(ex, v, tx.Time) {
		return nil, ccerr.New(ccerr.FailedPrecondition, "exception %s of %s lapsed: it expired at %s or ownership %d is no longer the current one",
			id, v.VIN, ex.ExpiresAt.Format(time.RFC3339), ex.OwnerNo)
	}
	if ex.Approved(tx.Caller.MSP) {
		return nil, ccerr.New(ccerr.AlreadyExists, "%s has already approved exception %s; an org approves once", tx.Caller.MSP, id)
	}
	ex.Approvals = append(ex.Approvals, ownertypes.ExceptionApproval{MSP: tx.Caller.MSP, At: tx.Time})
	return ex, decide(tx, v, ex)
}

// WithdrawException closes the car's open exception id (status
// withdrawn). Only the org that proposed it may: FORBIDDEN for any other.
func (c *Contract) WithdrawException(ctx contractapi.TransactionContextInterface, vinCode, id string) (*ownertypes.Exception, error) {
	tx, v, ex, err := c.beginException(ctx, vinCode, id)
	if err != nil {
		return nil, err
	}
	if ex.ProposedBy != tx.Caller.MSP {
		return nil, ccerr.New(ccerr.Forbidden, "exception %s of %s was proposed by %s; only its proposer withdraws it", id, v.VIN, ex.ProposedBy)
	}
	if err := stillOpen(ex); err != nil {
		return nil, err
	}
	ex.Status, ex.ClosedAt = ownertypes.ExceptionWithdrawn, tx.Time
	if err := putException(tx.Stub, ex); err != nil {
		return nil, err
	}
	return ex, emitException(tx, v, ex)
}

// beginException starts a decision on the car's exception id: the
// transaction, the car and the exception (NOT_FOUND if there is none).
func (c *Contract) beginException(ctx contractapi.TransactionContextInterface, vinCode, id string) (kit.Tx, *vehicletypes.Vehicle, *ownertypes.Exception, error) {
	tx, v, err := c.begin(ctx, vinCode)
	if err != nil {
		return tx, nil, nil, err
	}
	ex, err := loadException(tx.Stub, v.VIN, id)
	return tx, v, ex, err
}

// stillOpen refuses a decision on an exception that was applied,
// withdrawn or lapsed (FAILED_PRECONDITION).
func stillOpen(ex *ownertypes.Exception) error {
	if ex.Status != ownertypes.ExceptionOpen {
		return ccerr.New(ccerr.FailedPrecondition, "exception %s of %s is %s, no longer open", ex.ID, ex.VIN, ex.Status)
	}
	return nil
}

// loadException reads the car's exception id: NOT_FOUND if there is none.
func loadException(stub shim.ChaincodeStubInterface, vinCode, id string) (*ownertypes.Exception, error) {
	if err := rules.ValidateCode("id", id); err != nil {
		return nil, err
	}
	key, err := exceptionKey(vinCode, id)
	if err != nil {
		return nil, err
	}
	return kit.MustGet[ownertypes.Exception](stub, key, func() error {
		return ccerr.New(ccerr.NotFound, "vehicle %s has no exception %s", vinCode, id)
	})
}

// decide applies ex if its approvals make the majority, stores it and
// sets the event.
func decide(tx kit.Tx, v *vehicletypes.Vehicle, ex *ownertypes.Exception) error {
	if len(ex.Approvals) >= ex.Required {
		if err := apply(tx, v, ex); err != nil {
			return err
		}
		ex.Status, ex.ClosedAt = ownertypes.ExceptionApplied, tx.Time
		if err := lapseOthers(tx, ex); err != nil {
			return err
		}
	}
	if err := putException(tx.Stub, ex); err != nil {
		return err
	}
	return emitException(tx, v, ex)
}

// lapseOthers closes every other open exception of applied's car: each
// was proposed about the ownership as it stood before applied changed it.
func lapseOthers(tx kit.Tx, applied *ownertypes.Exception) error {
	all, err := exceptions(tx.Stub, applied.VIN)
	if err != nil {
		return err
	}
	for i := range all {
		if all[i].ID == applied.ID || all[i].Status != ownertypes.ExceptionOpen {
			continue
		}
		all[i].Status, all[i].ClosedAt = ownertypes.ExceptionLapsed, tx.Time
		if err := putException(tx.Stub, &all[i]); err != nil {
			return err
		}
	}
	return nil
}

// emitException sets the OwnershipException event of ex's new state.
func emitException(tx kit.Tx, v *vehicletypes.Vehicle, ex *ownertypes.Exception) error {
	return kit.Emit(tx.Stub, ownertypes.EvOwnershipException, ownertypes.OwnershipException{
		VIN: v.VIN, ID: ex.ID, Kind: ex.Kind, OwnerNo: ex.OwnerNo, Status: ex.Status, By: tx.Caller.MSP,
		Approvals: len(ex.Approvals), Required: ex.Required,
	})
}

// apply carries out an approved exception. Lost-key and disputed-claim
// unbind the ownership's key (kept in PreviousKeys) and put it back to
// awaiting a claim with the exception's claim key; repossession and
// court-order end the ownership and start the next, awaiting a claim with
// that key.
func apply(tx kit.Tx, v *vehicletypes.Vehicle, ex *ownertypes.Exception) error {
	o, err := current(tx.Stub, v)
	if err != nil {
		return err
	}
	if ownertypes.Rebinds(ex.Kind) {
		if o.KeyFingerprint != "" {
			o.PreviousKeys = append(o.PreviousKeys, ownertypes.PreviousKey{Fingerprint: o.KeyFingerprint, BoundAt: o.BoundAt, EndedAt: tx.Time, Reason: ex.Kind})
		}
		o.Status, o.PublicKey, o.KeyFingerprint, o.BoundAt = ownertypes.StatusAwaitingClaim, "", "", time.Time{}
		o.ClaimPublicKey, o.ClaimFingerprint = ex.ClaimPublicKey, ex.ClaimFingerprint
		return putOwnership(tx.Stub, o)
	}
	o.Status, o.EndedAt, o.EndedBy = ownertypes.StatusEnded, tx.Time, ex.Kind
	if err := putOwnership(tx.Stub, o); err != nil {
		return err
	}
	if _, err := vehicle.RecordOwnerChange(tx.Stub, v, ex.Kind); err != nil {
		return err
	}
	next := newOwnership(tx, v, tx.Time)
	// No one sold the car: the org that proposed the exception stands for
	// the change.
	next.SoldBy = ex.ProposedBy
	next.ClaimPublicKey, next.ClaimFingerprint = ex.ClaimPublicKey, ex.ClaimFingerprint
	return putOwnership(tx.Stub, next)
}

// live reports whether an open exception can still be applied at t: it
// has not expired and its ownership is still the car's current one.
func live(ex *ownertypes.Exception, v *vehicletypes.Vehicle, t time.Time) bool {
	return t.Before(ex.ExpiresAt) && ex.OwnerNo == v.OwnerCount
}

func putException(stub shim.ChaincodeStubInterface, ex *ownertypes.Exception) error {
	key, err := exceptionKey(ex.VIN, ex.ID)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, key, ex)
}

// exceptions lists the car's exceptions in ID order.
func exceptions(stub shim.ChaincodeStubInterface, vinCode string) ([]ownertypes.Exception, error) {
	it, err := stub.GetStateByPartialCompositeKey(exceptionObject, []string{vinCode})
	if err != nil {
		return nil, fmt.Errorf("scan exceptions of %s: %w", vinCode, err)
	}
	out, err := kit.Collect[ownertypes.Exception](it)
	if err != nil {
		return nil, fmt.Errorf("scan exceptions of %s: %w", vinCode, err)
	}
	return out, nil
}

// openExceptions are the car's exceptions open and live at t, oldest
// proposal first (ties by ID).
func openExceptions(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, t time.Time) ([]ownertypes.Exception, error) {
	all, err := exceptions(stub, v.VIN)
	if err != nil {
		return nil, err
	}
	var out []ownertypes.Exception
	for i := range all {
		if all[i].Status == ownertypes.ExceptionOpen && live(&all[i], v, t) {
			out = append(out, all[i])
		}
	}
	slices.SortStableFunc(out, func(a, b ownertypes.Exception) int { return a.ProposedAt.Compare(b.ProposedAt) })
	return out, nil
}
