package payment

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/governance"
	"github.com/autoledger/autoledger/chaincode/governance/governancetypes"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
)

// CalendarSetting is the business calendar as a consortium setting: no
// single org sets it, since it decides every pair's acceptance windows and
// due dates. A proposal's value is a CalendarRequest and replaces that
// year's calendar (its scope is the year) once a majority of the member
// orgs approved it.
var CalendarSetting = governance.Setting{
	Name:    governancetypes.SettingPaymentCalendar,
	Prepare: prepareCalendar,
	Apply:   applyCalendar,
}

// readCalendar decodes a proposed calendar strictly (an unknown field such
// as "holiday" is refused, not dropped) and checks it with its own rules.
func readCalendar(value []byte) (paymenttypes.CalendarRequest, error) {
	var req paymenttypes.CalendarRequest
	dec := json.NewDecoder(bytes.NewReader(value))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, ccerr.Field(ccerr.InvalidArgument, "value", "json", "not a calendar: %v", err)
	}
	return req, req.Validate()
}

// prepareCalendar returns a proposed calendar in its canonical form: the
// offset spelt out, the days sorted once each. Two spellings of one
// calendar are then one value with one hash.
func prepareCalendar(value []byte) ([]byte, string, error) {
	req, err := readCalendar(value)
	if err != nil {
		return nil, "", err
	}
	off, err := paymenttypes.ParseOffset(req.UTCOffset)
	if err != nil {
		return nil, "", err
	}
	sign, abs := '+', off
	if off < 0 {
		sign, abs = '-', -off
	}
	req.UTCOffset = fmt.Sprintf("%c%02d:%02d", sign, abs/60, abs%60)
	req.Holidays, req.MakeUpWorkdays = sortedSet(req.Holidays), sortedSet(req.MakeUpWorkdays)
	b, err := json.Marshal(req)
	if err != nil {
		return nil, "", fmt.Errorf("encode calendar: %w", err)
	}
	return b, fmt.Sprint(req.Year), nil
}

// applyCalendar writes an approved calendar where the payment transactions
// read it, replacing that year's.
func applyCalendar(tx kit.Tx, p governancetypes.Proposal) error {
	req, err := readCalendar([]byte(p.Value))
	if err != nil {
		return err
	}
	off, err := paymenttypes.ParseOffset(req.UTCOffset)
	if err != nil {
		return err
	}
	cal := &paymenttypes.Calendar{SchemaVersion: kit.SchemaVersion, Year: req.Year, OffsetMinutes: off,
		Holidays: sortedSet(req.Holidays), MakeUpWorkdays: sortedSet(req.MakeUpWorkdays),
		Proposal: p.ID, ApprovedBy: governance.ApprovedBy(p)}
	return put(tx.Stub, cal, "calendar", fmt.Sprint(req.Year))
}

// sortedSet is days sorted, each once, never nil (it encodes as []).
func sortedSet(days []string) []string {
	out := slices.Clone(days)
	slices.Sort(out)
	return append([]string{}, slices.Compact(out)...)
}

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
