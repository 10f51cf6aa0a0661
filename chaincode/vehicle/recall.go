package vehicle

import (
	"fmt"
	"slices"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// recallCarObject indexes the cars of a recall: recall ID, then VIN.
const recallCarObject = "recall~car"

func recallCarKey(recallID, vinCode string) (string, error) {
	return shim.CreateCompositeKey(recallCarObject, []string{recallID, vinCode})
}

// OpenRecall gives v an open recall for the part serial it carries. A
// recall already open on the car is left as it is. Like Append, it must be
// given the transaction's one *Vehicle.
func OpenRecall(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, recallID, serial string) error {
	if slices.Contains(v.OpenRecalls, recallID) {
		return nil
	}
	ts, err := kit.TxTime(stub)
	if err != nil {
		return err
	}
	key, _, found, err := recallCar(stub, recallID, v.VIN)
	if err != nil {
		return err
	}
	if found {
		return nil // opened and remedied before: a remedy stays a remedy
	}
	v.OpenRecalls = append(v.OpenRecalls, recallID)
	slices.Sort(v.OpenRecalls)
	if err := kit.PutJSON(stub, key, vehicletypes.RecallCar{RecallID: recallID, VIN: v.VIN, Serial: serial, Open: true, OpenedAt: ts}); err != nil {
		return err
	}
	return Append(stub, v, &vehicletypes.LifeEvent{Type: vehicletypes.EventRecallOpened, Recall: &vehicletypes.RecallNotice{RecallID: recallID, Serial: serial}})
}

// remedy closes recallID on v; the recall must be open on that car.
func remedy(stub shim.ChaincodeStubInterface, v *vehicletypes.Vehicle, recallID string, at time.Time) error {
	i := slices.Index(v.OpenRecalls, recallID)
	if i < 0 {
		return ccerr.Field(ccerr.FailedPrecondition, "recallId", "open_recall", "recall %s is not open on vehicle %s", recallID, v.VIN)
	}
	v.OpenRecalls = slices.Delete(v.OpenRecalls, i, i+1)
	key, rc, found, err := recallCar(stub, recallID, v.VIN)
	if err != nil {
		return err
	}
	if !found { // OpenRecall writes the record and the car's list together
		return fmt.Errorf("recall %s is open on vehicle %s but has no record", recallID, v.VIN)
	}
	rc.Open, rc.RemediedAt = false, at
	return kit.PutJSON(stub, key, rc)
}

// recallCar reads the record of recall recallID on car vinCode, and gives
// its key for the write that follows.
func recallCar(stub shim.ChaincodeStubInterface, recallID, vinCode string) (key string, rc vehicletypes.RecallCar, found bool, err error) {
	if key, err = recallCarKey(recallID, vinCode); err != nil {
		return "", rc, false, err
	}
	found, err = kit.GetJSON(stub, key, &rc)
	return key, rc, found, err
}

// RecallCars lists the cars of a recall, by VIN.
func RecallCars(stub shim.ChaincodeStubInterface, recallID string) ([]vehicletypes.RecallCar, error) {
	return scan[vehicletypes.RecallCar](stub, "cars of recall "+recallID, recallCarObject, recallID)
}
