//go:build e2e

// Package e2e runs AutoLedger's end-to-end tests against the real native
// network. TestMain starts the network and deploys the chaincodes when they
// are not running yet; a network that is already up is reused.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/autoledger/autoledger/network/connection"
)

var (
	root    string
	runDir  string
	netFile *connection.File
)

func networkScript(args ...string) ([]byte, error) {
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
	if runDir == "" {
		runDir = filepath.Join(root, "test-network", "run")
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
	for _, cc := range []string{"autoledger", "conformance"} {
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
	return nil
}
