package mockstub_test

import (
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFailReadsFailsEveryKindOfRead(t *testing.T) {
	owners := mockstub.Collection{Name: "owners", Members: []string{"OemMSP"}}
	ledger, body := funcLedger(t, mockstub.WithCollections(owners))
	part, err := shim.CreateCompositeKey("part", []string{"S1"})
	require.NoError(t, err)
	*body = func(s shim.ChaincodeStubInterface) error {
		if err := s.PutState("plain", []byte("x")); err != nil {
			return err
		}
		if err := s.PutState(part, []byte("p")); err != nil {
			return err
		}
		return s.PutPrivateData("owners", "car1", []byte("ref"))
	}
	require.True(t, run(t, ledger, nil).Committed)

	down := errors.New("state database unreachable")
	reads := map[string]func(shim.ChaincodeStubInterface) error{
		"GetState":          func(s shim.ChaincodeStubInterface) error { _, err := s.GetState("plain"); return err },
		"GetMultipleStates": func(s shim.ChaincodeStubInterface) error { _, err := s.GetMultipleStates("plain"); return err },
		"GetStateByRange":   func(s shim.ChaincodeStubInterface) error { _, err := s.GetStateByRange("", ""); return err },
		"GetStateByRangeWithPagination": func(s shim.ChaincodeStubInterface) error {
			_, _, err := s.GetStateByRangeWithPagination("", "", 10, "")
			return err
		},
		"GetStateByPartialCompositeKey": func(s shim.ChaincodeStubInterface) error {
			_, err := s.GetStateByPartialCompositeKey("part", nil)
			return err
		},
		"GetHistoryForKey": func(s shim.ChaincodeStubInterface) error { _, err := s.GetHistoryForKey("plain"); return err },
		"GetStateValidationParameter": func(s shim.ChaincodeStubInterface) error {
			_, err := s.GetStateValidationParameter("plain")
			return err
		},
		"GetPrivateData": func(s shim.ChaincodeStubInterface) error { _, err := s.GetPrivateData("owners", "car1"); return err },
		"GetPrivateDataHash": func(s shim.ChaincodeStubInterface) error {
			_, err := s.GetPrivateDataHash("owners", "car1")
			return err
		},
		"GetPrivateDataByRange": func(s shim.ChaincodeStubInterface) error {
			_, err := s.GetPrivateDataByRange("owners", "", "")
			return err
		},
	}
	for name, read := range reads {
		*body = read
		ledger.FailReads(nil)
		require.True(t, run(t, ledger, nil).OK(), "%s without a fault", name)

		ledger.FailReads(func(string, string) error { return down })
		res := run(t, ledger, nil)
		assert.Equal(t, down.Error(), res.Message, name)
		assert.False(t, res.Committed, name)
	}
	ledger.FailReads(nil)
}

func TestFailPrefixFailsOnlyMatchingKeys(t *testing.T) {
	ledger, body := funcLedger(t)
	part, err := shim.CreateCompositeKey("part", []string{"S1"})
	require.NoError(t, err)
	vehicle, err := shim.CreateCompositeKey("vehicle", []string{"V1"})
	require.NoError(t, err)
	parts, err := shim.CreateCompositeKey("part", nil)
	require.NoError(t, err)

	down := errors.New("down")
	ledger.FailReads(mockstub.FailPrefix(parts, down))
	read := func(key string) *mockstub.Result {
		*body = func(s shim.ChaincodeStubInterface) error { _, err := s.GetState(key); return err }
		return run(t, ledger, nil)
	}
	assert.Equal(t, "down", read(part).Message)
	assert.True(t, read(vehicle).OK())
	*body = func(s shim.ChaincodeStubInterface) error {
		_, err := s.GetStateByPartialCompositeKey("part", []string{"S1"})
		return err
	}
	assert.Equal(t, "down", run(t, ledger, nil).Message)

	ledger.FailReads(nil)
	assert.True(t, read(part).OK())
}
