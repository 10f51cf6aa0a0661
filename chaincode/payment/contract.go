// Package payment is the contract for supply-chain payment triggers:
// orders whose payment falls due by itself when delivery is accepted, the
// Chinese 2025 limits enforced rather than recorded, and receivables a
// supplier can split and pass to its own suppliers.
package payment

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Name is the contract's name.
const Name = "payment"

// pairCollections name the private collection of each buyer-seller pair.
var pairCollections = collections.Pairs()

func allFinance() []access.Grant {
	gs := make([]access.Grant, len(access.Members))
	for i, m := range access.Members {
		gs[i] = access.Allow(m, "finance")
	}
	return gs
}

func allAdmins() []access.Grant {
	gs := make([]access.Grant, len(access.Members))
	for i, m := range access.Members {
		gs[i] = access.Allow(m, "admin")
	}
	return gs
}

// Policy says who may call each transaction; buyer and seller rules are
// checked in the body.
var Policy = access.Policy{
	"payment:RegisterParty":   append(allFinance(), allAdmins()...),
	"payment:CreateOrder":     allFinance(),
	"payment:PutOrderAmount":  allFinance(),
	"payment:Ship":            append(allFinance(), access.Allow(access.SupplierMSP, "logistics")),
	"payment:Accept":          allFinance(),
	"payment:Reject":          allFinance(),
	"payment:ApplyDeadlines":  access.AnyMember(),
	"payment:RecordPayment":   allFinance(),
	"payment:ConfirmReceipt":  allFinance(),
	"payment:Dispute":         allFinance(),
	"payment:ResolveDispute":  allFinance(),
	"payment:IssueReceivable": allFinance(),
	"payment:Split":           allFinance(),
	"payment:Transfer":        allFinance(),
	"payment:GetOrder":        access.AnyMember(),
	"payment:GetReceivable":   access.AnyMember(),
	"payment:GetParty":        access.AnyMember(),
	"payment:GetAmount":       allFinance(),
	"payment:Positions":       access.AnyMember(),

	// An accepted order's amount changes by amendment: one side proposes,
	// the other accepts; either reads the history.
	"payment:ProposeAmountAmendment": allFinance(),
	"payment:AcceptAmountAmendment":  allFinance(),
	"payment:GetAmountAmendments":    allFinance(),

	// A party's registrar org (for a member, the member) updates it:
	// checked in the body.
	"payment:UpdateParty": allFinance(),
}

// Contract is the payment contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, []string{"GetOrder", "GetReceivable", "GetParty", "GetAmount", "GetAmountAmendments", "Positions"}, opts...)}
}

func key(object string, parts ...string) (string, error) {
	return shim.CreateCompositeKey(object, parts)
}

func get[T any](stub shim.ChaincodeStubInterface, what, object string, parts ...string) (*T, error) {
	k, err := key(object, parts...)
	if err != nil {
		return nil, ccerr.New(ccerr.InvalidArgument, "%s key: %v", what, err)
	}
	return kit.MustGet[T](stub, k, func() error {
		return ccerr.New(ccerr.NotFound, "%s %v does not exist", what, parts)
	})
}

func put(stub shim.ChaincodeStubInterface, v any, object string, parts ...string) error {
	k, err := key(object, parts...)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, k, v)
}

// exists reports whether get found the record: NOT_FOUND is false, any
// other error (a read that failed, a record that does not decode) is
// returned, since a read that fails is a fault, never "does not exist yet".
func exists[T any](_ *T, err error) (bool, error) {
	switch {
	case err == nil:
		return true, nil
	case ccerr.CodeOf(err) == ccerr.NotFound:
		return false, nil
	}
	return false, err
}

// mspShaped matches an id shaped like an MSP ID (rules.MSPPattern). Such an
// id names an org, a future member included, so no other org may register
// it as a party: once that org joined, it would hold shares sent to it
// through a record another org controls.
var mspShaped = regexp.MustCompile(rules.MSPPattern)

// isMember reports whether id is a channel member's MSP ID now. It is
// derived from access.Members at each use, never from a party's stored
// Member flag, which says only what was true at registration.
func isMember(id string) bool { return slices.Contains(access.Members, id) }

