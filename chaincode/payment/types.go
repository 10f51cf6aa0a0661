package payment

// The request, response and record types live in paymenttypes, which the
// gateway imports without linking the chaincode; these aliases keep the
// contract's code and its callers reading payment.X.

import (
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
)

type (
	Party                = paymenttypes.Party
	PartyRequest         = paymenttypes.PartyRequest
	Line                 = paymenttypes.Line
	OrderRequest         = paymenttypes.OrderRequest
	Order                = paymenttypes.Order
	DeliveryRequest      = paymenttypes.DeliveryRequest
	OrderNote            = paymenttypes.OrderNote
	PaymentRequest       = paymenttypes.PaymentRequest
	Amount               = paymenttypes.Amount
	Share                = paymenttypes.Share
	Receivable           = paymenttypes.Receivable
	ShareSplitRequest    = paymenttypes.ShareSplitRequest
	ShareTransferRequest = paymenttypes.ShareTransferRequest
)

const (
	DateLayout               = paymenttypes.DateLayout
	MinCalendarYear          = paymenttypes.MinCalendarYear
	MaxCalendarYear          = paymenttypes.MaxCalendarYear
	AcceptanceWorkingDays    = paymenttypes.AcceptanceWorkingDays
	SMEMaxDays               = paymenttypes.SMEMaxDays
	ReceivableDefaultMaxDays = paymenttypes.ReceivableDefaultMaxDays
	ReceivableHardMaxDays    = paymenttypes.ReceivableHardMaxDays
	WholeBP                  = paymenttypes.WholeBP
	Created                  = paymenttypes.Created
	Shipped                  = paymenttypes.Shipped
	Accepted                 = paymenttypes.Accepted
	Rejected                 = paymenttypes.Rejected
	Paid                     = paymenttypes.Paid
	Settled                  = paymenttypes.Settled
	Disputed                 = paymenttypes.Disputed
)

var (
	Instruments = paymenttypes.Instruments
	ParseOffset = paymenttypes.ParseOffset
)

// ValidateOrderID is paymenttypes.ValidateOrderID: the shared code rule.
func ValidateOrderID(field, v string) error { return paymenttypes.ValidateOrderID(field, v) }
