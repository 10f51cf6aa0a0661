package vehicle

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// recallCarObject indexes the cars of a recall: recall ID, then VIN.
const recallCarObject = "recall~car"

// EventRecallOpened is the life event of a car that carries a recalled part.
const EventRecallOpened = "RECALL_OPENED"

// RecallCar is one car affected by a recall.
type RecallCar struct {
	RecallID   string    `json:"recallId"`
	VIN        string    `json:"vin"`
	Serial     string    `json:"serial"`
	Open       bool      `json:"open"`
	OpenedAt   time.Time `json:"openedAt"`
	RemediedAt time.Time `json:"remediedAt,omitzero"`
}

// RecallNotice is the life-event detail of an opened recall.
type RecallNotice struct {
	RecallID string `json:"recallId"`
	Serial   string `json:"serial"`
}

func recallCarKey(recallID, vinCode string) (string, error) {
	return shim.CreateCompositeKey(recallCarObject, []string{recallID, vinCode})
}

// OpenRecall gives v an open recall for the part serial it carries. A
// recall already open on the car is left as it is. Like Append, it must be
// given the transaction's one *Vehicle.
func OpenRecall(stub shim.ChaincodeStubInterface, v *Vehicle, recallID, serial string) error {
	if slices.Contains(v.OpenRecalls, recallID) {
		return nil
	}
	ts, err := kit.TxTime(stub)
	if err != nil {
		return err
	}
	key, err := recallCarKey(recallID, v.VIN)
	if err != nil {
		return err
	}
	var existing RecallCar
	if found, err := kit.GetJSON(stub, key, &existing); err != nil {
		return err
	} else if found {
		return nil // opened and remedied before: a remedy stays a remedy
	}
	v.OpenRecalls = append(v.OpenRecalls, recallID)
	slices.Sort(v.OpenRecalls)
	if err := kit.PutJSON(stub, key, RecallCar{RecallID: recallID, VIN: v.VIN, Serial: serial, Open: true, OpenedAt: ts}); err != nil {
		return err
	}
	return Append(stub, v, &LifeEvent{Type: EventRecallOpened, Recall: &RecallNotice{RecallID: recallID, Serial: serial}})
}

// remedy closes recallID on v; the recall must be open on that car.
func remedy(stub shim.ChaincodeStubInterface, v *Vehicle, recallID string, at time.Time) error {
	i := slices.Index(v.OpenRecalls, recallID)
	if i < 0 {
		return ccerr.Field(ccerr.FailedPrecondition, "recallId", "open_recall", "recall %s is not open on vehicle %s", recallID, v.VIN)
	}
	v.OpenRecalls = slices.Delete(v.OpenRecalls, i, i+1)
	key, err := recallCarKey(recallID, v.VIN)
	if err != nil {
		return err
	}
	var rc RecallCar
	if _, err := kit.GetJSON(stub, key, &rc); err != nil {
		return err
	}
	rc.Open, rc.RemediedAt = false, at
	return kit.PutJSON(stub, key, rc)
}

// RecallCars lists the cars of a recall, by VIN.
func RecallCars(stub shim.ChaincodeStubInterface, recallID string) ([]RecallCar, error) {
	it, err := stub.GetStateByPartialCompositeKey(recallCarObject, []string{recallID})
	if err != nil {
		return nil, fmt.Errorf("scan cars of recall %s: %w", recallID, err)
	}
	cars, err := kit.Collect[RecallCar](it)
	if err != nil {
		return nil, fmt.Errorf("scan cars of recall %s: %w", recallID, err)
	}
	return cars, nil
}
