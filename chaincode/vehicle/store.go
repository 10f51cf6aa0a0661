package vehicle

import (
	"fmt"
	"time"

	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Composite key object types. A vehicle's events and odometer index live
// under its VIN, so writes to different cars never touch the same keys.
const (
	vehicleObject  = "vehicle"
	eventObject    = "vehicle~event"
	odometerObject = "vehicle~odometer"
)

// seqFormat keeps event keys in numeric order under a range scan.
const seqFormat = "%012d"

// timeKey renders a time so that keys sort chronologically.
const timeKey = "2006-01-02T15:04:05.000000000Z"

func vehicleKey(vinCode string) (string, error) {
	return shim.CreateCompositeKey(vehicleObject, []string{vinCode})
}

func eventKey(vinCode string, seq int64) (string, error) {
	return shim.CreateCompositeKey(eventObject, []string{vinCode, fmt.Sprintf(seqFormat, seq)})
}

func odometerKey(vinCode string, observedAt time.Time, seq int64) (string, error) {
	return shim.CreateCompositeKey(odometerObject, []string{vinCode, observedAt.UTC().Format(timeKey), fmt.Sprintf(seqFormat, seq)})
}

// Load returns the vehicle registered under vinCode, or a NOT_FOUND error.
// Other contracts use it, with Append, to add to a vehicle's life in their
// own transaction.
func Load(stub shim.ChaincodeStubInterface, vinCode string) (*vehicletypes.Vehicle, error) {
	return kit.Registered[vehicletypes.Vehicle](stub, "vehicle", "vin", vinCode, vehicleKey)
}

func save(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle) error {
	key, err := vehicleKey(v.VIN)
	if err != nil {
		return err
	}
	return kit.PutJSON(stub, key, v)
}

// Append stores e as the next life event of v and saves v. The event's
// sequence number, transaction ID, time and recording org are filled in.
//
// A transaction does not read its own writes, so every Append in one
// transaction must be given the same *Vehicle; loading the vehicle again
// would hand out the same sequence number twice.
func Append(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, e *vehicletypes.LifeEvent) error {
	ts, err := kit.TxTime(stub)
	if err != nil {
		return err
	}
	msp, err := cid.GetMSPID(stub)
	if err != nil {
		return fmt.Errorf("read caller MSP ID: %w", err)
	}
	v.EventCount++
	e.SchemaVersion = kit.SchemaVersion
	e.VIN = v.VIN
	e.Seq = v.EventCount
	e.TxID = stub.GetTxID()
	e.RecordedAt = ts
	e.RecordedBy = msp
	v.UpdatedAt = ts
	key, err := eventKey(v.VIN, e.Seq)
	if err != nil {
		return err
	}
	if err := kit.PutJSON(stub, key, e); err != nil {
		return err
	}
	return save(stub, v)
}

// addReading applies a displayed reading observed at t to v, indexes it
// under the vehicle, and returns it with its rollback flag. seq is the
// sequence number of the life event that carries it.
func addReading(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, displayed int64, source string, t time.Time, seq int64) (vehicletypes.OdometerReading, error) {
	o := &v.Odometer
	r := vehicletypes.OdometerReading{DisplayedKm: displayed, TotalKm: displayed + o.OffsetAt(t), Source: source, ObservedAt: t}
	if o.Readings == 0 || !t.Before(o.LatestObservedAt) {
		// The common case, in order: compare with the highest reading so far.
		r.Rollback = o.Readings > 0 && r.TotalKm < o.MaxTotalKm
		o.LatestObservedAt = t
	} else {
		// A late report: it must fit between the readings observed before
		// and after it, which takes a scan of this car's readings only.
		maxBefore, minAfter, hasAfter, err := neighbours(stub, v.VIN, t)
		if err != nil {
			return r, err
		}
		r.Rollback = r.TotalKm < maxBefore || (hasAfter && r.TotalKm > minAfter)
	}
	if r.TotalKm > o.MaxTotalKm {
		o.MaxTotalKm = r.TotalKm
		o.MaxObservedAt = t
	}
	o.Readings++
	if r.Rollback {
		v.RollbackSuspected = true
	}
	key, err := odometerKey(v.VIN, t, seq)
	if err != nil {
		return r, err
	}
	return r, kit.PutJSON(stub, key, r)
}

func neighbours(stub shim.ChaincodeStubInterface, vinCode string, t time.Time) (maxBefore, minAfter int64, hasAfter bool, err error) {
	readings, err := readings(stub, vinCode)
	if err != nil {
		return 0, 0, false, err
	}
	for _, r := range readings {
		if r.ObservedAt.After(t) {
			if !hasAfter || r.TotalKm < minAfter {
				minAfter = r.TotalKm
			}
			hasAfter = true
		} else if r.TotalKm > maxBefore {
			maxBefore = r.TotalKm
		}
	}
	return maxBefore, minAfter, hasAfter, nil
}

// readings returns the car's odometer readings in observed order.
func readings(stub shim.ChaincodeStubInterface, vinCode string) ([]vehicletypes.OdometerReading, error) {
	return scan[vehicletypes.OdometerReading](stub, "odometer readings of "+vinCode, odometerObject, vinCode)
}

// scan collects the records under the partial composite key object~attrs;
// what names them in errors.
func scan[T any](stub shim.ChaincodeStubInterface, what, object string, attrs ...string) ([]T, error) {
	it, err := stub.GetStateByPartialCompositeKey(object, attrs)
	if err == nil {
		var out []T
		if out, err = kit.Collect[T](it); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("scan %s: %w", what, err)
}
