// Package builder is AutoLedger's external chaincode builder for chaincode
// as a service: the peer never compiles or launches chaincode, it connects to
// a chaincode server named in the package's connection.json. It accepts the
// standard "ccaas" package format (metadata.json type "ccaas", code.tar.gz
// holding connection.json). The three steps are small static binaries,
// cmd/detect, cmd/build and cmd/release, so they also run in images without
// a shell.
package builder

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Type is the package type this builder accepts.
const Type = "ccaas"

// Connection is the connection.json of a ccaas package, as the peer reads it.
type Connection struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required"`
	ClientKey          string `json:"client_key,omitempty"`
	ClientCert         string `json:"client_cert,omitempty"`
	RootCert           string `json:"root_cert,omitempty"`
}

// Validate checks what the peer needs to dial the chaincode server.
func (c Connection) Validate() error {
	if c.Address == "" {
		return errors.New("connection.json: address is required")
	}
	if c.TLSRequired && c.RootCert == "" {
		return errors.New("connection.json: root_cert is required when tls_required is true")
	}
	if c.ClientAuthRequired && (c.ClientKey == "" || c.ClientCert == "") {
		return errors.New("connection.json: client_key and client_cert are required when client_auth_required is true")
	}
	return nil
}

// Detect reports whether the package in metadataDir is ours to build.
func Detect(metadataDir string) (bool, error) {
	b, err := os.ReadFile(filepath.Join(metadataDir, "metadata.json"))
	if err != nil {
		return false, fmt.Errorf("read metadata.json: %w", err)
	}
	var md struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &md); err != nil {
		return false, fmt.Errorf("decode metadata.json: %w", err)
	}
	return strings.EqualFold(md.Type, Type), nil
}

// Build validates sourceDir/connection.json and copies it to outputDir.
func Build(sourceDir, outputDir string) error {
	b, err := os.ReadFile(filepath.Join(sourceDir, "connection.json"))
	if err != nil {
		return fmt.Errorf("read connection.json: %w", err)
	}
	var c Connection
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("decode connection.json: %w", err)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(outputDir, 0o755); err != nil {
		return fmt.Errorf("create build output: %w", err)
	}
	return os.WriteFile(filepath.Join(outputDir, "connection.json"), b, 0o600)
}

// Release places the built connection.json where the peer looks for it.
func Release(buildDir, releaseDir string) error {
	b, err := os.ReadFile(filepath.Join(buildDir, "connection.json"))
	if err != nil {
		return fmt.Errorf("read built connection.json: %w", err)
	}
	dir := filepath.Join(releaseDir, "chaincode", "server")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create release dir: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "connection.json"), b, 0o600)
}

// Main runs one step with its arguments and returns the process exit code:
// detect exits 1 (without an error) for a package of another type.
func Main(step string, args []string, stderr *os.File) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "autoledger-ccaas %s: %v\n", step, err)
		return 2
	}
	switch step {
	case "detect":
		if len(args) != 2 {
			return fail(errors.New("usage: detect SOURCE_DIR METADATA_DIR"))
		}
		ok, err := Detect(args[1])
		if err != nil {
			return fail(err)
		}
		if !ok {
			return 1
		}
		return 0
	case "build", "release":
		usage, n, run := "build SOURCE_DIR METADATA_DIR OUTPUT_DIR", 3, func() error { return Build(args[0], args[2]) }
		if step == "release" {
			usage, n, run = "release BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR", 2, func() error { return Release(args[0], args[1]) }
		}
		if len(args) != n {
			return fail(errors.New("usage: " + usage))
		}
		if err := run(); err != nil {
			return fail(err)
		}
		return 0
	}
	return fail(fmt.Errorf("unknown step %q", step))
}
