package paymenttypes

import "time"

// The chaincode's rule, shared with the gateway's deadline scheduler so the
// two cannot drift: an order is overdue strictly after its due date, so a
// payment at the due date itself is on time.

// OverdueFrom is the first instant at which an order due at due is overdue.
func OverdueFrom(due time.Time) time.Time { return due.Add(time.Nanosecond) }

// IsOverdue reports whether an order due at due is overdue at t.
func IsOverdue(due, t time.Time) bool { return !t.Before(OverdueFrom(due)) }
