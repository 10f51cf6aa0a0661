package payment

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// An order's amount lives in the buyer-seller pair's private collection.
// Either side records it until the buyer accepts the delivery; from then
// on it changes only by an amendment that one side proposes and the other
// side accepts: two transactions, by the two orgs' finance users. Each of
// them writes nothing but that collection, so the pair's peers alone
// endorse it; an endorsement is not consent, the accepting transaction is.

// Private keys of the pair collection.
const (
	amountObject    = "amount"          // orderId: the amount on record
	amendmentObject = "amountAmendment" // orderId, proposalId: AmountAmendment
	// orderId: the MSP ID of the org that last wrote the amount, as bare
	// bytes, so that any peer checks it against the public hash
	// (SHA-256 of the MSP ID) without the private data. It is no secret:
	// it is the buyer or the seller.
	recorderObject = "amountRecorder"
	// orderId, proposer's MSP ID: how many of that side's proposals wait
	// on the amount on record.
	openAmendmentsObject = "amountAmendmentsOpen"
)

// maxOpenAmendments caps the proposals of each side that wait on an
// order's amount, so that one side cannot grow the order's private history
// without end. It is counted per side, so that one side's proposals never
// use up the other's. An accepted amendment changes the amount, which
// supersedes every other proposal, so both counts start again from zero.
const maxOpenAmendments = 10

// stage is where an order stands, a dispute aside: a disputed order is
// judged by the status it returns to.
func stage(o *paymenttypes.Order) string {
	if o.Status == paymenttypes.Disputed {
		return o.StatusBeforeDispute
	}
	return o.Status
}

// pairOrder loads an order for a transaction on its amount and names the
// pair's collection. The caller's org must be the order's buyer or seller:
// this is checked before any collection is touched, so a third org is
// refused by the contract (FORBIDDEN), not by a peer's collection rules.
func pairOrder(stub shim.ChaincodeStubInterface, orderID, msp string) (*paymenttypes.Order, string, error) {
	o, err := loadOwn(stub, orderID, msp, "either")
	if err != nil {
		return nil, "", err
	}
	coll, ok := pairCollections[[2]string{o.Buyer, o.Seller}]
	if !ok {
		return nil, "", ccerr.New(ccerr.FailedPrecondition, "no private collection for %s and %s: the amount of an order with a non-member stays off chain", o.Buyer, o.Seller)
	}
	return o, coll, nil
}

// inStage refuses an order whose stage is not one of want; why says what
// the caller may do instead.
func inStage(o *paymenttypes.Order, why string, want ...string) error {
	if !slices.Contains(want, stage(o)) {
		return ccerr.New(ccerr.FailedPrecondition, "order %s is %s: %s", o.OrderID, o.Status, why)
	}
	return nil
}

// recorded reads the amount on record, nil when there is none.
func recorded(stub shim.ChaincodeStubInterface, coll, orderID string) (*paymenttypes.Amount, error) {
	k, err := key(amountObject, orderID)
	if err != nil {
		return nil, err
	}
	var a paymenttypes.Amount
	found, err := kit.GetPrivateJSON(stub, coll, k, &a)
	if err != nil || !found {
		return nil, err
	}
	return &a, nil
}

// transientAmount reads the amount sent as transient data and checks its
// fields, and that its salt is not the public transaction ID.
func transientAmount(stub shim.ChaincodeStubInterface) (paymenttypes.Amount, error) {
	var a paymenttypes.Amount
	if err := kit.TransientJSON(stub, paymenttypes.AmountTransientKey, &a); err != nil {
		return a, err
	}
	var salt rules.Checker
	salt.SaltNotFromTxID("salt", a.Salt, stub.GetTxID())
	return a, salt.Err()
}

