package paymenttypes

import (
	"fmt"
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// DefaultOffsetMinutes is China Standard Time, UTC+08:00 (no daylight
// saving). A fixed offset instead of a zone name keeps the computation the
// same on every peer whether or not it has a time zone database.
const DefaultOffsetMinutes = 8 * 60

// DateLayout is the layout of a calendar day.
const DateLayout = "2006-01-02"

// MinCalendarYear and MaxCalendarYear bound the year of a calendar.
const (
	MinCalendarYear = 2000
	MaxCalendarYear = 2100
)

// Calendar is one year of the consortium's business calendar: listed public
// holidays, and make-up working days (Saturdays or Sundays worked in lieu).
// Without a calendar for a year, Monday to Friday are working days.
type Calendar struct {
	SchemaVersion  int      `json:"schemaVersion"`
	Year           int      `json:"year"`
	OffsetMinutes  int      `json:"offsetMinutes"`
	Holidays       []string `json:"holidays"`
	MakeUpWorkdays []string `json:"makeUpWorkdays"`
	// Proposal is the governance proposal that put this calendar in force;
	// ApprovedBy the member orgs that approved it, sorted.
	Proposal   string   `json:"proposal"`
	ApprovedBy []string `json:"approvedBy"`
}

// CalendarRequest is a year's calendar as proposed: the value of the
// consortium setting governancetypes.SettingPaymentCalendar, which takes
// effect only when a majority of the member orgs approved it.
type CalendarRequest struct {
	Year int `json:"year" validate:"min=2000,max=2100"`
	// UTCOffset is the calendar's fixed offset, "+08:00" when empty.
	UTCOffset      string   `json:"utcOffset,omitempty" metadata:",optional"`
	Holidays       []string `json:"holidays,omitempty" metadata:",optional" validate:"max=366"`
	MakeUpWorkdays []string `json:"makeUpWorkdays,omitempty" metadata:",optional" validate:"max=366"`
}

// Validate checks the fields.
func (r CalendarRequest) Validate() error {
	var c rules.Checker
	c.Struct(r)
	if _, err := ParseOffset(r.UTCOffset); err != nil {
		c.Fail("utcOffset", "utc_offset", "must be a UTC offset such as +08:00 between -12:00 and +14:00")
	}
	// A slice, not a map: errors must list in the same order on every endorser.
	for _, f := range []struct {
		field string
		days  []string
	}{{"holidays", r.Holidays}, {"makeUpWorkdays", r.MakeUpWorkdays}} {
		for _, d := range f.days {
			t, err := time.Parse(DateLayout, d)
			if err != nil || t.Year() != r.Year {
				c.Fail(f.field+"[]", "date_in_year", "%q must be a YYYY-MM-DD date in %d", d, r.Year)
			}
		}
	}
	return c.Err()
}

// ParseOffset reads "+08:00" into minutes; "" is the default.
func ParseOffset(s string) (int, error) {
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
