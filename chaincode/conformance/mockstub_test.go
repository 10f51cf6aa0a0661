package conformance_test

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/conformance"
	"github.com/autoledger/autoledger/chaincode/conformance/conformancetest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/require"
)

// mockTarget runs the suite on the mock stub.
type mockTarget struct {
	ledger *mockstub.Ledger
	ids    map[string]*mockstub.Identity
}

func (m *mockTarget) id(org string) *mockstub.Identity {
	if m.ids[org] == nil {
		m.ids[org] = mockstub.NewIdentity(org)
	}
	return m.ids[org]
}

func (m *mockTarget) outcome(r *mockstub.Result) conformancetest.Outcome {
	o := conformancetest.Outcome{Payload: r.Payload, Err: r.Err(), TxID: r.TxID}
	if r.Event != nil {
		o.EventName, o.Event = r.Event.Name, r.Event.Payload
	}
	return o
}

func (m *mockTarget) tx(c conformancetest.Call) mockstub.Tx {
	return mockstub.Tx{Creator: m.id(c.Org), PeerOrg: c.PeerOrg, Function: c.Function, Args: c.Args, Transient: c.Transient}
}

func (m *mockTarget) Submit(_ *testing.T, c conformancetest.Call) conformancetest.Outcome {
	return m.outcome(m.ledger.Invoke(m.tx(c)))
}

func (m *mockTarget) Evaluate(_ *testing.T, c conformancetest.Call) conformancetest.Outcome {
	return m.outcome(m.ledger.Evaluate(m.tx(c)))
}

func TestMockStubConformance(t *testing.T) {
	cc, err := contractapi.NewChaincode(conformance.NewProbe())
	require.NoError(t, err)
	ledger := mockstub.New(t, cc, mockstub.WithCollections(mockstub.Collection{
		Name: conformancetest.Collection, Members: []string{"OemMSP", "DealerMSP", "InsurerMSP"},
	}))
	conformancetest.Run(t, &mockTarget{ledger: ledger, ids: map[string]*mockstub.Identity{}}, "run1/")
}
