package mockstub

import (
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// ChaincodeFunc adapts a plain function to shim.Chaincode, the way
// http.HandlerFunc adapts one to http.Handler: handy for a test that
// exercises the stub without a contract.
type ChaincodeFunc func(stub shim.ChaincodeStubInterface) *peer.Response

// Init succeeds without doing anything.
func (f ChaincodeFunc) Init(shim.ChaincodeStubInterface) *peer.Response { return shim.Success(nil) }

// Invoke calls f.
func (f ChaincodeFunc) Invoke(stub shim.ChaincodeStubInterface) *peer.Response { return f(stub) }
