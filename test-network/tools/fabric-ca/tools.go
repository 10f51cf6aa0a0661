//go:build tools

// Package tools pins the Fabric CA release whose server and client
// `make fabric-bin` builds. It is a module of its own: Fabric CA raises
// IBM/idemix to a version Fabric's idemix/bccsp does not compile with.
package tools

import (
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-client"
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-server"
)