// RegisterParty registers a trading party: the caller's own org (ID = its
// MSP ID) or a sub-supplier that is not a channel member.
func (c *Contract) RegisterParty(ctx contractapi.TransactionContextInterface, req paymenttypes.PartyRequest) (*paymenttypes.Party, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	stub, caller := tx.Stub, tx.Caller
	if isMember(req.ID) && req.ID != caller.MSP {
		return nil, ccerr.Field(ccerr.Forbidden, "id", "own_org", "only %s registers itself as a party", req.ID)
	}
	if !isMember(req.ID) && mspShaped.MatchString(req.ID) {
		return nil, ccerr.Field(ccerr.Forbidden, "id", "msp_reserved",
			"%s has the shape of an MSP ID: it is reserved for the org of that MSP, which registers itself once it joins the channel", req.ID)
	}
	taken, err := exists(get[paymenttypes.Party](stub, "party", "party", req.ID))
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, ccerr.Field(ccerr.AlreadyExists, "id", "unique", "party %s already exists", req.ID)
	}
	p := &paymenttypes.Party{SchemaVersion: kit.SchemaVersion, ID: req.ID, Name: req.Name, SME: req.SME,
		Member: req.ID == caller.MSP, RegisteredBy: caller.MSP, Version: 1}
	if err := put(stub, p, "party", req.ID); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, paymenttypes.EvPartyRegistered, paymenttypes.PartyRegistered{ID: p.ID, SME: p.SME, Member: p.Member})
}

// UpdateParty sets a party's name and SME status, as its registrar org
// (for a member, the member itself) only. Each update is a new version of
// the party record, so the key's history holds every version; orders
// already created keep the SME status they were created under.
func (c *Contract) UpdateParty(ctx contractapi.TransactionContextInterface, id string, req paymenttypes.PartyUpdate) (*paymenttypes.Party, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	stub, caller := tx.Stub, tx.Caller
	p, err := get[paymenttypes.Party](stub, "party", "party", id)
	if err != nil {
		return nil, err
	}
	if p.RegisteredBy != caller.MSP {
		return nil, ccerr.New(ccerr.Forbidden, "party %s was registered by %s; only %s updates it", id, p.RegisteredBy, p.RegisteredBy)
	}
	if p.Version == 0 {
		p.Version = 1 // registered before versions were counted
	}
	// SME status is self-declared: the record and the event say what it was
	// and who changed it, so the counterparty sees every change.
	p.PreviousSME, p.UpdatedBy = p.SME, caller.MSP
	p.Name, p.SME, p.Version, p.UpdatedAt = req.Name, req.SME, p.Version+1, tx.Time
	if err := put(stub, p, "party", id); err != nil {
		return nil, err
	}
	return p, kit.Emit(stub, paymenttypes.EvPartyUpdated, paymenttypes.PartyUpdated{ID: p.ID, SME: p.SME, PreviousSME: p.PreviousSME,
		UpdatedBy: p.UpdatedBy, Version: p.Version})
}

// GetParty returns a party.
func (c *Contract) GetParty(ctx contractapi.TransactionContextInterface, id string) (*paymenttypes.Party, error) {
	return get[paymenttypes.Party](ctx.GetStub(), "party", "party", id)
}

// loadCalendars reads the calendars of the years around t.
func loadCalendars(stub shim.ChaincodeStubInterface, t time.Time) (calendars, error) {
	cs := calendars{}
	for _, y := range []int{t.Year(), t.Year() + 1} {
		cal, err := get[paymenttypes.Calendar](stub, "calendar", "calendar", fmt.Sprint(y))
		if ccerr.CodeOf(err) == ccerr.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		cs[y] = *cal
	}
	return cs, nil
}

// smeLimit is the latest due date an SME seller may be given for a delivery at t.
func smeLimit(delivered time.Time) time.Time { return delivered.AddDate(0, 0, paymenttypes.SMEMaxDays) }