// putAmount writes the amount on record and who wrote it (a.RecordedBy).
func putAmount(stub shim.ChaincodeStubInterface, coll, orderID string, a paymenttypes.Amount) error {
	k, err := key(amountObject, orderID)
	if err != nil {
		return err
	}
	if err := kit.PutPrivateJSON(stub, coll, k, a); err != nil {
		return err
	}
	rk, err := key(recorderObject, orderID)
	if err != nil {
		return err
	}
	if err := stub.PutPrivateData(coll, rk, []byte(a.RecordedBy)); err != nil {
		return fmt.Errorf("put %s of %s: %w", recorderObject, orderID, err)
	}
	return nil
}

// privateHash reads the public hash of a private key: every peer of the
// channel holds it, member of the collection or not, and the read goes into
// the read set, so a concurrent write of the key invalidates the reader.
func privateHash(stub shim.ChaincodeStubInterface, coll, object, orderID string) ([]byte, error) {
	k, err := key(object, orderID)
	if err != nil {
		return nil, err
	}
	h, err := stub.GetPrivateDataHash(coll, k)
	if err != nil {
		return nil, fmt.Errorf("read the hash of %s %s: %w", object, orderID, err)
	}
	return h, nil
}

// bindAmount returns the hex hash of the amount on record for an order
// being accepted, when the seller wrote that amount last; "" when the
// order has none (a non-member seller's amount stays off chain). The buyer
// accepts only an amount the seller has stated, so when sellerMust, the
// buyer's own acceptance, it refuses an order with no amount on record or
// whose amount the seller did not write last. A deemed acceptance
// (!sellerMust) is never refused, but binds no amount the buyer wrote
// last: the buyer's silence cannot make its own figure binding.
func bindAmount(stub shim.ChaincodeStubInterface, o *paymenttypes.Order, sellerMust bool) (string, error) {
	coll, ok := pairCollections[[2]string{o.Buyer, o.Seller}]
	if !ok {
		return "", nil
	}
	h, err := privateHash(stub, coll, amountObject, o.OrderID)
	if err != nil {
		return "", err
	}
	if len(h) == 0 {
		if !sellerMust {
			return "", nil
		}
		return "", ccerr.New(ccerr.FailedPrecondition, "order %s has no amount on record; %s records it (PutOrderAmount) before %s accepts", o.OrderID, o.Seller, o.Buyer)
	}
	rh, err := privateHash(stub, coll, recorderObject, o.OrderID)
	if err != nil {
		return "", err
	}
	if seller := sha256.Sum256([]byte(o.Seller)); !bytes.Equal(rh, seller[:]) {
		if !sellerMust {
			return "", nil
		}
		return "", ccerr.New(ccerr.FailedPrecondition, "the amount on record of order %s was last written by %s; %s records it again (PutOrderAmount) before %s accepts",
			o.OrderID, o.Buyer, o.Seller, o.Buyer)
	}
	return hex.EncodeToString(h), nil
}

// PutOrderAmount records the order's amount, from transient data, in the
// buyer-seller collection only: the transaction writes nothing else, so the
// collection's pair policy endorses it. The buyer or the seller records it,
// and may correct it, until the buyer accepts the delivery or the
// acceptance window closes, whichever is first: after the window only
// ApplyDeadlines decides, on the amount as the window left it. The buyer
// accepts only an amount the seller wrote last (bindAmount).
func (c *Contract) PutOrderAmount(ctx contractapi.TransactionContextInterface, orderID string) error {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return err
	}
	stub := tx.Stub
	o, coll, err := pairOrder(stub, orderID, tx.Caller.MSP)
	if err != nil {
		return err
	}
	if err := inStage(o, "after acceptance the amount changes only by an amendment the other side accepts",
		paymenttypes.Created, paymenttypes.Shipped); err != nil {
		return err
	}
	if stage(o) == paymenttypes.Shipped {
		if err := inWindow(o, tx.Time); err != nil {
			return err
		}
	}
	a, err := transientAmount(stub)
	if err != nil {
		return err
	}
	a.RecordedBy = tx.Caller.MSP
	if err := putAmount(stub, coll, orderID, a); err != nil {
		return err
	}
	return kit.Emit(stub, paymenttypes.EvAmountRecorded, paymenttypes.AmountRecorded{OrderID: orderID, Collection: coll, RecordedBy: a.RecordedBy})
}

