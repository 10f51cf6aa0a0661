//go:build e2e

// Package e2e runs AutoLedger's end-to-end tests against a real network: the
// native one, or with AUTOLEDGER_NETWORK=compose the containers of
// docker-compose.yaml and their per-org gateways. TestMain starts the network
// and deploys the chaincodes when they are not running yet; a network that is
// already up is reused.
package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/autoledger/autoledger/network/connection"
	"github.com/stretchr/testify/require"
)

var (
	root    string
	runDir  string
	netFile *connection.File
	// composed is true when the suite runs against the compose network.
	composed = os.Getenv("AUTOLEDGER_NETWORK") == "compose"
)

func networkScript(args ...string) ([]byte, error) {
	if composed {
		args = append([]string{"--compose"}, args...)
	}
	cmd := exec.Command(filepath.Join(root, "test-network", "network.sh"), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func TestMain(m *testing.M) {
	_, file, _, _ := runtime.Caller(0)
	root = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	runDir = os.Getenv("AUTOLEDGER_RUN_DIR")
	switch {
	case runDir != "":
	case composed:
		runDir = filepath.Join(root, "test-network", "compose-run")
	default:
		runDir = filepath.Join(root, "test-network", "run")
	}
	if composed && os.Getenv("AUTOLEDGER_WEBHOOK_ALLOW") == "" {
		// The compose gateways reach the suite's webhook receiver on the host's address on the
		// compose network's bridge, a private address they refuse unless allow-listed; Docker
		// gives bridges addresses from these ranges. Only the suite's compose network gets it.
		os.Setenv("AUTOLEDGER_WEBHOOK_ALLOW", "172.16.0.0/12,192.168.0.0/16")
	}
	if err := ensureNetwork(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: network not available:", err)
		os.Exit(1)
	}
	code := m.Run()
	stopGateway()
	os.Exit(code)
}

func ensureNetwork() error {
	if out, err := networkScript("up"); err != nil {
		return fmt.Errorf("network.sh up: %w\n%s", err, out)
	}
	chaincodes := []string{"autoledger", "conformance"}
	if composed {
		chaincodes = chaincodes[:1] // one chaincode container per org
	}
	for _, cc := range chaincodes {
		if _, err := os.Stat(filepath.Join(runDir, "chaincode", cc, "oem.pkgid")); err == nil {
			continue
		}
		if out, err := networkScript("deploy", cc); err != nil {
			return fmt.Errorf("network.sh deploy %s: %w\n%s", cc, err, out)
		}
	}
	f, err := connection.Load(filepath.Join(runDir, "connection.json"))
	if err != nil {
		return err
	}
	netFile = f
	if composed && os.Getenv("AUTOLEDGER_GATEWAY_URLS") == "" {
		// The compose network runs one gateway per org; network.sh lists them with their keys.
		b, err := os.ReadFile(filepath.Join(runDir, "gateways.env"))
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "AUTOLEDGER_GATEWAY_URLS="); ok {
				os.Setenv("AUTOLEDGER_GATEWAY_URLS", v)
			}
			if v, ok := strings.CutPrefix(line, "AUTOLEDGER_GATEWAY_CA="); ok && os.Getenv("AUTOLEDGER_GATEWAY_CA") == "" {
				os.Setenv("AUTOLEDGER_GATEWAY_CA", v)
			}
		}
		os.Setenv("AUTOLEDGER_GATEWAY_KEYS", filepath.Join(runDir, "gateways.env"))
	}
	return trustGatewayCA(os.Getenv("AUTOLEDGER_GATEWAY_CA"))
}

// trustGatewayCA makes the suite's HTTP client (http.DefaultTransport, which
// http.Get and http.DefaultClient use) trust the PEM CA at path besides the
// system's roots: the compose gateways serve HTTPS with certificates from
// the network's own CA. An empty path changes nothing.
func trustGatewayCA(path string) error {
	if path == "" {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("AUTOLEDGER_GATEWAY_CA: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(b) {
		return fmt.Errorf("AUTOLEDGER_GATEWAY_CA %s holds no PEM certificate", path)
	}
	http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return nil
}

// nativeOnly skips a test that needs what only the native network has.
func nativeOnly(t *testing.T, why string) {
	if composed {
		t.Skip("compose network: " + why)
	}
}

// container is the compose container of a node as network.sh names it.
func container(kind, org string) string {
	return kind + "." + org + ".autoledger"
}

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	require.NoError(t, err, "docker %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// stopPeer stops org's peer (SIGTERM to the process, or docker stop) and
// waits until it is gone.
func stopPeer(t *testing.T, org string) {
	if composed {
		docker(t, "stop", container("peer0", org))
		return
	}
	b, err := os.ReadFile(filepath.Join(runDir, "pids", "peer0."+org+".pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, syscall.SIGTERM))
	require.Eventually(t, func() bool { return syscall.Kill(pid, 0) != nil }, 20*time.Second, 100*time.Millisecond)
}

// startPeer starts org's stopped peer again: network.sh up natively (it
// starts what is not running), docker start in compose.
func startPeer(t *testing.T, org string) {
	if composed {
		docker(t, "start", container("peer0", org))
		return
	}
	out, err := networkScript("up")
	require.NoError(t, err, string(out))
}

// peerDataContains reports whether any file of org's peer's ledger holds
// needle: the data directory natively, the container's volume (read
// through docker cp, as a tar stream) in compose.
func peerDataContains(t *testing.T, org, needle string) bool {
	if !composed {
		return dirContains(t, filepath.Join(runDir, "data", "peer0."+org), needle)
	}
	cmd := exec.Command("docker", "cp", container("peer0", org)+":/var/hyperledger/production", "-")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { require.NoError(t, cmd.Wait()) }()
	tr := tar.NewReader(out)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if h.Typeflag != tar.TypeReg || found {
			continue
		}
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		found = bytes.Contains(b, []byte(needle))
	}
	return found
}