// CreateOrder opens an order from the caller's org (the buyer) to a
// registered seller. For an SME seller, terms that could put the due date
// later than delivery + 60 days (acceptance taking the whole window after
// the expected delivery) are refused.
func (c *Contract) CreateOrder(ctx contractapi.TransactionContextInterface, req paymenttypes.OrderRequest) (*paymenttypes.Order, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return nil, err
	}
	stub, caller := tx.Stub, tx.Caller
	taken, err := exists(get[paymenttypes.Order](stub, "order", "order", req.OrderID))
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, ccerr.Field(ccerr.AlreadyExists, "orderId", "unique", "order %s already exists", req.OrderID)
	}
	seller, err := get[paymenttypes.Party](stub, "party", "party", req.Seller)
	if err != nil {
		return nil, err
	}
	if seller.ID == caller.MSP {
		return nil, ccerr.Field(ccerr.InvalidArgument, "seller", "not_self", "an org cannot order from itself")
	}
	if seller.SME {
		cs, err := loadCalendars(stub, req.ExpectedDeliveryDate)
		if err != nil {
			return nil, err
		}
		worst := cs.windowEnd(req.ExpectedDeliveryDate, paymenttypes.AcceptanceWorkingDays).AddDate(0, 0, req.PaymentTermsDays)
		if limit := smeLimit(req.ExpectedDeliveryDate); worst.After(limit) {
			return nil, ccerr.Field(ccerr.InvalidArgument, "paymentTermsDays", "sme_60_days",
				"%s is an SME: with %d days after acceptance the payment could fall due on %s, later than delivery + %d days (%s)",
				seller.ID, req.PaymentTermsDays, worst.Format(paymenttypes.DateLayout), paymenttypes.SMEMaxDays, limit.Format(paymenttypes.DateLayout))
		}
	}
	// The seller's SME status is kept with the order: a later update of the
	// party changes no order already made.
	o := &paymenttypes.Order{SchemaVersion: kit.SchemaVersion, OrderID: req.OrderID, Buyer: caller.MSP, Seller: seller.ID, SellerSME: seller.SME,
		Lines: req.Lines, PaymentTermsDays: req.PaymentTermsDays, ExpectedDeliveryDate: req.ExpectedDeliveryDate.UTC(),
		Status: paymenttypes.Created, CreatedAt: tx.Time}
	if err := put(stub, o, "order", o.OrderID); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvOrderCreated, paymenttypes.OrderCreated{OrderID: o.OrderID, Buyer: o.Buyer, Seller: o.Seller})
}

// loadOwn loads an order and requires the caller's org to be its buyer or seller.
func loadOwn(stub shim.ChaincodeStubInterface, orderID, msp, side string) (*paymenttypes.Order, error) {
	o, err := get[paymenttypes.Order](stub, "order", "order", orderID)
	if err != nil {
		return nil, err
	}
	want := o.Buyer
	if side == "seller" {
		want = o.Seller
	}
	if side == "either" && (msp == o.Buyer || msp == o.Seller) {
		return o, nil
	}
	if msp != want {
		return nil, ccerr.New(ccerr.Forbidden, "%s is not the %s of order %s", msp, side, orderID)
	}
	return o, nil
}

func saveOrder(stub shim.ChaincodeStubInterface, o *paymenttypes.Order) error {
	return put(stub, o, "order", o.OrderID)
}

func status(o *paymenttypes.Order, want ...string) error {
	if !slices.Contains(want, o.Status) {
		return ccerr.New(ccerr.FailedPrecondition, "order %s is %s; this needs %v", o.OrderID, o.Status, want)
	}
	return nil
}

// step begins a transaction on an order: kit.Begin, then the order, whose
// buyer, seller or either (as side says) the caller must be, and which must
// be in one of the wanted statuses.
func (c *Contract) step(ctx contractapi.TransactionContextInterface, req kit.Validator, orderID, side string, want ...string) (kit.Tx, *paymenttypes.Order, error) {
	tx, err := c.Config.Begin(ctx, req)
	if err != nil {
		return tx, nil, err
	}
	o, err := loadOwn(tx.Stub, orderID, tx.Caller.MSP, side)
	if err != nil {
		return tx, nil, err
	}
	return tx, o, status(o, want...)
}

// inWindow refuses a buyer's decision after the acceptance window.
func inWindow(o *paymenttypes.Order, ts time.Time) error {
	if !ts.Before(o.AcceptBy) {
		return ccerr.New(ccerr.FailedPrecondition, "the acceptance window of order %s closed at %s; ApplyDeadlines accepts it",
			o.OrderID, o.AcceptBy.Format(time.RFC3339))
	}
	return nil
}

