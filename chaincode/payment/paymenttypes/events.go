package paymenttypes

import "time"

// The payload of each payment chaincode event, named after it.

// PartyRegistered is the payload of EvPartyRegistered.
type PartyRegistered struct {
	ID     string `json:"id"`
	SME    bool   `json:"sme"`
	Member bool   `json:"member"`
}

// PartyUpdated is the payload of EvPartyUpdated: the party's SME status
// from this version on.
type PartyUpdated struct {
	ID          string `json:"id"`
	SME         bool   `json:"sme"`
	PreviousSME bool   `json:"previousSme"`
	UpdatedBy   string `json:"updatedBy"`
	Version     int    `json:"version"`
}

// OrderCreated is the payload of EvOrderCreated.
type OrderCreated struct {
	OrderID string `json:"orderId"`
	Buyer   string `json:"buyer"`
	Seller  string `json:"seller"`
}

// AmountRecorded is the payload of EvAmountRecorded: the amount itself
// stays in the named private collection.
type AmountRecorded struct {
	OrderID    string `json:"orderId"`
	Collection string `json:"collection"`
	RecordedBy string `json:"recordedBy"`
}

// AmountAmendmentProposed is the payload of EvAmountAmendmentProposed:
// which order, which proposal and who proposed it; no amount.
type AmountAmendmentProposed AmendmentRef

// AmountAmended is the payload of EvAmountAmended: the other side accepted
// the proposal; no amount.
type AmountAmended AmendmentRef

// OrderShipped is the payload of EvOrderShipped; the buyer may accept or
// reject until AcceptBy.
type OrderShipped struct {
	OrderID     string    `json:"orderId"`
	DeliveredAt time.Time `json:"deliveredAt"`
	AcceptBy    time.Time `json:"acceptBy"`
}

// PaymentDue is the payload of EvPaymentDue.
type PaymentDue struct {
	OrderID      string    `json:"orderId"`
	Payer        string    `json:"payer"`
	Payee        string    `json:"payee"`
	DueDate      time.Time `json:"dueDate"`
	AutoAccepted bool      `json:"autoAccepted"`
}

// OrderRejected is the payload of EvOrderRejected.
type OrderRejected struct {
	OrderID string `json:"orderId"`
	Reason  string `json:"reason"`
}

// PaymentOverdue is the payload of EvPaymentOverdue.
type PaymentOverdue struct {
	OrderID string    `json:"orderId"`
	Payer   string    `json:"payer"`
	DueDate time.Time `json:"dueDate"`
}

// PaymentRecorded is the payload of EvPaymentRecorded.
type PaymentRecorded struct {
	OrderID string `json:"orderId"`
	BankRef string `json:"bankRef"`
}

// Holder is one payee at settlement and the basis points it is owed.
type Holder struct {
	Party string `json:"party"`
	BP    int64  `json:"bp"`
}

// PaymentSettled is the payload of EvPaymentSettled: every holder is owed
// its share that day. ReceivableID is "" when no receivable was issued.
type PaymentSettled struct {
	OrderID      string    `json:"orderId"`
	Payer        string    `json:"payer"`
	SettledAt    time.Time `json:"settledAt"`
	ReceivableID string    `json:"receivableId"`
	Holders      []Holder  `json:"holders"`
}

// DisputeOpened is the payload of EvDisputeOpened.
type DisputeOpened struct {
	OrderID string `json:"orderId"`
	By      string `json:"by"`
	Reason  string `json:"reason"`
}

// DisputeResolved is the payload of EvDisputeResolved, with the fields of
// DisputeOpened.
type DisputeResolved DisputeOpened

// ReceivableIssued is the payload of EvReceivableIssued.
type ReceivableIssued struct {
	ReceivableID string    `json:"receivableId"`
	Holder       string    `json:"holder"`
	MaturesAt    time.Time `json:"maturesAt"`
}

// ReceivableSplit is the payload of EvReceivableSplit: BP basis points of
// share From became share NewShare.
type ReceivableSplit struct {
	ReceivableID string `json:"receivableId"`
	From         string `json:"from"`
	NewShare     string `json:"newShare"`
	BP           int64  `json:"bp"`
}

// ReceivableTransferred is the payload of EvReceivableTransferred.
type ReceivableTransferred struct {
	ReceivableID string `json:"receivableId"`
	Share        string `json:"share"`
	From         string `json:"from"`
	To           string `json:"to"`
	BP           int64  `json:"bp"`
}
