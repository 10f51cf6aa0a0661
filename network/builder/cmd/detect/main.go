// Command detect is the detect step of AutoLedger's chaincode-as-a-service builder.
package main

import (
	"os"

	"github.com/autoledger/autoledger/network/builder"
)

func main() { os.Exit(builder.Main("detect", os.Args[1:], os.Stderr)) }
