package webhook

import (
	"context"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	bolt "go.etcd.io/bbolt"
)

// Run follows the event stream as pr from the hub's cursor (or the current
// height the first time), enqueues notifications, delivers them, and has
// deadlines apply the orders whose acceptance window or due date has
// passed, until ctx ends. A broken stream is reopened from the cursor.
func (h *Hub) Run(ctx context.Context, pool *fabric.Pool, pr auth.Principal, deadlines DeadlineApplier) {
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := h.FlushCursor(); err != nil {
					h.log.Error("write event cursor", "err", err)
				}
				h.DeliverDue(ctx)
				if deadlines != nil {
					h.ApplyDue(ctx, deadlines)
				}
			}
		}
	}()
	fabric.Follow(ctx, func() (fabric.Position, error) { return h.position(ctx, pool, pr) },
		func(pos fabric.Position) (<-chan *client.ChaincodeEvent, error) { return pool.Events(ctx, pr, pos) },
		func(ev *client.ChaincodeEvent) error {
			e := Event{ID: fabric.EventIDOf(ev).String(), Block: ev.BlockNumber,
				TxID: ev.TransactionID, Name: ev.EventName, Payload: fabric.EventPayload(ev)}
			if _, err := h.Accept(e); err != nil {
				h.log.Error("enqueue notifications", "event", e.ID, "err", err)
				return err
			}
			return nil
		},
		func(err error) { h.log.Warn("webhook event stream", "err", err) })
}

// position is where the stream resumes (fabric.ResumeAt).
func (h *Hub) position(ctx context.Context, pool *fabric.Pool, pr auth.Principal) (fabric.Position, error) {
	c, err := h.Cursor()
	if err != nil {
		return fabric.Position{}, err
	}
	return fabric.ResumeAt(c, func() (uint64, error) { return pool.Height(ctx, pr) }, h.setStart)
}

func (h *Hub) setStart(height uint64) error {
	return h.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(cursorBucket).Put([]byte("events"), []byte(strconv.FormatUint(height, 10)))
	})
}
