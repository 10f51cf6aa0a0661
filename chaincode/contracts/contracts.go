// Package contracts assembles the autoledger chaincode: every contract of
// the consortium in one chaincode, so that they share one namespace and can
// write to each other's records in one transaction.
package contracts

import (
	"fmt"
	"maps"
	"slices"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/benefit"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/governance"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/owner"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/payment"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// ChaincodeName is the name the chaincode is deployed under.
const ChaincodeName = "autoledger"

// Collections maps each private data collection the contracts use to its
// member orgs. Package collections defines them; new code should use it.
var Collections = func() map[string][]string {
	m := map[string][]string{}
	for _, c := range collections.All {
		m[c.Name] = slices.Clone(c.Members)
	}
	return m
}()

// Settings are the consortium-wide settings, each changed only through
// the governance contract by a majority of the member orgs.
func Settings() []governance.Setting {
	return []governance.Setting{payment.CalendarSetting}
}

// New returns the chaincode with every contract.
func New(opts ...kit.Option) (*contractapi.ContractChaincode, error) {
	gov, err := governance.NewContract(Settings(), opts...)
	if err != nil {
		return nil, fmt.Errorf("build chaincode: %w", err)
	}
	cc, err := contractapi.NewChaincode(vehicle.NewContract(opts...), part.NewContract(opts...), payment.NewContract(opts...), gov,
		owner.NewContract(opts...), consent.NewContract(opts...), benefit.NewContract(opts...))
	if err != nil {
		return nil, fmt.Errorf("build chaincode: %w", err)
	}
	cc.Info.Title = "AutoLedger"
	cc.Info.Version = "1.0.0"
	return cc, nil
}

// Policy is the union of every contract's access policy.
func Policy() access.Policy {
	p := access.Policy{}
	maps.Copy(p, vehicle.Policy)
	maps.Copy(p, part.Policy)
	maps.Copy(p, payment.Policy)
	maps.Copy(p, governance.Policy)
	maps.Copy(p, owner.Policy)
	maps.Copy(p, consent.Policy)
	maps.Copy(p, benefit.Policy)
	return p
}
