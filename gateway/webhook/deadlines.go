package webhook

import (
	"context"
	"encoding/json"
	"time"

	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	bolt "go.etcd.io/bbolt"
)

var deadlinesBucket = []byte("deadlines")

// A deadline is when an order's ApplyDeadlines has work to do: the end of
// its acceptance window (from OrderShipped) or the first instant it is
// overdue (from PaymentDue). The gateway applies deadlines then, so that
// acceptance and overdue marking happen without anyone having to remember.
type deadline struct {
	OrderID string    `json:"orderId"`
	At      time.Time `json:"at"`
}

// DeadlineApplier applies the deadlines of one order on the ledger.
type DeadlineApplier interface {
	ApplyDeadlines(ctx context.Context, orderID string) error
}

// LedgerApplier submits payment:ApplyDeadlines as As and waits for it.
type LedgerApplier struct {
	Submitter *fabric.Submitter
	As        auth.Principal
}

// ApplyDeadlines submits the transaction and waits for its commit.
func (a LedgerApplier) ApplyDeadlines(ctx context.Context, orderID string) error {
	r, err := a.Submitter.Submit(ctx, fabric.Request{Principal: a.As, Function: "payment:ApplyDeadlines", Args: []string{orderID}})
	if err != nil {
		return err
	}
	_, err = a.Submitter.Wait(ctx, r.TxID)
	return err
}

// noteDeadline records the deadline e sets, or forgets the one e ends, in
// the transaction that accepts e, and says whether e concerned one.
func noteDeadline(tx *bolt.Tx, e Event) (bool, error) {
	orderID, at, ok := deadlineOf(e)
	if !ok || orderID == "" {
		return false, nil
	}
	b, err := tx.CreateBucketIfNotExists(deadlinesBucket)
	if err != nil {
		return false, err
	}
	if at.IsZero() {
		return true, b.Delete([]byte(orderID))
	}
	raw, _ := json.Marshal(deadline{OrderID: orderID, At: at})
	return true, b.Put([]byte(orderID), raw)
}

// deadlineOf reads which order e is about and when that order's
// ApplyDeadlines next has work to do: a zero at when e leaves it nothing
// to apply (settled or rejected). ok is false for any other event.
func deadlineOf(e Event) (orderID string, at time.Time, ok bool) {
	switch e.Name {
	case paymenttypes.EvOrderShipped:
		p, ok := decode[paymenttypes.OrderShipped](e.Payload)
		return p.OrderID, p.AcceptBy, ok
	case paymenttypes.EvPaymentDue:
		p, ok := decode[paymenttypes.PaymentDue](e.Payload)
		return p.OrderID, overdueFrom(p.DueDate), ok
	case paymenttypes.EvPaymentSettled:
		p, ok := decode[paymenttypes.PaymentSettled](e.Payload)
		return p.OrderID, time.Time{}, ok
	case paymenttypes.EvOrderRejected:
		p, ok := decode[paymenttypes.OrderRejected](e.Payload)
		return p.OrderID, time.Time{}, ok
	}
	return "", time.Time{}, false
}

// overdueFrom is when ApplyDeadlines can mark an obligation due at due
// overdue: the chaincode's rule is that overdue is strictly after the due
// date; a second later leaves the transaction's own timestamp room.
func overdueFrom(due time.Time) time.Time { return due.Add(time.Second) }

// ApplyDue applies every deadline that has passed, and forgets those it
// applied; a failed one is tried again next round. Run calls it four
// times a second.
func (h *Hub) ApplyDue(ctx context.Context, a DeadlineApplier) {
	var due []deadline
	_ = h.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(deadlinesBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var d deadline
			if json.Unmarshal(v, &d) == nil && !d.At.After(h.now()) {
				due = append(due, d)
			}
			return nil
		})
	})
	for _, d := range due {
		if err := a.ApplyDeadlines(ctx, d.OrderID); err != nil {
			h.log.Warn("apply deadlines", "order", d.OrderID, "err", err)
			continue
		}
		_ = h.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(deadlinesBucket)
			v := b.Get([]byte(d.OrderID))
			var cur deadline
			if v != nil && json.Unmarshal(v, &cur) == nil && cur.At.Equal(d.At) {
				return b.Delete([]byte(d.OrderID)) // unless a newer deadline replaced it meanwhile
			}
			return nil
		})
	}
}
