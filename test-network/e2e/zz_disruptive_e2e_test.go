//go:build e2e

package e2e

// The tests that stop peers or the whole network live in this file, which
// sorts last, so that the other tests never run while gossip and discovery
// are still re-forming after a restart.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestE2EGatewayStoppedPeer(t *testing.T) {
	startGateway(t)
	status, _, _ := call(t, "", "GET", "/readyz", "")
	require.Equal(t, 200, status)
	pidFile := filepath.Join(runDir, "pids", "peer0.oem.pid")
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	var pid int
	_, err = fmt.Sscan(string(b), &pid)
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	t.Cleanup(func() {
		out, err := networkScript("up")
		assert.NoError(t, err, string(out))
	})
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 20*time.Second, 100*time.Millisecond)

	status, h, body := call(t, "", "GET", "/readyz", "")
	assert.Equal(t, 503, status, string(body))
	assert.NotEmpty(t, h.Get("Retry-After"))
	status, h, body = call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(freshVIN(), "ICE"))
	assert.Equal(t, 503, status, string(body))
	assert.Equal(t, api.CodeUnavailable, codeOf(t, body))
	assert.NotEmpty(t, h.Get("Retry-After"))
	// The other orgs' gateways keep working.
	status, _, body = call(t, "DEALER_SALES", "GET", "/v1/vehicles/"+freshVIN(), "")
	assert.Equal(t, 404, status, string(body))

	out, err := networkScript("up")
	require.NoError(t, err, string(out))
	require.Eventually(t, func() bool {
		status, _, _ := call(t, "", "GET", "/readyz", "")
		return status == 200
	}, 30*time.Second, 250*time.Millisecond, "the gateway recovers without a restart")
	// Writes answer 503 with Retry-After until the restarted peer has found
	// its endorsing partners again; a client that honours it gets through.
	require.Eventually(t, func() bool {
		status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(freshVIN(), "ICE"))
		if status != 201 && status != 503 {
			t.Logf("unexpected %d: %s", status, body)
		}
		return status == 201
	}, 60*time.Second, time.Second)
}

func TestE2EStatusReportsAStoppedPeer(t *testing.T) {
	out, err := networkScript("status")
	require.NoError(t, err, string(out))

	pidFile := filepath.Join(runDir, "pids", "peer0.supplier.pid")
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	t.Cleanup(func() {
		out, err := networkScript("up")
		assert.NoError(t, err, string(out))
	})
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 20*time.Second, 100*time.Millisecond)

	out, err = networkScript("status")
	require.Error(t, err, "status must exit non-zero with a peer down")
	assert.Regexp(t, `peer0\.supplier\s+DOWN`, string(out))
	assert.Regexp(t, `peer0\.oem\s+up`, string(out))

	out, err = networkScript("up")
	require.NoError(t, err, string(out))
	out, err = networkScript("status")
	require.NoError(t, err, string(out))
}

// A whole-network restart (down, then up) keeps the ledger and keeps
// ordering: Fabric 2.5.0's Raft would deadlock replaying the initial
// membership without the snapshot network.sh arranges for.
func TestE2ERestartKeepsDataAndOrdering(t *testing.T) {
	oem := connect(t, "OemMSP", "production")
	v := freshVIN()
	_, err := oem.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(v)))
	require.NoError(t, err, fabclient.Describe(err))

	out, err := networkScript("down")
	require.NoError(t, err, string(out))
	out, err = networkScript("up")
	require.NoError(t, err, string(out))

	again := connect(t, "InsurerMSP", "claims")
	require.Eventually(t, func() bool {
		_, err := again.contract("autoledger").Evaluate("vehicle:Get", client.WithArguments(v))
		return err == nil
	}, 30*time.Second, 250*time.Millisecond, "the vehicle registered before the restart")
	require.Eventually(t, func() bool {
		_, err := oem.contract("autoledger").Submit("vehicle:Register", client.WithArguments(registerRequest(freshVIN())))
		return err == nil
	}, 60*time.Second, time.Second, "writes are ordered again after the restart")
}
