package webhook

import "context"

// ApplyDueForTest runs one scheduling round.
func ApplyDueForTest(h *Hub, apply ApplyFunc) { h.applyDue(context.Background(), apply) }
