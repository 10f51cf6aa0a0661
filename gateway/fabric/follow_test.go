package fabric_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
)

// Follow reopens a stream that fails to open, that ends, or whose event
// accept refuses, each time from the reader's position, and stops with ctx.
func TestFollowReopensFromThePosition(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var opened []uint64
	var accepted []string
	var warned []string
	block := uint64(1)
	attempt := 0
	fabric.Follow(ctx,
		func() (fabric.Position, error) {
			mu.Lock()
			defer mu.Unlock()
			return fabric.Position{Block: block}, nil
		},
		func(p fabric.Position) (<-chan *client.ChaincodeEvent, error) {
			mu.Lock()
			defer mu.Unlock()
			attempt++
			opened = append(opened, p.Block)
			if attempt == 1 {
				return nil, errors.New("peer down")
			}
			if attempt == 4 {
				cancel()
			}
			ch := make(chan *client.ChaincodeEvent, 2)
			ch <- &client.ChaincodeEvent{BlockNumber: p.Block, EventName: "A"}
			ch <- &client.ChaincodeEvent{BlockNumber: p.Block, EventName: "refused"}
			close(ch)
			return ch, nil
		},
		func(ev *client.ChaincodeEvent) error {
			mu.Lock()
			defer mu.Unlock()
			if ev.EventName == "refused" {
				return errors.New("store full")
			}
			accepted = append(accepted, ev.EventName)
			block = ev.BlockNumber + 1 // the reader's cursor moves on
			return nil
		},
		func(err error) { warned = append(warned, err.Error()) })
	assert.Equal(t, []uint64{1, 1, 2, 3}, opened, "each attempt resumes where the reader's cursor is")
	assert.Equal(t, []string{"A", "A", "A"}, accepted)
	assert.Equal(t, []string{"peer down", "store full", "store full", "store full"}, warned)
}
