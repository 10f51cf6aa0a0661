package vehicle

import (
	"fmt"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// MaxReportEvents is the most life events a report covers: the peer's
// default ledger.state.totalQueryLimit, which caps one range query. A
// vehicle with more events is refused rather than reported incompletely.
const MaxReportEvents = 100000

// Report computes the used-car history report from the vehicle's events.
func (c *Contract) Report(ctx contractapi.TransactionContextInterface, vinCode string) (*vehicletypes.Report, error) {
	v, err := load(ctx, vinCode)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	ts, err := kit.TxTime(stub)
	if err != nil {
		return nil, err
	}
	return report(stub, v, ts, nil)
}

// AttestedReport is Report bound to the channel and to the caller's
// challenge, with the transaction of every life event it was computed
// from. The gateway has a majority of member orgs endorse it and never
// submits it: the endorsements are the proof (docs/verification.md). It
// reads what Report reads, in one scan, so its report is the one Report
// gives at the same transaction time. Its time is held to the endorsing
// peer's clock as a write's is (TIMESTAMP_SKEW otherwise): the proposer
// picks the proposal's timestamp, and without the check a seller could
// collect a bundle "as of" a time before a salvage brand, or an endorser
// whose certificate has expired could sign a backdated proposal.
func (c *Contract) AttestedReport(ctx contractapi.TransactionContextInterface, vinCode, challenge string) (*vehicletypes.AttestedReport, error) {
	if _, err := vin.Validate(vinCode); err != nil {
		return nil, err
	}
	if err := vehicletypes.ValidateChallenge(challenge); err != nil {
		return nil, err
	}
	v, err := load(ctx, vinCode)
	if err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	ts, err := c.Config.WriteTime(stub)
	if err != nil {
		return nil, err
	}
	facts := make([]vehicletypes.ReportFact, 0, v.EventCount)
	r, err := report(stub, v, ts, func(e *vehicletypes.LifeEvent) {
		facts = append(facts, vehicletypes.ReportFact{Seq: e.Seq, Type: e.Type, TxID: e.TxID, RecordedAt: e.RecordedAt, RecordedBy: e.RecordedBy})
	})
	if err != nil {
		return nil, err
	}
	return &vehicletypes.AttestedReport{
		Format: vehicletypes.AttestedReportFormat, Channel: stub.GetChannelID(), VIN: v.VIN, Challenge: challenge,
		AsOf: ts, Report: *r, Facts: facts,
	}, nil
}

// report computes v's report at ts; each, when set, sees every life event
// in order, from the same scan.
func report(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, ts time.Time, each func(*vehicletypes.LifeEvent)) (*vehicletypes.Report, error) {
	vinCode := v.VIN
	if v.EventCount > MaxReportEvents {
		return nil, ccerr.New(ccerr.FailedPrecondition, "vehicle %s has %d events; a report covers at most %d (the peer's query limit)", vinCode, v.EventCount, MaxReportEvents)
	}
	r := &vehicletypes.Report{
		VIN: v.VIN, CheckDigitVerified: v.CheckDigitVerified, Manufacturer: v.Birth.Manufacturer, Model: v.Birth.Model,
		ModelYear: v.Birth.ModelYear, Powertrain: v.Birth.Powertrain, RegisteredAt: v.RegisteredAt, GeneratedAt: ts,
		OwnerCount: v.OwnerCount, UseTypes: []string{}, Incidents: []vehicletypes.Incident{}, TitleBrands: []vehicletypes.TitleBrand{},
		Services: []vehicletypes.ServiceRecord{}, EventCount: v.EventCount, Alerts: []string{}, Sources: map[string]int64{},
		OpenRecalls: append([]string{}, v.OpenRecalls...),
		Odometer: vehicletypes.OdometerReport{MaxTotalKm: v.Odometer.MaxTotalKm, RollbackSuspected: v.RollbackSuspected,
			ClusterReplacements: len(v.Odometer.Baselines)},
	}
	n, err := eachEvent(stub, vinCode, func(e *vehicletypes.LifeEvent) {
		if each != nil {
			each(e)
		}
		switch {
		case e.Transfer != nil:
			if len(r.UseTypes) == 0 || r.UseTypes[len(r.UseTypes)-1] != e.Transfer.UseType {
				r.UseTypes = append(r.UseTypes, e.Transfer.UseType)
			}
		case e.Incident != nil:
			r.Incidents = append(r.Incidents, *e.Incident)
		case e.Brand != nil:
			r.TitleBrands = append(r.TitleBrands, *e.Brand)
		case e.Battery != nil:
			if r.Battery == nil || !e.Battery.ReportedAt.Before(r.Battery.ReportedAt) {
				b := *e.Battery
				r.Battery = &b
			}
		}
		if e.Service != nil {
			r.Services = append(r.Services, *e.Service)
		}
	})
	if err != nil {
		return nil, err
	}
	if n != v.EventCount {
		return nil, fmt.Errorf("vehicle %s: read %d of %d events", vinCode, n, v.EventCount)
	}
	timeline, err := readings(stub, vinCode)
	if err != nil {
		return nil, err
	}
	if timeline == nil {
		timeline = []vehicletypes.OdometerReading{}
	}
	r.Odometer.Timeline = timeline
	for _, rd := range timeline {
		r.Sources[rd.Source]++
	}
	if len(timeline) > 0 {
		r.Odometer.LatestTotalKm = timeline[len(timeline)-1].TotalKm
	}
	r.Alerts = alerts(v, r)
	return r, nil
}

// alerts are the headline warnings a buyer reads first, in a fixed order.
func alerts(v *vehicletypes.Vehicle, r *vehicletypes.Report) []string {
	out := []string{}
	if v.RollbackSuspected {
		out = append(out, "ODOMETER_ROLLBACK_SUSPECTED")
	}
	for _, b := range v.TitleBrands {
		out = append(out, "TITLE_"+b)
	}
	if len(v.OpenRecalls) > 0 {
		out = append(out, "OPEN_RECALL")
	}
	for _, i := range r.Incidents {
		if i.StructuralDamage {
			out = append(out, "STRUCTURAL_DAMAGE")
			break
		}
	}
	for _, i := range r.Incidents {
		if i.Airbag {
			out = append(out, "AIRBAG_DEPLOYED")
			break
		}
	}
	return out
}

// eachEvent calls fn for each life event of the vehicle in order.
func eachEvent(stub shim.ChaincodeStubInterface, vinCode string, fn func(*vehicletypes.LifeEvent)) (int64, error) {
	it, err := stub.GetStateByPartialCompositeKey(eventObject, []string{vinCode})
	if err != nil {
		return 0, fmt.Errorf("scan events of %s: %w", vinCode, err)
	}
	var n int64
	err = kit.Range(it, func(_ string, e vehicletypes.LifeEvent) (bool, error) {
		n++
		fn(&e)
		return true, nil
	})
	if err != nil {
		return n, fmt.Errorf("scan events of %s: %w", vinCode, err)
	}
	return n, nil
}
