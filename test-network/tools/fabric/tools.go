//go:build tools

// Package tools pins the Fabric release whose peer, orderer and CLI tools
// `make fabric-bin` builds. It is its own module because Fabric CA needs
// dependency versions that Fabric's own packages do not compile with.
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/configtxlator"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
