package webhook

import (
	"encoding/json"
	"net/netip"

	bolt "go.etcd.io/bbolt"
)

// Notes returns every notification kept, for tests.
func (h *Hub) Notes() []Notification {
	var out []Notification
	_ = h.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(notesBucket).ForEach(func(_, v []byte) error {
			var n Notification
			if json.Unmarshal(v, &n) == nil {
				out = append(out, n)
			}
			return nil
		})
	})
	return out
}

// SetOwnAddrs replaces the gateway host's interface addresses the guard
// refuses, so tests need not depend on the machine they run on.
func (g *Guard) SetOwnAddrs(own ...string) {
	g.own = func() ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range own {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}
