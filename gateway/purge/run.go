package purge

import (
	"context"
	"slices"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// EventSource is the channel's event stream (*fabric.Pool).
type EventSource interface {
	Height(ctx context.Context, pr auth.Principal) (uint64, error)
	Events(ctx context.Context, pr auth.Principal, pos fabric.Position) (<-chan *client.ChaincodeEvent, error)
}

// Principals returns the identity the sweeper acts as for each org in
// served that holds the data of a share collection, in served's order; none
// when this gateway serves no holder. As the webhook dispatcher's, it is
// the org's first user by role name, the org admin excepted: consent:Purge
// admits any role of a member, and the peer any member of the collection.
func Principals(file *connection.File, served []string) []auth.Principal {
	var out []auth.Principal
	for _, id := range served {
		o, err := file.Org(id)
		if err != nil || !isHolder(o.MSPID) {
			continue
		}
		roles := make([]string, 0, len(o.Users))
		for r := range o.Users {
			if r != "orgadmin" {
				roles = append(roles, r)
			}
		}
		if len(roles) == 0 {
			continue
		}
		out = append(out, auth.Principal{Client: Client, Org: o.MSPID, Role: slices.Min(roles)})
	}
	return out
}

// Run follows the event stream from the sweeper's cursor (from the current
// height the first time) and sweeps once a second, until ctx ends. A
// broken stream is reopened from the cursor. Grants that ended before the
// sweeper first ran are swept when something next happens to their car.
func (s *Sweeper) Run(ctx context.Context, src EventSource) {
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.FlushCursor(); err != nil {
					s.log.Error("purge sweeper: write event cursor", "err", err)
				}
				s.Sweep(ctx)
			}
		}
	}()
	pr := s.holders[0]
	fabric.Follow(ctx, func() (fabric.Position, error) { return s.position(ctx, src, pr) },
		func(pos fabric.Position) (<-chan *client.ChaincodeEvent, error) { return src.Events(ctx, pr, pos) },
		func(ev *client.ChaincodeEvent) error {
			e := Event{ID: fabric.EventIDOf(ev).String(), Name: ev.EventName, Payload: fabric.EventPayload(ev)}
			if err := s.Accept(e); err != nil {
				s.log.Error("purge sweeper: record event", "event", e.ID, "err", err)
				return err
			}
			return nil
		},
		func(err error) { s.log.Warn("purge sweeper: event stream", "err", summary(err)) })
	if err := s.FlushCursor(); err != nil {
		s.log.Warn("purge sweeper: write event cursor", "err", err)
	}
}

// position is where the stream resumes (fabric.ResumeAt).
func (s *Sweeper) position(ctx context.Context, src EventSource, pr auth.Principal) (fabric.Position, error) {
	c, err := s.Cursor()
	if err != nil {
		return fabric.Position{}, err
	}
	return fabric.ResumeAt(c, func() (uint64, error) { return src.Height(ctx, pr) }, s.setStart)
}
