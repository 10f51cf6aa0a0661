//go:build e2e

package e2e

// This test stops and starts the whole network, so it sorts with the
// disruptive ones, after every test that only uses it.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	part "github.com/autoledger/autoledger/chaincode/part/parttypes"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// After down and up on existing data, a peer answers queries seconds before
// its discovery can satisfy the endorsement policy; writes failed meanwhile
// with "no combination of peers can be derived". Now:
//   - each org's gateway answers /readyz 200 only when that org's write can be
//     endorsed: each org writes through its gateway at the first 200, while
//     network.sh up may still be running, and the write succeeds at once;
//   - network.sh up returns only when a write of every org can be endorsed:
//     the moment it returns, one write of each org straight through its peer
//     (no retry) succeeds.
func TestE2EUpReturnsWhenEveryOrgCanWrite(t *testing.T) {
	startGateway(t)
	oem := connect(t, "OemMSP", "production")
	// A car per write, so that the concurrent writes never conflict.
	cars := make([]string, 4)
	for i := range cars {
		cars[i] = freshVIN()
		time.Sleep(time.Millisecond) // freshVIN counts microseconds
	}
	dealerCar, insurerCar, dealerCar2, insurerCar2 := cars[0], cars[1], cars[2], cars[3]
	for _, v := range cars {
		_, err := oem.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(v)))
		require.NoError(t, err, fabclient.Describe(err))
	}
	visible(t, dealerCar, "DEALER_SERVICE")
	visible(t, dealerCar2, "DEALER_SERVICE")
	visible(t, insurerCar, "INSURER_CLAIMS")
	visible(t, insurerCar2, "INSURER_CLAIMS")

	out, err := networkScript("down")
	require.NoError(t, err, string(out))
	orgs := []string{"OEM", "SUPPLIER", "DEALER", "INSURER"}
	for _, org := range orgs {
		require.Eventually(t, func() bool { return readyzStatus(t, org) != 200 }, 30*time.Second, 100*time.Millisecond,
			"%s's gateway still ready with the network down", org)
	}

	// Straight through each org's peer, the moment up returns, while the
	// gateways are checked below.
	at := time.Now().UTC().Add(-30 * time.Second)
	odometer := func(km int64, source string) string {
		b, _ := json.Marshal(vehicle.OdometerRequest{Km: km, Source: source, ObservedAt: at})
		return string(b)
	}
	direct := []struct {
		org, role, function string
		args                []string
	}{
		{"OemMSP", "production", "vehicle:Register", []string{registerRequest(freshVIN())}},
		{"SupplierMSP", "production", "part:RegisterParts", []string{partsRequest(t)}},
		{"DealerMSP", "service", "vehicle:RecordOdometer", []string{dealerCar2, odometer(200, "service")}},
		{"InsurerMSP", "claims", "vehicle:RecordOdometer", []string{insurerCar2, odometer(300, "insurance-claim")}},
	}
	contracts := make([]*client.Contract, len(direct))
	for i, w := range direct {
		contracts[i] = freshContract(t, w.org, w.role)
	}
	upDone := make(chan error, 1)
	var upOut []byte
	writeErrs := make([]error, len(direct))
	go func() {
		var err error
		upOut, err = networkScript("up")
		if err == nil {
			var wg sync.WaitGroup
			for i, w := range direct {
				wg.Go(func() { _, writeErrs[i] = contracts[i].Submit(w.function, client.WithArguments(w.args...)) })
			}
			wg.Wait()
		}
		upDone <- err
	}()
	// Through the gateways, at the first /readyz 200 of each org's gateway.
	restWrites := map[string]func() (int, []byte){
		"OEM": func() (int, []byte) {
			status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(freshVIN(), "ICE"))
			return status, body
		},
		"SUPPLIER": func() (int, []byte) {
			status, _, body := call(t, "SUPPLIER_PRODUCTION", "POST", "/v1/parts", partsRequest(t))
			return status, body
		},
		"DEALER": func() (int, []byte) {
			status, _, body := call(t, "DEALER_SERVICE", "POST", "/v1/vehicles/"+dealerCar+"/odometer-readings",
				`{"km":100,"source":"service","observedAt":"`+now()+`"}`)
			return status, body
		},
		"INSURER": func() (int, []byte) {
			status, _, body := call(t, "INSURER_CLAIMS", "POST", "/v1/vehicles/"+insurerCar+"/incidents", incidentBody())
			return status, body
		},
	}
	deadline := time.Now().Add(3 * time.Minute)
	for _, org := range orgs {
		for readyzStatus(t, org) != 200 {
			require.True(t, time.Now().Before(deadline), "%s's gateway never became ready", org)
			time.Sleep(100 * time.Millisecond)
		}
		status, body := restWrites[org]()
		assert.Contains(t, []int{201, 202}, status, "%s writes at its gateway's first /readyz 200: %s", org, body)
	}
	select {
	case err := <-upDone:
		require.NoError(t, err, string(upOut))
	case <-time.After(3 * time.Minute):
		t.Fatal("network.sh up did not return")
	}
	for i, w := range direct {
		assert.NoError(t, writeErrs[i], "%s's first write when up returned: %s", w.org, fabclient.Describe(writeErrs[i]))
	}
}

// readyzStatus is the status of org's gateway's /readyz, 0 when it does not answer.
func readyzStatus(t *testing.T, org string) int {
	c := http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(urlOf(t, org) + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// freshContract connects role of org through a new connection to its peer:
// the suite's shared connections may be backing off from the restart, which
// says nothing about the network. The connection is made while the peer is
// down and connects when used.
func freshContract(t *testing.T, org, role string) *client.Contract {
	t.Helper()
	o, err := netFile.Org(org)
	require.NoError(t, err)
	conn, err := fabclient.Dial(o, o.Peers[0])
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	gw, err := fabclient.Connect(o, role, conn, client.WithEndorseTimeout(30*time.Second),
		client.WithSubmitTimeout(30*time.Second), client.WithCommitStatusTimeout(time.Minute))
	require.NoError(t, err)
	t.Cleanup(func() { gw.Close() })
	return gw.GetNetwork(netFile.Channel).GetContract("autoledger")
}

// partsRequest registers one new serial of a new batch.
func partsRequest(t *testing.T) string {
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	b, err := json.Marshal(part.RegisterPartsRequest{PartNumber: "READY-1", Batch: "B" + run, Manufacturer: "CellCo",
		ManufacturedAt: time.Now().UTC().Add(-time.Hour), Serials: []string{"SER-" + run}})
	require.NoError(t, err)
	return string(b)
}
