package webhook

import (
	"encoding/json"

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
