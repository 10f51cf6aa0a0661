//go:build e2e

package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The CA bootstrap passwords and the enrolment secrets network.sh generated
// appear in no log of the run directory (nor, in compose, in the CA
// containers' logs, command or environment) and in no process's arguments,
// which every user of the host can read with ps; the run directory's logs and
// secret files are readable by their owner only.
func TestE2ESecretsStayOutOfLogsAndArguments(t *testing.T) {
	secrets := runDirSecrets(t)

	logs := filepath.Join(runDir, "logs")
	scanned := 0
	require.NoError(t, filepath.WalkDir(logs, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		rel, _ := filepath.Rel(runDir, path)
		assert.Empty(t, leaked(secrets, string(b)), "secrets in %s", rel)
		assertOwnerOnly(t, path)
		return nil
	}))
	require.NotZero(t, scanned, "no log files in %s", logs)

	// What ps shows every user: untruncated arguments of every process.
	out, err := exec.Command("ps", "-ww", "-eo", "args=").Output()
	require.NoError(t, err)
	ps := string(out)
	assert.Empty(t, leaked(secrets, ps), "secrets in the arguments of running processes (ps)")
	if !composed {
		// The scan saw the nodes: the CA servers, orderers and peers were running.
		for _, p := range []string{"fabric-ca-server start", "orderer", "peer node start"} {
			assert.Contains(t, ps, p)
		}
	}

	if composed {
		for _, org := range caOrgs(t) {
			name := container("ca", org)
			assert.Empty(t, leaked(secrets, docker(t, "logs", name)), "secrets in docker logs %s", name)
			// Anyone allowed to use Docker reads a container's command and environment.
			config := docker(t, "inspect", "-f", "{{.Path}} {{json .Args}} {{json .Config.Env}} {{json .Config.Cmd}}", name)
			assert.Empty(t, leaked(secrets, config), "secrets in the command or environment of %s (docker inspect)", name)
		}
	}

	for _, p := range []string{runDir, logs, filepath.Join(runDir, "ca"), filepath.Join(runDir, "ca-admin")} {
		assertOwnerOnly(t, p)
	}
	for _, org := range caOrgs(t) {
		assertOwnerOnly(t, filepath.Join(runDir, "ca", org, "bootstrap.pw"))
		assertOwnerOnly(t, filepath.Join(runDir, "ca", org, "fabric-ca-server-config.yaml"))
		assertOwnerOnly(t, filepath.Join(runDir, "ca-admin", org, "secrets"))
	}
	for _, f := range secretFiles(t) {
		assertOwnerOnly(t, f)
	}
}

// caOrgs: the orgs whose CA the run directory holds (the orderer org too).
func caOrgs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(runDir, "ca"))
	require.NoError(t, err)
	var orgs []string
	for _, e := range entries {
		if e.IsDir() {
			orgs = append(orgs, e.Name())
		}
	}
	require.Len(t, orgs, 5, "orderer and the four member orgs")
	return orgs
}

// secretFiles: every file of the run directory that holds a generated secret.
func secretFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(runDir, "ca", "*", "bootstrap.pw"))
	require.NoError(t, err)
	enrol, err := filepath.Glob(filepath.Join(runDir, "ca-admin", "*", "secrets", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, enrol, "no enrolment secrets in the run directory")
	return append(files, enrol...)
}

// runDirSecrets: each generated secret, keyed by its value, named by its file
// (relative to the run directory) so that a failure never prints a secret.
func runDirSecrets(t *testing.T) map[string]string {
	t.Helper()
	secrets := map[string]string{}
	for _, f := range secretFiles(t) {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		v := strings.TrimSpace(string(b))
		require.GreaterOrEqual(t, len(v), 16, "secret %s is too short to be told from other text", f)
		rel, _ := filepath.Rel(runDir, f)
		secrets[v] = rel
	}
	require.Len(t, secrets, len(secretFiles(t)), "secrets must be distinct")
	return secrets
}

// leaked names the secrets (by file) that text contains.
func leaked(secrets map[string]string, text string) []string {
	var names []string
	for v, name := range secrets {
		if strings.Contains(text, v) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func assertOwnerOnly(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if !assert.NoError(t, err) {
		return
	}
	rel, _ := filepath.Rel(runDir, path)
	assert.Zero(t, fi.Mode().Perm()&0o077, "%s is %v: group or others can access it", rel, fi.Mode().Perm())
}
