package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	bolt "go.etcd.io/bbolt"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// Run follows the event stream as pr from the hub's cursor (or the current
// height the first time), enqueues notifications, delivers them, and calls
// apply for orders whose acceptance window or due date has passed, until
// ctx ends. A broken stream is reopened from the cursor.
func (h *Hub) Run(ctx context.Context, pool *fabric.Pool, pr auth.Principal, apply ApplyFunc) {
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
				if apply != nil {
					h.applyDue(ctx, apply)
				}
			}
		}
	}()
	pause := 250 * time.Millisecond
	for ctx.Err() == nil {
		pos, err := h.position(ctx, pool, pr)
		if err == nil {
			var stream <-chan *client.ChaincodeEvent
			stream, err = pool.Events(ctx, pr, pos)
			if err == nil {
				pause = 250 * time.Millisecond
				for ev := range stream {
					payload := json.RawMessage(ev.Payload)
					if !json.Valid(payload) {
						payload, _ = json.Marshal(string(ev.Payload))
					}
					e := Event{ID: fmt.Sprintf("%d-%s", ev.BlockNumber, ev.TransactionID), Block: ev.BlockNumber,
						TxID: ev.TransactionID, Name: ev.EventName, Payload: payload}
					if _, err := h.Accept(e); err != nil {
						h.log.Error("enqueue notifications", "event", e.ID, "err", err)
						break
					}
				}
			}
		}
		if err != nil {
			h.log.Warn("webhook event stream", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(pause*2, 5*time.Second)
	}
}

func (h *Hub) position(ctx context.Context, pool *fabric.Pool, pr auth.Principal) (fabric.Position, error) {
	c, err := h.Cursor()
	if err != nil {
		return fabric.Position{}, err
	}
	if c == "" {
		height, err := pool.Height(ctx, pr)
		if err != nil {
			return fabric.Position{}, err
		}
		// Mark the start so that a restart before the first event resumes here.
		if err := h.setStart(height); err != nil {
			return fabric.Position{}, err
		}
		return fabric.Position{Block: height}, nil
	}
	b, tx, ok := strings.Cut(c, "-")
	n, err := strconv.ParseUint(b, 10, 64)
	if err != nil {
		return fabric.Position{}, fmt.Errorf("bad cursor %q", c)
	}
	if !ok || tx == "" {
		return fabric.Position{Block: n}, nil // a start block, nothing processed yet
	}
	return fabric.Position{Block: n, TxID: tx}, nil
}

func (h *Hub) setStart(height uint64) error {
	return h.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(cursorBucket).Put([]byte("events"), []byte(strconv.FormatUint(height, 10)))
	})
}
