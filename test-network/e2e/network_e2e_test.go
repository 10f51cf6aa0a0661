//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freshVIN returns a VIN no earlier run used: the network outlives test runs.
// European VINs carry no enforced check digit, so any serial is well formed.
func freshVIN() string {
	return fmt.Sprintf("WVWZZZ1JZ%08d", time.Now().UnixNano()/1000%100000000)
}

func registerRequest(v string) string {
	b, _ := json.Marshal(vehicle.RegisterRequest{VIN: v, Birth: vehicle.BirthRecord{
		Manufacturer: "AutoLedger Motors", Model: "E2E", ModelYear: 2026, Plant: "Plant 1",
		ProductionDate: time.Now().UTC().Add(-time.Hour), CountryOfOrigin: "DE", Colour: "grey", Powertrain: "ICE",
	}})
	return string(b)
}

func TestE2EVehicleLifecycleAcrossOrgs(t *testing.T) {
	oem := connect(t, "OemMSP", "production")
	insurer := connect(t, "InsurerMSP", "claims")
	dealer := connect(t, "DealerMSP", "sales")
	v := freshVIN()

	out, err := oem.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(v)))
	require.NoError(t, err, fabclient.Describe(err))
	var reg vehicle.Vehicle
	require.NoError(t, json.Unmarshal(out, &reg))
	assert.Equal(t, "OemMSP", reg.RegisteredBy)

	// The insurer's peer commits the block a moment after the OEM's.
	require.Eventually(t, func() bool {
		out, err = insurer.contract("autoledger").Evaluate("vehicle:Get", client.WithArguments(v))
		return err == nil
	}, 10*time.Second, 20*time.Millisecond, "insurer reads the vehicle: %v", err)
	var got vehicle.Vehicle
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, v, got.VIN)

	_, err = dealer.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(freshVIN())))
	require.Error(t, err)
	e, ok := fabclient.ChaincodeError(err)
	require.True(t, ok, fabclient.Describe(err))
	assert.Equal(t, ccerr.Forbidden, e.Code)
	assert.Contains(t, e.Message, "DealerMSP")

	_, err = insurer.contract("autoledger").Evaluate("vehicle:Get", client.WithArguments(freshVIN()))
	e, ok = fabclient.ChaincodeError(err)
	require.True(t, ok, fabclient.Describe(err))
	assert.Equal(t, ccerr.NotFound, e.Code)
}

func TestE2EOneOrgEndorsementFailsAtCommit(t *testing.T) {
	oem := connect(t, "OemMSP", "production")
	prop, err := oem.contract("autoledger").NewProposal("vehicle:Register",
		client.WithArguments(registerRequest(freshVIN())), client.WithEndorsingOrganizations("OemMSP"))
	require.NoError(t, err)
	tx, err := prop.Endorse()
	require.NoError(t, err, fabclient.Describe(err))
	commit, err := tx.Submit()
	require.NoError(t, err, fabclient.Describe(err))
	st, err := commit.Status()
	require.NoError(t, err)
	assert.False(t, st.Successful)
	assert.Equal(t, peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE, st.Code)
}

func committedSequence(t *testing.T) int {
	t.Helper()
	out, err := networkScript("env", "oem")
	require.NoError(t, err, string(out))
	q, err := shell(string(out) + "\npeer lifecycle chaincode querycommitted -C autoledger -n autoledger -O json")
	require.NoError(t, err, q)
	var def struct {
		Sequence int `json:"sequence"`
	}
	require.NoError(t, json.Unmarshal([]byte(q), &def), q)
	return def.Sequence
}

func TestE2EUpgradeKeepsData(t *testing.T) {
	oem := connect(t, "OemMSP", "production")
	v := freshVIN()
	_, err := oem.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(v)))
	require.NoError(t, err, fabclient.Describe(err))
	before := committedSequence(t)

	out, err := networkScript("deploy", "autoledger")
	require.NoError(t, err, string(out))
	assert.Equal(t, before+1, committedSequence(t))

	reader := connect(t, "SupplierMSP", "logistics")
	got, err := reader.contract("autoledger").Evaluate("vehicle:Get", client.WithArguments(v))
	require.NoError(t, err, fabclient.Describe(err))
	assert.Contains(t, string(got), v)
}
