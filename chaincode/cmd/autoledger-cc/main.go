package main

import (
	_ "github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	_ "github.com/hyperledger/fabric-chaincode-go/v2/shim"
	_ "github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	_ "github.com/stretchr/testify/require"
)

func main() {}
