// Package consent is the contract of owners' grants: which member may read
// which of a car's data, for what purpose and until when, as the car's
// owner signed it (docs/owners.md).
package consent

import (
	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/kit"
)

// Name is the contract's name: its transactions are "consent:Grant" and so on.
const Name = "consent"

// Policy says who may call each transaction.
var Policy = access.Policy{}

// Contract is the consent contract.
type Contract struct{ kit.Contract }

// NewContract returns the contract; opts set the peer clock and tolerance.
func NewContract(opts ...kit.Option) *Contract {
	return &Contract{kit.NewContract(Name, Policy, nil, opts...)}
}
