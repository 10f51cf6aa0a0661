package vehicle_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const challenge = "8c1f0e3a9b7d4c2e6f5a1b0c9d8e7f6a"

// attested evaluates vehicle:AttestedReport at ts as msp's reader.
func (f *fixture) attested(msp, vinCode, ch string, ts time.Time) *mockstub.Result {
	f.T.Helper()
	return f.Evaluate(mockstub.Tx{Creator: f.As(msp, contractstest.Reader(msp)), Function: "vehicle:AttestedReport", Args: args(vinCode, ch), Timestamp: ts})
}

// carWithHistory is a registered car with readings (one a rollback), an
// incident and a brand: several life events written by several orgs.
func carWithHistory(f *fixture) []mockstub.Result {
	f.T.Helper()
	var writes []mockstub.Result
	f.register(usVIN, "ICE")
	now := f.Clock.Now()
	for i, km := range []int64{1000, 5000, 4000} {
		f.Clock.Advance(time.Hour)
		writes = append(writes, *f.invoke("OemMSP", "telematics", "RecordOdometer", usVIN,
			vehicletypes.OdometerRequest{Km: km, Source: "telematics", ObservedAt: now.Add(time.Duration(i) * time.Minute)}))
	}
	f.Clock.Advance(time.Hour)
	writes = append(writes, *f.invoke("InsurerMSP", "claims", "RecordIncident", usVIN, vehicletypes.IncidentRequest{
		Date: f.Clock.Now().Add(-time.Hour), Severity: "severe", Airbag: true, StructuralDamage: true, ClaimRef: "CLM-1"}))
	f.Clock.Advance(time.Hour)
	writes = append(writes, *f.invoke("InsurerMSP", "claims", "BrandTitle", usVIN, vehicletypes.BrandRequest{
		Brand: "salvage", Date: f.Clock.Now().Add(-time.Hour), ClaimRef: "CLM-1"}))
	for _, w := range writes {
		require.True(f.T, w.Committed, w.Message)
	}
	return writes
}

func TestAttestedReportEchoesTheChallengeAndIsTheReport(t *testing.T) {
	f := newFixture(t)
	writes := carWithHistory(f)
	f.Clock.Advance(time.Minute)
	ts := f.Clock.Now()

	r := f.attested("SupplierMSP", usVIN, challenge, ts)
	a := contractstest.OK[vehicletypes.AttestedReport](t, r)
	assert.Equal(t, vehicletypes.AttestedReportFormat, a.Format)
	assert.Equal(t, contractstest.Channel, a.Channel)
	assert.Equal(t, usVIN, a.VIN)
	assert.Equal(t, challenge, a.Challenge)
	assert.Equal(t, ts, a.AsOf)

	// The report inside is, byte for byte, what vehicle:Report answers at
	// the same transaction time.
	rep := f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", contractstest.Reader("DealerMSP")), Function: "vehicle:Report", Args: args(usVIN), Timestamp: ts})
	require.True(t, rep.OK(), rep.Message)
	var raw struct {
		Report json.RawMessage `json:"report"`
	}
	require.NoError(t, json.Unmarshal(r.Payload, &raw))
	assert.JSONEq(t, string(rep.Payload), string(raw.Report))
	assert.Contains(t, a.Report.Alerts, "TITLE_salvage")
	assert.True(t, a.Report.Odometer.RollbackSuspected)

	// Every life event, oldest first, with the transaction that wrote it.
	require.Len(t, a.Facts, 6, "registration, three readings, the incident, the brand")
	assert.Equal(t, vehicletypes.EventRegistered, a.Facts[0].Type)
	assert.Equal(t, "OemMSP", a.Facts[0].RecordedBy)
	for i, fact := range a.Facts {
		assert.Equal(t, int64(i+1), fact.Seq)
		assert.NotEmpty(t, fact.TxID)
		if i > 0 {
			w := writes[i-1]
			assert.Equal(t, w.TxID, fact.TxID, "fact %d", fact.Seq)
			assert.Equal(t, w.Timestamp, fact.RecordedAt, "fact %d", fact.Seq)
		}
	}
	assert.Equal(t, "InsurerMSP", a.Facts[5].RecordedBy)
	assert.Equal(t, a.Report.EventCount, int64(len(a.Facts)))

	// The same state and time give the same bytes; another challenge
	// changes only the echo.
	again := f.attested("OemMSP", usVIN, challenge, ts)
	require.True(t, again.OK(), again.Message)
	assert.Equal(t, string(r.Payload), string(again.Payload))
	other := strings.Repeat("ab", 64)
	o := contractstest.OK[vehicletypes.AttestedReport](t, f.attested("OemMSP", usVIN, other, ts))
	assert.Equal(t, other, o.Challenge)
	assert.Equal(t, a.Report, o.Report)
	// A later time is a later report.
	f.Clock.Advance(time.Hour)
	later := contractstest.OK[vehicletypes.AttestedReport](t, f.attested("OemMSP", usVIN, challenge, ts.Add(time.Hour)))
	assert.Equal(t, ts.Add(time.Hour), later.AsOf)
	assert.Equal(t, ts.Add(time.Hour), later.Report.GeneratedAt)
}