const amendWhen = "an amount is amended between acceptance and settlement; before acceptance PutOrderAmount records it, after settlement it is final"

// ProposeAmountAmendment proposes, as the buyer or the seller, a new amount
// (transient, as for PutOrderAmount) for an accepted or paid order. The
// proposal, identified by its transaction id, takes effect only when the
// other side accepts it.
func (c *Contract) ProposeAmountAmendment(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.AmendmentRef, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	o, coll, err := pairOrder(stub, orderID, tx.Caller.MSP)
	if err != nil {
		return nil, err
	}
	if err := inStage(o, amendWhen, paymenttypes.Accepted, paymenttypes.Paid); err != nil {
		return nil, err
	}
	a, err := transientAmount(stub)
	if err != nil {
		return nil, err
	}
	a.RecordedBy = tx.Caller.MSP
	openKey, open, err := openAmendments(stub, coll, orderID, tx.Caller.MSP)
	if err != nil {
		return nil, err
	}
	if open >= maxOpenAmendments {
		return nil, ccerr.New(ccerr.FailedPrecondition, "order %s has %d open amendment proposals by %s, the most allowed per side; the other side accepts one first",
			orderID, open, tx.Caller.MSP)
	}
	cur, err := recorded(stub, coll, orderID)
	if err != nil {
		return nil, err
	}
	am := &paymenttypes.AmountAmendment{SchemaVersion: kit.SchemaVersion, ProposalID: stub.GetTxID(), OrderID: orderID, Amount: a,
		Replaces: cur, ProposedBy: tx.Caller.MSP, ProposedAt: tx.Time, Status: paymenttypes.AmendmentProposed}
	k, err := key(amendmentObject, orderID, am.ProposalID)
	if err != nil {
		return nil, err
	}
	if err := kit.PutPrivateJSON(stub, coll, k, am); err != nil {
		return nil, err
	}
	if err := kit.PutPrivateJSON(stub, coll, openKey, open+1); err != nil {
		return nil, err
	}
	ref := refOf(am, coll)
	return &ref, kit.Emit(stub, paymenttypes.EvAmountAmendmentProposed, paymenttypes.AmountAmendmentProposed(ref))
}

// AcceptAmountAmendment is the other side's consent to a proposed
// amendment: the proposed amount goes on record, and the amendment keeps
// the amount it replaced. The proposer's own org cannot accept it, and a
// proposal is refused once the amount it would replace has changed.
func (c *Contract) AcceptAmountAmendment(ctx contractapi.TransactionContextInterface, orderID, proposalID string) (*paymenttypes.AmendmentRef, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	stub, caller := tx.Stub, tx.Caller
	o, coll, err := pairOrder(stub, orderID, caller.MSP)
	if err != nil {
		return nil, err
	}
	if err := inStage(o, amendWhen, paymenttypes.Accepted, paymenttypes.Paid); err != nil {
		return nil, err
	}
	k, err := key(amendmentObject, orderID, proposalID)
	if err != nil {
		return nil, ccerr.Field(ccerr.InvalidArgument, "proposalId", "key", "%v", err)
	}
	var am paymenttypes.AmountAmendment
	found, err := kit.GetPrivateJSON(stub, coll, k, &am)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ccerr.New(ccerr.NotFound, "order %s has no amendment %s", orderID, proposalID)
	}
	if am.ProposedBy == caller.MSP {
		return nil, ccerr.New(ccerr.Forbidden, "%s proposed amendment %s; the other side of order %s accepts it", caller.MSP, proposalID, orderID)
	}
	if am.Status != paymenttypes.AmendmentProposed {
		return nil, ccerr.New(ccerr.FailedPrecondition, "amendment %s of order %s is %s", proposalID, orderID, am.Status)
	}
	cur, err := recorded(stub, coll, orderID)
	if err != nil {
		return nil, err
	}
	if !sameAmount(cur, am.Replaces) {
		return nil, ccerr.New(ccerr.FailedPrecondition, "amendment %s of order %s is superseded: the amount on record changed since it was proposed", proposalID, orderID)
	}
	am.Status, am.AcceptedBy, am.AcceptedAt = paymenttypes.AmendmentAccepted, caller.MSP, tx.Time
	if err := kit.PutPrivateJSON(stub, coll, k, am); err != nil {
		return nil, err
	}
	if err := putAmount(stub, coll, orderID, am.Amount); err != nil {
		return nil, err
	}
	// The amount changed: every other proposal, of either side, is superseded.
	for _, side := range []string{o.Buyer, o.Seller} {
		openKey, err := key(openAmendmentsObject, orderID, side)
		if err != nil {
			return nil, err
		}
		if err := kit.PutPrivateJSON(stub, coll, openKey, 0); err != nil {
			return nil, err
		}
	}
	ref := refOf(&am, coll)
	return &ref, kit.Emit(stub, paymenttypes.EvAmountAmended, paymenttypes.AmountAmended(ref))
}

