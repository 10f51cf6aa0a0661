package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// Event is the data of one server-sent event.
type Event struct {
	ID            string          `json:"id"`
	BlockNumber   uint64          `json:"blockNumber"`
	TransactionID string          `json:"transactionId"`
	Name          string          `json:"eventName"`
	Payload       json.RawMessage `json:"payload"`
}

const keepAlive = 15 * time.Second

// events streams chaincode events as Server-Sent Events. A client resumes
// with Last-Event-ID (or ?lastEventId=) and gets every later event once; a
// broken peer stream is reopened from the last event delivered.
func (s *Server) events(c *gin.Context) {
	pr := principal(c)
	names := c.QueryArray("name")
	ctx := c.Request.Context()
	var pos fabric.Position
	last := c.GetHeader("Last-Event-ID")
	if last == "" {
		last = c.Query("lastEventId")
	}
	switch {
	case last != "":
		id, err := fabric.ParseEventID(last)
		if err != nil {
			writeProblem(c, validationProblem(fieldErr("Last-Event-ID", "event_id", "must be an event id <block>-<transactionId>")))
			return
		}
		pos = id.Next()
	case c.Query("startBlock") != "":
		n, err := strconv.ParseUint(c.Query("startBlock"), 10, 64)
		if err != nil {
			writeProblem(c, validationProblem(fieldErr("startBlock", "integer", "must be a block number")))
			return
		}
		pos.Block = n
	default:
		h, err := s.Ledger.Height(ctx, pr)
		if err != nil {
			fail(c, err)
			return
		}
		pos.Block = h
	}
	stream, err := s.Ledger.Events(ctx, pr, pos)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "text/event-stream")
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	c.Writer.Flush()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	backoff := 250 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fmt.Fprint(c.Writer, ": keep-alive\n\n")
			c.Writer.Flush()
		case ev, ok := <-stream:
			if !ok {
				// The peer stream broke (peer restart, say): reopen it from the
				// last event delivered, so nothing is skipped or repeated.
				stream = s.reopen(c, pr, pos, &backoff)
				if stream == nil {
					return
				}
				continue
			}
			backoff = 250 * time.Millisecond
			id := fabric.EventIDOf(ev)
			pos = id.Next()
			if len(names) > 0 && !slices.Contains(names, ev.EventName) {
				continue
			}
			data, _ := json.Marshal(Event{ID: id.String(), BlockNumber: ev.BlockNumber, TransactionID: ev.TransactionID, Name: ev.EventName, Payload: fabric.EventPayload(ev)})
			fmt.Fprintf(c.Writer, "id: %s\nevent: %s\ndata: %s\n\n", id, ev.EventName, data)
			c.Writer.Flush()
		}
	}
}

// reopen retries the peer stream with a growing pause until it opens again
// or the client leaves.
func (s *Server) reopen(c *gin.Context, pr auth.Principal, pos fabric.Position, backoff *time.Duration) <-chan *client.ChaincodeEvent {
	ctx := c.Request.Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*backoff):
		}
		if *backoff < 5*time.Second {
			*backoff *= 2
		}
		stream, err := s.Ledger.Events(ctx, pr, pos)
		if err == nil {
			logger(c).Info("event stream reopened", "block", pos.Block, "after", pos.TxID)
			return stream
		}
		logger(c).Warn("event stream reconnect failed", "err", err)
		fmt.Fprint(c.Writer, ": reconnecting\n\n")
		c.Writer.Flush()
	}
}
