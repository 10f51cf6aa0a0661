package mockstub_test

import (
	"fmt"

	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Greeter is a tiny contract for the examples.
type Greeter struct{ contractapi.Contract }

// Set stores a greeting and announces it.
func (g *Greeter) Set(ctx contractapi.TransactionContextInterface, text string) error {
	if err := ctx.GetStub().PutState("greeting", []byte(text)); err != nil {
		return err
	}
	return ctx.GetStub().SetEvent("GreetingSet", []byte(text))
}

// Get returns the greeting.
func (g *Greeter) Get(ctx contractapi.TransactionContextInterface) (string, error) {
	b, err := ctx.GetStub().GetState("greeting")
	return string(b), err
}

// SetTwice writes the greeting, then reads it back in the same transaction.
func (g *Greeter) SetTwice(ctx contractapi.TransactionContextInterface, text string) (string, error) {
	if err := ctx.GetStub().PutState("greeting", []byte(text)); err != nil {
		return "", err
	}
	b, err := ctx.GetStub().GetState("greeting")
	return string(b), err
}

func Example() {
	cc, _ := contractapi.NewChaincode(&Greeter{})
	ledger := mockstub.New(nil, cc) // pass the test's t in a real test
	oem := mockstub.NewIdentity("OemMSP", mockstub.WithRole("production"))

	res := ledger.Invoke(mockstub.Tx{Creator: oem, Function: "Set", Args: []string{"hello"}})
	fmt.Println(res.Committed, res.Event.Name)

	res = ledger.Evaluate(mockstub.Tx{Creator: oem, Function: "Get"})
	fmt.Println(string(res.Payload))
	// Output:
	// true GreetingSet
	// hello
}

// A transaction does not read its own writes: as on a peer, the read returns
// the committed value.
func Example_readYourWrites() {
	cc, _ := contractapi.NewChaincode(&Greeter{})
	ledger := mockstub.New(nil, cc)
	oem := mockstub.NewIdentity("OemMSP")

	ledger.Invoke(mockstub.Tx{Creator: oem, Function: "Set", Args: []string{"old"}})
	res := ledger.Invoke(mockstub.Tx{Creator: oem, Function: "SetTwice", Args: []string{"new"}})
	fmt.Println(string(res.Payload), string(ledger.State("greeting")))
	// Output: old new
}
