// Package paymenttypes holds the payment contract's request, response and
// record types, their field rules and its event names. It imports neither
// the contract API nor the shim, so the gateway can use it without linking
// the chaincode.
package paymenttypes

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// Rules of docs/domain.md, "Paying suppliers" (State Council Decree No. 802 and the auto
// industry's pledge; electronic receivable vouchers).
const (
	// AcceptanceWorkingDays is the buyer's window to accept or reject a delivery.
	AcceptanceWorkingDays = 3
	// SMEMaxDays: an SME's due date is never later than delivery + 60 days.
	SMEMaxDays = 60
	// ReceivableDefaultMaxDays and ReceivableHardMaxDays bound a receivable's tenor.
	ReceivableDefaultMaxDays = 180
	ReceivableHardMaxDays    = 365
	// WholeBP is a whole receivable in basis points.
	WholeBP = 10000
)

// Order statuses.
const (
	Created  = "created"
	Shipped  = "shipped"
	Accepted = "accepted"
	Rejected = "rejected"
	Paid     = "paid"
	Settled  = "settled"
	Disputed = "disputed"
)

// AmountTransientKey is the transient field carrying Amount.
const AmountTransientKey = "amount"

// ValidateOrderID is the rule for an order ID (the shared code rule); the
// gateway checks the {id} path parameter with it.
func ValidateOrderID(field, v string) error { return rules.ValidateCode(field, v) }

// Party is a trading party: a channel org (ID = its MSP ID) or a
// sub-supplier that is not a channel member, registered by an org.
type Party struct {
	SchemaVersion int    `json:"schemaVersion"`
	ID            string `json:"id"`
	Name          string `json:"name"`
	SME           bool   `json:"sme"`
	Member        bool   `json:"member"`
	RegisteredBy  string `json:"registeredBy"`
	// Version is 1 when registered and counts each update; every version
	// stays in the key's history. An order keeps the SME status of the
	// version it was created under (Order.SellerSME).
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updatedAt,omitzero" metadata:",optional"`
	// UpdatedBy and PreviousSME describe the last update: who made it and
	// the SME status before it (SME status is self-declared).
	UpdatedBy   string `json:"updatedBy,omitempty" metadata:",optional"`
	PreviousSME bool   `json:"previousSme,omitempty" metadata:",optional"`
}

// PartyRequest registers a party.
type PartyRequest struct {
	ID   string `json:"id" validate:"code"`
	Name string `json:"name" validate:"required,max=100"`
	SME  bool   `json:"sme"`
}

