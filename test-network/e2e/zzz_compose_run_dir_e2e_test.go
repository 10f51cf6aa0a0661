//go:build e2e

package e2e

// This test removes the compose network's volumes and starts a new network
// with a new ledger, so it lives in the file that sorts last (after
// zz_disruptive_e2e_test.go): no test runs after it expecting the data the
// others wrote. It leaves the new network up, with the chaincode deployed and
// the suite's connection file and gateway keys reloaded.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The compose network's volumes belong to the run directory that made them.
// After down, up from another run directory (a second clone) or from a new
// run directory at the same path (the old one moved away) refuses at once,
// before starting anything, naming the volumes, the run directory they belong
// to and make compose-clean; after make compose-clean, up starts afresh.
// Down from another run directory stops nothing of this one.
func TestE2EComposeVolumesBelongToTheirRunDir(t *testing.T) {
	composeOnly(t)
	dir, err := filepath.Abs(runDir)
	require.NoError(t, err)
	oldID := readRunID(t, dir)
	containers := projectContainers(t)
	require.NotEmpty(t, containers)

	// A second clone that never ran up, then one whose compose.env is not the network's.
	for _, setup := range []func(string){
		func(string) {},
		func(other string) {
			require.NoError(t, os.MkdirAll(filepath.Join(other, "compose"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(other, "compose", "run-id"), []byte("0123456789abcdef"), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(other, "compose.env"), nil, 0o600))
		},
	} {
		other := filepath.Join(t.TempDir(), "compose-run")
		setup(other)
		cmd := exec.Command("make", "-C", root, "compose-down")
		cmd.Env = append(os.Environ(), "AUTOLEDGER_RUN_DIR="+other)
		b, _ := cmd.CombinedOutput()
		assert.Contains(t, string(b), "run directory "+dir+" (run id "+oldID+"), which still exists",
			"down from another run directory names the network's")
		assert.ElementsMatch(t, containers, projectContainers(t),
			"down from another run directory removes none of the network's containers: %s", b)
	}

	out, err := networkScript("down")
	require.NoError(t, err, string(out))
	volumes := projectVolumes(t)
	require.NotEmpty(t, volumes, "down keeps the volumes")
	for _, v := range volumes {
		assert.Equal(t, oldID, volumeRunID(t, v), "run id label of %s", v)
	}

	// A second clone: its own run directory, while the first one still exists.
	second := filepath.Join(t.TempDir(), "compose-run")
	refusal, err := composeUpRefused(t, "AUTOLEDGER_RUN_DIR="+second)
	assertRefusal(t, refusal, err, volumes, dir)
	assert.Contains(t, refusal, "run directory "+dir+" (run id "+oldID+"), which still exists")
	assert.Contains(t, refusal, "AUTOLEDGER_RUN_DIR="+dir+" make compose-up", "how to use them instead")
	assert.NoDirExists(t, second, "a refused up makes no run directory")

	// The run directory moved away: a new one would be made at the same path.
	moved := dir + ".moved"
	require.NoError(t, os.RemoveAll(moved))
	require.NoError(t, os.Rename(dir, moved))
	t.Cleanup(func() {
		// A failure before compose-clean: put the network back as it was.
		if _, err := os.Stat(moved); err != nil {
			return
		}
		if _, err := os.Stat(dir); os.IsNotExist(err) && os.Rename(moved, dir) == nil {
			if out, err := networkScript("up"); err != nil {
				t.Logf("restoring the network: %v\n%s", err, out)
			}
		}
	})
	refusal, err = composeUpRefused(t)
	assertRefusal(t, refusal, err, volumes, dir)
	assert.Contains(t, refusal, "an earlier run directory at "+dir+" (run id "+oldID+"), since removed or moved away")
	assert.NotContains(t, refusal, "To use them instead", "their run directory is gone")
	assert.NoDirExists(t, dir, "a refused up makes no run directory")

	// The command the refusal names removes volumes whose run directory is gone.
	clean := exec.Command("make", "-C", root, "compose-clean")
	b, err := clean.CombinedOutput()
	require.NoError(t, err, string(b))
	assert.Empty(t, projectVolumes(t), "compose-clean leaves no volume of the project")
	assert.Contains(t, string(b), "removed the volumes of run directory "+dir+" (run id "+oldID+"), which is gone",
		"compose-clean names whose volumes it removed")
	require.NoError(t, os.RemoveAll(moved))

	// A new network: up, deploy, the suite's connection file and gateway keys.
	require.NoError(t, ensureNetwork())
	newID := readRunID(t, dir)
	assert.NotEqual(t, oldID, newID)
	for _, v := range projectVolumes(t) {
		assert.Equal(t, newID, volumeRunID(t, v), "run id label of %s", v)
	}
	startGateway(t)
	externalGateways(t, os.Getenv("AUTOLEDGER_GATEWAY_URLS"), os.Getenv("AUTOLEDGER_GATEWAY_KEYS"))
	v := freshVIN()
	require.Eventually(t, func() bool {
		status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "ICE"))
		if status != 201 {
			t.Logf("register on the new network: %d %s", status, body)
		}
		return status == 201
	}, 60*time.Second, time.Second, "the new network takes writes")
}

// composeUpRefused runs network.sh --compose up with extra environment,
// expecting it to refuse within seconds, before any container exists.
func composeUpRefused(t *testing.T, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(root, "test-network", "network.sh"), "--compose", "up")
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	assert.Less(t, time.Since(start), 15*time.Second, "the refusal comes at once")
	assert.Empty(t, strings.TrimSpace(docker(t, "ps", "-aq", "--filter", "label=com.docker.compose.project=autoledger")),
		"a refused up starts no container")
	return string(b), err
}

func assertRefusal(t *testing.T, out string, err error, volumes []string, owner string) {
	t.Helper()
	require.Error(t, err, "up on another run directory's volumes must fail: %s", out)
	require.Contains(t, out, "up refused")
	for _, v := range volumes {
		assert.Contains(t, out, v, "the refusal names every volume")
	}
	assert.Contains(t, out, owner, "the refusal names the run directory the volumes belong to")
	assert.Contains(t, out, "make compose-clean", "the refusal names the command that removes them")
	assert.NotContains(t, out, "CAs ready", "nothing was started")
}

// projectContainers names the project's containers, with extra docker ps filters.
func projectContainers(t *testing.T, filters ...string) []string {
	t.Helper()
	args := []string{"ps", "-a", "--format", "{{.Names}}", "--filter", "label=com.docker.compose.project=autoledger"}
	for _, f := range filters {
		args = append(args, "--filter", f)
	}
	return strings.Fields(docker(t, args...))
}

func projectVolumes(t *testing.T) []string {
	t.Helper()
	return strings.Fields(docker(t, "volume", "ls", "-q", "--filter", "label=com.docker.compose.project=autoledger"))
}

func volumeRunID(t *testing.T, volume string) string {
	t.Helper()
	return strings.TrimSpace(docker(t, "volume", "inspect", "-f", `{{index .Labels "org.autoledger.run-id"}}`, volume))
}

func readRunID(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "compose", "run-id"))
	require.NoError(t, err, "network.sh --compose up writes the run directory's run id")
	id := strings.TrimSpace(string(b))
	require.NotEmpty(t, id)
	return id
}
