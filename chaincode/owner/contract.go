// Package owner is the contract of car ownerships: who may act for a car,
// proven by the owner's own key (docs/owners.md). Members relay the owner's
// signed statements; the chaincode verifies them.
package owner

import (
	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/kit"
)

// Name is the contract's name: its transactions are "owner:Claim" and so on.
const Name = "owner"

// Policy says who may call each transaction.
var Policy = access.Policy{}

// Contract is the owner contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract; opts set the peer clock and tolerance.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, nil, opts...)}
}