// Ship records the seller's delivery; serials must have been shipped to
// the buyer in the part contract (in transit to it, or received by it).
func (c *Contract) Ship(ctx contractapi.TransactionContextInterface, orderID string, req paymenttypes.DeliveryRequest) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, req, orderID, "seller", paymenttypes.Created)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	if err := kit.NotAfterTx("deliveryDate", req.DeliveryDate, tx.Time); err != nil {
		return nil, err
	}
	for _, s := range req.Serials {
		p, err := part.Load(stub, s)
		if err != nil {
			return nil, err
		}
		if p.InTransitTo != o.Buyer && p.Holder != o.Buyer {
			return nil, ccerr.Field(ccerr.FailedPrecondition, "serials[]", "shipped_to_buyer", "part %s has not been shipped to %s", s, o.Buyer)
		}
	}
	cs, err := loadCalendars(stub, req.DeliveryDate)
	if err != nil {
		return nil, err
	}
	o.Status, o.ShipmentRef, o.DeliveredAt = paymenttypes.Shipped, req.ShipmentRef, req.DeliveryDate.UTC()
	o.Serials = req.Serials
	o.AcceptBy = cs.windowEnd(req.DeliveryDate, paymenttypes.AcceptanceWorkingDays)
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvOrderShipped, paymenttypes.OrderShipped{OrderID: o.OrderID, DeliveredAt: o.DeliveredAt, AcceptBy: o.AcceptBy})
}

// accept turns an order into a payment obligation at time at, bound to
// the amount on record (bindAmount): the buyer's own acceptance needs an
// amount the seller wrote last; a deemed one (auto) is never refused, and
// binds the amount only when the seller wrote it last.
func accept(stub shim.ChaincodeStubInterface, o *paymenttypes.Order, at time.Time, auto bool) error {
	h, err := bindAmount(stub, o, !auto)
	if err != nil {
		return err
	}
	o.AmountHash = h
	o.Status, o.AcceptedAt, o.AutoAccepted = paymenttypes.Accepted, at, auto
	o.DueDate = at.AddDate(0, 0, o.PaymentTermsDays)
	if o.SellerSME && o.DueDate.After(smeLimit(o.DeliveredAt)) {
		o.DueDate = smeLimit(o.DeliveredAt) // the stricter reading: never later than delivery + 60 days
	}
	if err := saveOrder(stub, o); err != nil {
		return err
	}
	if err := openObligation(stub, o); err != nil {
		return err
	}
	return kit.Emit(stub, paymenttypes.EvPaymentDue, paymenttypes.PaymentDue{OrderID: o.OrderID, Payer: o.Buyer, Payee: o.Seller,
		DueDate: o.DueDate, AutoAccepted: auto})
}

// Accept is the buyer's acceptance, within the window.
func (c *Contract) Accept(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, nil, orderID, "buyer", paymenttypes.Shipped)
	if err != nil {
		return nil, err
	}
	if err := inWindow(o, tx.Time); err != nil {
		return nil, err
	}
	return o, accept(tx.Stub, o, tx.Time, false)
}

// Reject is the buyer's rejection with a reason, within the window.
func (c *Contract) Reject(ctx contractapi.TransactionContextInterface, orderID string, req paymenttypes.OrderNote) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, req, orderID, "buyer", paymenttypes.Shipped)
	if err != nil {
		return nil, err
	}
	if err := inWindow(o, tx.Time); err != nil {
		return nil, err
	}
	stub := tx.Stub
	o.Status, o.RejectReason = paymenttypes.Rejected, req.Reason
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvOrderRejected, paymenttypes.OrderRejected{OrderID: orderID, Reason: req.Reason})
}

