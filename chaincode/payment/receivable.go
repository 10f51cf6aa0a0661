package payment

import (
	"fmt"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// IssueReceivable gives the seller of an accepted order an electronic
// receivable maturing at the due date: at most 180 days after issue (365
// is the hard ceiling of the rules; this consortium keeps the default).
func (c *Contract) IssueReceivable(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Receivable, error) {
	tx, o, err := c.step(ctx, nil, orderID, "seller", paymenttypes.Accepted)
	if err != nil {
		return nil, err
	}
	stub, ts := tx.Stub, tx.Time
	if o.ReceivableID != "" {
		return nil, ccerr.New(ccerr.AlreadyExists, "order %s already has receivable %s", orderID, o.ReceivableID)
	}
	if o.DueDate.After(ts.AddDate(0, 0, paymenttypes.ReceivableDefaultMaxDays)) {
		return nil, ccerr.New(ccerr.FailedPrecondition, "the obligation falls due on %s, more than %d days after issue",
			o.DueDate.Format(paymenttypes.DateLayout), paymenttypes.ReceivableDefaultMaxDays)
	}
	r := &paymenttypes.Receivable{SchemaVersion: kit.SchemaVersion, ReceivableID: orderID + "-R", OrderID: orderID, Payer: o.Buyer,
		IssuedAt: ts, MaturesAt: o.DueDate, Shares: []paymenttypes.Share{{ShareID: "1", Holder: o.Seller, BP: paymenttypes.WholeBP}}}
	o.ReceivableID = r.ReceivableID
	if err := put(stub, r, "receivable", r.ReceivableID); err != nil {
		return nil, err
	}
	// The obligation is now held as a voucher share.
	if err := setIndex(stub, false, dueToObject, o.Seller, orderID); err != nil {
		return nil, err
	}
	if err := setIndex(stub, true, holdingObject, o.Seller, r.ReceivableID, "1"); err != nil {
		return nil, err
	}
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return r, kit.Emit(stub, paymenttypes.EvReceivableIssued, paymenttypes.ReceivableIssued{ReceivableID: r.ReceivableID, Holder: o.Seller, MaturesAt: r.MaturesAt})
}

// holderShare finds share id and checks that the caller's org may act for
// its holder: the holder itself, or the org that registered the holder.
func holderShare(stub shim.ChaincodeStubInterface, r *paymenttypes.Receivable, id, msp string) (int, error) {
	if r.Settled {
		return 0, ccerr.New(ccerr.FailedPrecondition, "receivable %s is settled", r.ReceivableID)
	}
	i := -1
	for j, s := range r.Shares {
		if s.ShareID == id {
			i = j
		}
	}
	if i < 0 {
		return 0, ccerr.New(ccerr.NotFound, "receivable %s has no share %s", r.ReceivableID, id)
	}
	holder := r.Shares[i].Holder
	if holder == msp {
		return i, nil
	}
	p, err := get[paymenttypes.Party](stub, "party", "party", holder)
	if err != nil {
		return 0, err
	}
	if p.RegisteredBy != msp || isMember(p.ID) {
		return 0, ccerr.New(ccerr.Forbidden, "share %s of %s is held by %s; %s may not move it", id, r.ReceivableID, holder, msp)
	}
	return i, nil
}

// share begins a transaction on one share of a receivable: time, input,
// the receivable, and the index of the share, which the caller's org must
// be able to move.
func (c *Contract) share(ctx contractapi.TransactionContextInterface, req interface{ Validate() error }, receivableID, shareID string) (kit.Tx, *paymenttypes.Receivable, int, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return tx, nil, 0, err
	}
	r, err := get[paymenttypes.Receivable](tx.Stub, "receivable", "receivable", receivableID)
	if err != nil {
		return tx, nil, 0, err
	}
	i, err := holderShare(tx.Stub, r, shareID, tx.Caller.MSP)
	return tx, r, i, err
}

// Split cuts bp basis points off a share into a new share with the same
// holder. The shares always sum to the whole; a split beyond what the share
// holds is refused.
func (c *Contract) Split(ctx contractapi.TransactionContextInterface, receivableID, shareID string, req paymenttypes.ShareSplitRequest) (*paymenttypes.Receivable, error) {
	tx, r, i, err := c.share(ctx, req, receivableID, shareID)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	if req.BP >= r.Shares[i].BP {
		return nil, ccerr.Field(ccerr.FailedPrecondition, "bp", "within_share", "share %s holds %d bp; a split must leave some", shareID, r.Shares[i].BP)
	}
	r.Shares[i].BP -= req.BP
	nid := fmt.Sprint(len(r.Shares) + 1)
	r.Shares = append(r.Shares, paymenttypes.Share{ShareID: nid, Parent: shareID, Holder: r.Shares[i].Holder, BP: req.BP})
	if err := put(stub, r, "receivable", r.ReceivableID); err != nil {
		return nil, err
	}
	if err := setIndex(stub, true, holdingObject, r.Shares[i].Holder, r.ReceivableID, nid); err != nil {
		return nil, err
	}
	return r, kit.Emit(stub, paymenttypes.EvReceivableSplit, paymenttypes.ReceivableSplit{ReceivableID: receivableID, From: shareID, NewShare: nid, BP: req.BP})
}

// Transfer passes a whole share to another registered party: a member
// org, or a party that is no member and that the caller's org represents
// (registered). A share never reaches a non-member party through an org
// that does not represent it, so whoever registered an id first gains no
// share meant for someone else by it: the party squatting rule of
// docs/payments.md.
func (c *Contract) Transfer(ctx contractapi.TransactionContextInterface, receivableID, shareID string, req paymenttypes.ShareTransferRequest) (*paymenttypes.Receivable, error) {
	tx, r, i, err := c.share(ctx, req, receivableID, shareID)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	to, err := get[paymenttypes.Party](stub, "party", "party", req.To)
	if err != nil {
		return nil, err
	}
	if !isMember(to.ID) && to.RegisteredBy != tx.Caller.MSP {
		return nil, ccerr.Field(ccerr.Forbidden, "to", "represented_by_caller",
			"%s is not a channel member and is represented by %s, which registered it; only %s transfers shares to it (transfer to %s instead)",
			to.ID, to.RegisteredBy, to.RegisteredBy, to.RegisteredBy)
	}
	from := r.Shares[i].Holder
	if from == req.To {
		return nil, ccerr.Field(ccerr.InvalidArgument, "to", "other_party", "share %s is already held by %s", shareID, req.To)
	}
	r.Shares[i].Holder = req.To
	if err := put(stub, r, "receivable", r.ReceivableID); err != nil {
		return nil, err
	}
	if err := setIndex(stub, false, holdingObject, from, r.ReceivableID, shareID); err != nil {
		return nil, err
	}
	if err := setIndex(stub, true, holdingObject, req.To, r.ReceivableID, shareID); err != nil {
		return nil, err
	}
	return r, kit.Emit(stub, paymenttypes.EvReceivableTransferred, paymenttypes.ReceivableTransferred{ReceivableID: receivableID, Share: shareID, From: from,
		To: req.To, BP: r.Shares[i].BP})
}

// GetReceivable returns a receivable with its split tree (each share names its parent).
func (c *Contract) GetReceivable(ctx contractapi.TransactionContextInterface, receivableID string) (*paymenttypes.Receivable, error) {
	return get[paymenttypes.Receivable](ctx.GetStub(), "receivable", "receivable", receivableID)
}
