package payment

import (
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
)

// calendars answers whether a local date is a working day, from the
// calendars it was given (one per year at most).
type calendars map[int]paymenttypes.Calendar

func (cs calendars) offset(year int) *time.Location {
	off := paymenttypes.DefaultOffsetMinutes
	if c, ok := cs[year]; ok {
		off = c.OffsetMinutes
	}
	return time.FixedZone("business", off*60)
}

// working reports whether the local calendar day d (midnight, local) is a working day.
func (cs calendars) working(d time.Time) bool {
	day := d.Format(paymenttypes.DateLayout)
	if c, ok := cs[d.Year()]; ok {
		if slices.Contains(c.MakeUpWorkdays, day) {
			return true
		}
		if slices.Contains(c.Holidays, day) {
			return false
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// windowEnd returns the end (exclusive) of the n-th working day after the
// local day of t: the last moment an acceptance window that opens at t is
// still open.
func (cs calendars) windowEnd(t time.Time, n int) time.Time {
	loc := cs.offset(t.In(time.UTC).Year())
	local := t.In(loc)
	d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	for counted := 0; counted < n; {
		d = d.AddDate(0, 0, 1)
		if cs.working(d) {
			counted++
		}
	}
	return d.AddDate(0, 0, 1).UTC()
}