// ApplyDeadlines accepts an order whose window has passed (as of the window's
// end) and marks an unpaid obligation past its due date overdue. Anyone may
// call it, any number of times.
func (c *Contract) ApplyDeadlines(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Order, error) {
	tx, err := c.Config.Begin(ctx)
	if err != nil {
		return nil, err
	}
	stub, ts := tx.Stub, tx.Time
	o, err := get[paymenttypes.Order](stub, "order", "order", orderID)
	if err != nil {
		return nil, err
	}
	if o.Status == paymenttypes.Shipped && !ts.Before(o.AcceptBy) {
		return o, accept(stub, o, o.AcceptBy, true)
	}
	if o.Status == paymenttypes.Accepted && !o.Overdue && paymenttypes.IsOverdue(o.DueDate, ts) {
		o.Overdue = true
		if err := saveOrder(stub, o); err != nil {
			return nil, err
		}
		return o, kit.Emit(stub, paymenttypes.EvPaymentOverdue, paymenttypes.PaymentOverdue{OrderID: orderID, Payer: o.Buyer, DueDate: o.DueDate})
	}
	return o, nil
}

// RecordPayment is the buyer's payment with its bank reference.
func (c *Contract) RecordPayment(ctx contractapi.TransactionContextInterface, orderID string, req paymenttypes.PaymentRequest) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, req, orderID, "buyer", paymenttypes.Accepted)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	if req.Instrument == "bank-acceptance-bill" && !o.Overdue && paymenttypes.IsOverdue(o.DueDate, tx.Time) {
		return nil, ccerr.Field(ccerr.InvalidArgument, "instrument", "no_term_stretching", "a bill may not stretch terms past the due date")
	}
	o.Status, o.BankRef, o.Instrument, o.PaidAt = paymenttypes.Paid, req.BankRef, req.Instrument, tx.Time
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvPaymentRecorded, paymenttypes.PaymentRecorded{OrderID: orderID, BankRef: req.BankRef})
}

// ConfirmReceipt is the seller's confirmation; it settles the obligation
// and every current holder of the receivable is owed its share that day.
func (c *Contract) ConfirmReceipt(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, nil, orderID, "seller", paymenttypes.Paid)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	holders := []paymenttypes.Holder{{Party: o.Seller, BP: paymenttypes.WholeBP}}
	var voucher *paymenttypes.Receivable
	if o.ReceivableID != "" {
		r, err := get[paymenttypes.Receivable](stub, "receivable", "receivable", o.ReceivableID)
		if err != nil {
			return nil, err
		}
		voucher = r
		holders = holders[:0]
		for _, s := range r.Shares {
			holders = append(holders, paymenttypes.Holder{Party: s.Holder, BP: s.BP})
		}
		r.Settled = true
		if err := put(stub, r, "receivable", r.ReceivableID); err != nil {
			return nil, err
		}
	}
	o.Status, o.SettledAt = paymenttypes.Settled, tx.Time
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	if err := closeObligation(stub, o, voucher); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvPaymentSettled, paymenttypes.PaymentSettled{OrderID: orderID, Payer: o.Buyer, SettledAt: tx.Time,
		ReceivableID: o.ReceivableID, Holders: holders})
}

// Dispute holds an order (either side).
func (c *Contract) Dispute(ctx contractapi.TransactionContextInterface, orderID string, req paymenttypes.OrderNote) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, req, orderID, "either", paymenttypes.Shipped, paymenttypes.Accepted, paymenttypes.Paid)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	o.StatusBeforeDispute, o.Status = o.Status, paymenttypes.Disputed
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvDisputeOpened, paymenttypes.DisputeOpened{OrderID: orderID, By: tx.Caller.MSP, Reason: req.Reason})
}

// ResolveDispute releases a held order (either side).
func (c *Contract) ResolveDispute(ctx contractapi.TransactionContextInterface, orderID string, req paymenttypes.OrderNote) (*paymenttypes.Order, error) {
	tx, o, err := c.step(ctx, req, orderID, "either", paymenttypes.Disputed)
	if err != nil {
		return nil, err
	}
	stub := tx.Stub
	o.Status, o.StatusBeforeDispute = o.StatusBeforeDispute, ""
	if err := saveOrder(stub, o); err != nil {
		return nil, err
	}
	return o, kit.Emit(stub, paymenttypes.EvDisputeResolved, paymenttypes.DisputeResolved{OrderID: orderID, By: tx.Caller.MSP, Reason: req.Reason})
}

// GetOrder returns an order's public state.
func (c *Contract) GetOrder(ctx contractapi.TransactionContextInterface, orderID string) (*paymenttypes.Order, error) {
	return get[paymenttypes.Order](ctx.GetStub(), "order", "order", orderID)
}
