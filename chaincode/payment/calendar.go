package payment

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/kit"
)

// DefaultOffsetMinutes is China Standard Time, UTC+08:00 (no daylight
// saving). A fixed offset instead of a zone name keeps the computation the
// same on every peer whether or not it has a time zone database.
const DefaultOffsetMinutes = 8 * 60

const dateLayout = "2006-01-02"

// Calendar is one year of the consortium's business calendar: listed public
// holidays, and make-up working days (Saturdays or Sundays worked in lieu).
// Without a calendar for a year, Monday to Friday are working days.
type Calendar struct {
	SchemaVersion  int      `json:"schemaVersion"`
	Year           int      `json:"year"`
	OffsetMinutes  int      `json:"offsetMinutes"`
	Holidays       []string `json:"holidays"`
	MakeUpWorkdays []string `json:"makeUpWorkdays"`
	MaintainedBy   string   `json:"maintainedBy,omitempty" metadata:",optional"`
}

// CalendarRequest sets the calendar of a year.
type CalendarRequest struct {
	Year int `json:"year"`
	// UTCOffset is the calendar's fixed offset, "+08:00" when empty.
	UTCOffset      string   `json:"utcOffset,omitempty" metadata:",optional"`
	Holidays       []string `json:"holidays,omitempty" metadata:",optional"`
	MakeUpWorkdays []string `json:"makeUpWorkdays,omitempty" metadata:",optional"`
}

// Validate checks the fields.
func (r CalendarRequest) Validate() error {
	var c kit.Checker
	c.Range("year", int64(r.Year), 2000, 2100)
	if _, err := parseOffset(r.UTCOffset); err != nil {
		c.Fail("utcOffset", "utc_offset", "must be a UTC offset such as +08:00 between -12:00 and +14:00")
	}
	// A slice, not a map: errors must list in the same order on every endorser.
	for _, f := range []struct {
		field string
		days  []string
	}{{"holidays", r.Holidays}, {"makeUpWorkdays", r.MakeUpWorkdays}} {
		field, days := f.field, f.days
		for _, d := range days {
			t, err := time.Parse(dateLayout, d)
			if err != nil || t.Year() != r.Year {
				c.Fail(field+"[]", "date_in_year", "%q must be a YYYY-MM-DD date in %d", d, r.Year)
			}
		}
	}
	return c.Err()
}

// parseOffset reads "+08:00" into minutes; "" is the default.
func parseOffset(s string) (int, error) {
	if s == "" {
		return DefaultOffsetMinutes, nil
	}
	t, err := time.Parse("-07:00", s)
	if err != nil {
		return 0, err
	}
	_, off := t.Zone()
	if off < -12*3600 || off > 14*3600 {
		return 0, fmt.Errorf("offset %s out of range", s)
	}
	return off / 60, nil
}

// calendars answers whether a local date is a working day, from the
// calendars it was given (one per year at most).
type calendars map[int]Calendar

func (cs calendars) offset(year int) *time.Location {
	off := DefaultOffsetMinutes
	if c, ok := cs[year]; ok {
		off = c.OffsetMinutes
	}
	return time.FixedZone("business", off*60)
}

// working reports whether the local calendar day d (midnight, local) is a working day.
func (cs calendars) working(d time.Time) bool {
	day := d.Format(dateLayout)
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