func TestAttestedReportRefusesBadChallengesAndUnknownCars(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	ts := f.Clock.Now()
	for _, bad := range []string{"", strings.Repeat("a", 31), strings.Repeat("a", 129), strings.ToUpper(challenge), challenge[:31] + "g", challenge + " "} {
		e := contractstest.FailsWith(t, f.attested("DealerMSP", usVIN, bad, ts), ccerr.InvalidArgument)
		require.Len(t, e.Fields, 1, "%q", bad)
		assert.Equal(t, "challenge", e.Fields[0].Field)
		assert.Equal(t, "challenge", e.Fields[0].Rule)
	}
	for _, ok := range []string{strings.Repeat("0", 32), strings.Repeat("f", 128), strings.Repeat("0", 33)} {
		assert.True(t, f.attested("DealerMSP", usVIN, ok, ts).OK(), "%q", ok)
	}
	contractstest.FailsWith(t, f.attested("DealerMSP", "NOT-A-VIN", challenge, ts), ccerr.VINInvalid)
	contractstest.FailsWith(t, f.attested("DealerMSP", euVIN, challenge, ts), ccerr.NotFound)
	// Members only.
	for _, id := range []*mockstub.Identity{f.As("OrdererMSP", ""), f.As("DealerMSP", "")} {
		contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: id, Function: "vehicle:AttestedReport", Args: args(usVIN, challenge)}), ccerr.Forbidden)
	}
}

func TestAttestedReportIsBoundedLikeTheReport(t *testing.T) {
	f := newFixture(t, mockstub.WithTotalQueryLimit(3))
	f.register(usVIN, "ICE")
	for i := range 3 {
		f.Clock.Advance(time.Minute)
		f.odometer(usVIN, int64(100*(i+1)), f.Clock.Now())
	}
	rep := f.evaluate("DealerMSP", "Report", usVIN)
	att := f.attested("DealerMSP", usVIN, challenge, f.Clock.Now())
	assert.False(t, rep.OK())
	assert.False(t, att.OK())
	assert.Equal(t, rep.Message, att.Message, "the same refusal as vehicle:Report")
}

// The proposer picks the proposal's timestamp; the endorsing peer holds it
// to its own clock, so no one collects a bundle "as of" a chosen past
// (before a salvage brand, or while an expired endorser key was valid).
// vehicle:Report, which proves nothing, keeps answering at any time.
func TestAttestedReportHoldsItsTimeToThePeerClock(t *testing.T) {
	f := newFixture(t)
	carWithHistory(f)
	now := f.Clock.Now()

	e := contractstest.FailsWith(t, f.attested("DealerMSP", usVIN, challenge, now.Add(-time.Hour)), ccerr.TimestampSkew)
	assert.Contains(t, e.Message, "peer's clock")
	contractstest.FailsWith(t, f.attested("DealerMSP", usVIN, challenge, now.Add(time.Hour)), ccerr.TimestampSkew)

	for _, ts := range []time.Time{now, now.Add(-4 * time.Minute), now.Add(4 * time.Minute)} {
		a := contractstest.OK[vehicletypes.AttestedReport](t, f.attested("DealerMSP", usVIN, challenge, ts))
		assert.Equal(t, ts, a.AsOf)
	}
	old := f.Evaluate(mockstub.Tx{Creator: f.As("DealerMSP", contractstest.Reader("DealerMSP")), Function: "vehicle:Report", Args: args(usVIN), Timestamp: now.Add(-time.Hour)})
	assert.True(t, old.OK(), old.Message)
}
