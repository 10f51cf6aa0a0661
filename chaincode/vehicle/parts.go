package vehicle

import (
	"fmt"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// partsInCar refuses the serials of a service that are not registered
// parts in car vinCode, directly or inside an assembly, with one field
// error per serial (partSerials[i]). The part contract writes the records
// it reads; both contracts share the chaincode's namespace.
func partsInCar(stub shim.ChaincodeStubInterface, vinCode string, serials []string) error {
	var fields []ccerr.FieldError
	for i, s := range serials {
		field := fmt.Sprintf("partSerials[%d]", i)
		car, found, err := partCar(stub, s)
		switch {
		case err != nil:
			return err
		case !found:
			fields = append(fields, ccerr.FieldError{Field: field, Rule: "registered",
				Message: fmt.Sprintf("part %s is not registered; list a part without a serial in nonSerialisedParts", s)})
		case car != vinCode:
			fields = append(fields, ccerr.FieldError{Field: field, Rule: "installed_here",
				Message: fmt.Sprintf("part %s is not installed in vehicle %s", s, vinCode)})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	msg := fields[0].Field + ": " + fields[0].Message
	if len(fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more field errors)", msg, len(fields)-1)
	}
	return &ccerr.Error{Code: ccerr.FailedPrecondition, Message: msg, Fields: fields}
}

// partCar returns the VIN of the car part serial is in, directly or inside
// an assembly, "" when it is in none; found is false for a serial never
// registered.
func partCar(stub shim.ChaincodeStubInterface, serial string) (vinCode string, found bool, err error) {
	p, found, err := getPart(stub, serial)
	if err != nil || !found {
		return "", found, err
	}
	for depth := 0; p.Status != parttypes.Installed; depth++ {
		if p.Parent == "" || depth == parttypes.MaxAssemblyDepth {
			return "", true, nil
		}
		parent := p.Parent
		if p, found, err = getPart(stub, parent); err != nil {
			return "", true, err
		} else if !found { // Assemble writes parent and children together
			return "", true, fmt.Errorf("part %s is inside %s, which has no record", serial, parent)
		}
	}
	return p.VIN, true, nil
}

func getPart(stub shim.ChaincodeStubInterface, serial string) (*parttypes.Part, bool, error) {
	key, err := shim.CreateCompositeKey(parttypes.PartObject, []string{serial})
	if err != nil {
		return nil, false, err
	}
	var p parttypes.Part
	found, err := kit.GetJSON(stub, key, &p)
	return &p, found, err
}
