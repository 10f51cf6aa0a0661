package paymenttypes

// Event names, one per transaction: the name of the chaincode event a
// transaction sets, which the gateway streams and delivers to webhooks.
const (
	EvPartyRegistered       = "PartyRegistered"
	EvPartyUpdated          = "PartyUpdated"
	EvOrderCreated          = "OrderCreated"
	EvAmountRecorded        = "AmountRecorded"
	EvOrderShipped          = "OrderShipped"
	EvPaymentDue            = "PaymentDue"
	EvOrderRejected         = "OrderRejected"
	EvPaymentOverdue        = "PaymentOverdue"
	EvPaymentRecorded       = "PaymentRecorded"
	EvPaymentSettled        = "PaymentSettled"
	EvDisputeOpened         = "DisputeOpened"
	EvDisputeResolved       = "DisputeResolved"
	EvReceivableIssued      = "ReceivableIssued"
	EvReceivableSplit       = "ReceivableSplit"
	EvReceivableTransferred = "ReceivableTransferred"

	// An accepted order's amount: proposed by one side, accepted by the other.
	EvAmountAmendmentProposed = "AmountAmendmentProposed"
	EvAmountAmended           = "AmountAmended"
)