// Validate checks the fields.
func (r PartyRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// PartyUpdate is a party's name and SME status as they are now: an update
// replaces both (an sme left out is false), like a registration does.
type PartyUpdate struct {
	Name string `json:"name" validate:"required,max=100"`
	SME  bool   `json:"sme"`
}

// Validate checks the fields.
func (r PartyUpdate) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Line is one order line.
type Line struct {
	PartNumber string `json:"partNumber" validate:"code"`
	Quantity   int64  `json:"quantity" validate:"min=1,max=1000000000"`
}

// OrderRequest creates an order; the buyer is the caller's org.
type OrderRequest struct {
	OrderID              string    `json:"orderId" validate:"code"`
	Seller               string    `json:"seller" validate:"code"`
	Lines                []Line    `json:"lines" validate:"min=1,max=500,dive"`
	PaymentTermsDays     int       `json:"paymentTermsDays" validate:"min=0,max=365"`
	ExpectedDeliveryDate time.Time `json:"expectedDeliveryDate" validate:"required"`
}

// Validate checks the fields.
func (r OrderRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Order is an order's public state; its amount is private to the pair.
// SellerSME is the seller's SME status when the order was created: the SME
// rules of the order follow it, whatever the party's later updates say.
type Order struct {
	SchemaVersion        int       `json:"schemaVersion"`
	OrderID              string    `json:"orderId"`
	Buyer                string    `json:"buyer"`
	Seller               string    `json:"seller"`
	SellerSME            bool      `json:"sellerSme"`
	Lines                []Line    `json:"lines"`
	PaymentTermsDays     int       `json:"paymentTermsDays"`
	ExpectedDeliveryDate time.Time `json:"expectedDeliveryDate"`
	Status               string    `json:"status"`
	// StatusBeforeDispute is restored when a dispute is resolved.
	StatusBeforeDispute string    `json:"statusBeforeDispute,omitempty" metadata:",optional"`
	CreatedAt           time.Time `json:"createdAt"`
	ShipmentRef         string    `json:"shipmentRef,omitempty" metadata:",optional"`
	DeliveredAt         time.Time `json:"deliveredAt,omitzero" metadata:",optional"`
	Serials             []string  `json:"serials,omitempty" metadata:",optional"`
	// AcceptBy is the end of the acceptance window (exclusive).
	AcceptBy         time.Time `json:"acceptBy,omitzero" metadata:",optional"`
	AcceptedAt       time.Time `json:"acceptedAt,omitzero" metadata:",optional"`
	AutoAccepted     bool      `json:"autoAccepted"`
	RejectReason     string    `json:"rejectReason,omitempty" metadata:",optional"`
	DueDate          time.Time `json:"dueDate,omitzero" metadata:",optional"`
	Overdue          bool      `json:"overdue"`
	BankRef          string    `json:"bankRef,omitempty" metadata:",optional"`
	Instrument       string    `json:"instrument,omitempty" metadata:",optional"`
	PaidAt           time.Time `json:"paidAt,omitzero" metadata:",optional"`
	SettledAt        time.Time `json:"settledAt,omitzero" metadata:",optional"`
	ReceivableID     string    `json:"receivableId,omitempty" metadata:",optional"`
	AmountCollection string    `json:"amountCollection,omitempty" metadata:",optional"`
	// AmountHash is the hex SHA-256 of the amount record (GetPrivateDataHash)
	// when the order was accepted: the one amount the acceptance binds to.
	// Empty when no amount is bound: a non-member seller's order, or a
	// deemed acceptance of an amount the buyer wrote last.
	AmountHash string `json:"amountHash,omitempty" metadata:",optional"`
}

// DeliveryRequest records the seller's delivery.
type DeliveryRequest struct {
	ShipmentRef  string    `json:"shipmentRef" validate:"required,max=64"`
	DeliveryDate time.Time `json:"deliveryDate" validate:"required"`
	Serials      []string  `json:"serials,omitempty" metadata:",optional" validate:"max=1000"`
}

// Validate checks the fields.
func (r DeliveryRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// OrderNote gives a reason (rejection, dispute, resolution).
type OrderNote struct {
	Reason string `json:"reason" validate:"required,max=500"`
}

// Validate checks the fields.
func (r OrderNote) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Instruments allowed: cash, or a bank acceptance bill; never a
// non-cash instrument that stretches the terms.
var Instruments = rules.Enum("instrument", "cash", "bank-acceptance-bill")

// PaymentRequest records the buyer's payment.
type PaymentRequest struct {
	BankRef    string `json:"bankRef" validate:"required,max=64"`
	Instrument string `json:"instrument" validate:"instrument"`
}

// Validate checks the fields.
func (r PaymentRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Amount is an order's value, in the pair's private data collection.
type Amount struct {
	AmountMinor int64  `json:"amountMinor" validate:"min=1,max=9007199254740992"`
	Currency    string `json:"currency" validate:"iso4217"`
	// Salt is the client's random value (rules.SaltPattern: at least 128
	// bits), so the amount's hash, which every peer holds, cannot be found
	// by hashing likely amounts.
	Salt string `json:"salt" validate:"salt"`
	// RecordedBy is the org whose transaction last wrote the amount, set
	// by the contract (a value sent by the client is overwritten).
	RecordedBy string `json:"recordedBy,omitempty" metadata:",optional"`
}

// Validate checks the fields.
func (a Amount) Validate() error {
	var c rules.Checker
	c.Struct(a)
	return c.Err()
}

// Share is one part of a receivable, in basis points of the whole.
type Share struct {
	ShareID string `json:"shareId"`
	Parent  string `json:"parent,omitempty" metadata:",optional"`
	Holder  string `json:"holder"`
	BP      int64  `json:"bp"`
}

// Receivable is an electronic receivable voucher for one obligation.
type Receivable struct {
	SchemaVersion int       `json:"schemaVersion"`
	ReceivableID  string    `json:"receivableId"`
	OrderID       string    `json:"orderId"`
	Payer         string    `json:"payer"`
	IssuedAt      time.Time `json:"issuedAt"`
	MaturesAt     time.Time `json:"maturesAt"`
	Shares        []Share   `json:"shares"`
	Settled       bool      `json:"settled"`
}

// ShareSplitRequest splits a share: BP of it become a new share.
type ShareSplitRequest struct {
	BP int64 `json:"bp" validate:"min=1,max=9999"`
}

// Validate checks the fields.
func (r ShareSplitRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// ShareTransferRequest passes a share to another registered party.
type ShareTransferRequest struct {
	To string `json:"to" validate:"code"`
}

// Validate checks the fields.
func (r ShareTransferRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	return c.Err()
}

// Position is one open payable or receivable of a party.
type Position struct {
	OrderID      string    `json:"orderId"`
	Counterparty string    `json:"counterparty"`
	DueDate      time.Time `json:"dueDate"`
	ReceivableID string    `json:"receivableId,omitempty" metadata:",optional"`
	ShareID      string    `json:"shareId,omitempty" metadata:",optional"`
	BP           int64     `json:"bp"`
	Overdue      bool      `json:"overdue"`
}

// Positions answers payment:Positions.
type Positions struct {
	Party       string     `json:"party"`
	Payables    []Position `json:"payables"`
	Receivables []Position `json:"receivables"`
}

// Amendment statuses. A proposal that was never accepted stays proposed;
// it can no longer be accepted once the amount it would replace changed.
const (
	AmendmentProposed = "proposed"
	AmendmentAccepted = "accepted"
)

// AmountAmendment is one side's proposed change of an accepted order's
// amount, kept in the pair's collection for good: once the other side
// accepted it, it also records the amount it replaced, so the amendments
// of an order are its amount's history.
type AmountAmendment struct {
	SchemaVersion int    `json:"schemaVersion"`
	ProposalID    string `json:"proposalId"`
	OrderID       string `json:"orderId"`
	Amount        Amount `json:"amount"`
	// Replaces is the amount on record when the amendment was proposed
	// (none when no amount had been recorded); acceptance requires it to
	// be still on record.
	Replaces   *Amount   `json:"replaces,omitempty" metadata:",optional"`
	ProposedBy string    `json:"proposedBy"`
	ProposedAt time.Time `json:"proposedAt"`
	Status     string    `json:"status"`
	AcceptedBy string    `json:"acceptedBy,omitempty" metadata:",optional"`
	AcceptedAt time.Time `json:"acceptedAt,omitzero" metadata:",optional"`
}

// AmendmentRef is what the amendment transactions answer: an amendment
// without its amounts, because a transaction's answer is written to the
// public block.
type AmendmentRef struct {
	OrderID    string `json:"orderId"`
	ProposalID string `json:"proposalId"`
	Status     string `json:"status"`
	ProposedBy string `json:"proposedBy"`
	AcceptedBy string `json:"acceptedBy,omitempty" metadata:",optional"`
	Collection string `json:"collection"`
}