// openAmendments reads how many of proposer's proposals wait on the amount
// on record. It is a counter, not a scan: Fabric refuses writes in a
// transaction that ran a private range query.
func openAmendments(stub shim.ChaincodeStubInterface, coll, orderID, proposer string) (string, int, error) {
	k, err := key(openAmendmentsObject, orderID, proposer)
	if err != nil {
		return "", 0, err
	}
	var n int
	if _, err := kit.GetPrivateJSON(stub, coll, k, &n); err != nil {
		return "", 0, err
	}
	return k, n, nil
}

func sameAmount(a, b *paymenttypes.Amount) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func refOf(am *paymenttypes.AmountAmendment, coll string) paymenttypes.AmendmentRef {
	return paymenttypes.AmendmentRef{OrderID: am.OrderID, ProposalID: am.ProposalID, Status: am.Status,
		ProposedBy: am.ProposedBy, AcceptedBy: am.AcceptedBy, Collection: coll}
}

// GetAmount reads an order's amount from the pair's collection, for the
// buyer or the seller; only their peers hold it.
func (c *Contract) GetAmount(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Amount, error) {
	stub := ctx.GetStub()
	caller, err := kit.Caller(ctx)
	if err != nil {
		return nil, err
	}
	_, coll, err := pairOrder(stub, orderID, caller.MSP)
	if err != nil {
		return nil, err
	}
	a, err := recorded(stub, coll, orderID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, ccerr.New(ccerr.NotFound, "no amount recorded for order %s", orderID)
	}
	return a, nil
}

// GetAmountAmendments lists an order's amendments, proposed and accepted,
// oldest first, for the buyer or the seller: the history of its amount.
func (c *Contract) GetAmountAmendments(ctx contractapi.TransactionContextInterface, orderID string) ([]paymenttypes.AmountAmendment, error) {
	stub := ctx.GetStub()
	caller, err := kit.Caller(ctx)
	if err != nil {
		return nil, err
	}
	_, coll, err := pairOrder(stub, orderID, caller.MSP)
	if err != nil {
		return nil, err
	}
	it, err := stub.GetPrivateDataByPartialCompositeKey(coll, amendmentObject, []string{orderID})
	if err != nil {
		return nil, fmt.Errorf("scan the amendments of %s: %w", orderID, err)
	}
	out, err := kit.Collect[paymenttypes.AmountAmendment](it)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b paymenttypes.AmountAmendment) int {
		return cmp.Or(a.ProposedAt.Compare(b.ProposedAt), cmp.Compare(a.ProposalID, b.ProposalID))
	})
	return out, nil
}
