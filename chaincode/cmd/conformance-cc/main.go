// Command conformance-cc serves the test-only probe contract that the
// conformance suite runs on a real network (chaincode name "conformance").
// It is never deployed in production.
package main

import (
	"log/slog"
	"os"

	"github.com/autoledger/autoledger/chaincode/conformance"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cc, err := contractapi.NewChaincode(conformance.NewProbe())
	if err == nil {
		err = cc.Start()
	}
	if err != nil {
		log.Error("conformance chaincode stopped", "err", err)
		os.Exit(1)
	}
}
