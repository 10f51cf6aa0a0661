// Package demo generates a gateway configuration with one fresh API key per
// org and role of a network's connection file: what `make demo` and the
// end-to-end tests run the gateway with.
package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/network/connection"
	"gopkg.in/yaml.v3"
)

// The demo's owner limit per address (config.Owner).
const (
	demoOwnerRequestsPerMinute = 1200
	demoOwnerBurst             = 200
)

// Key is one generated API key.
type Key struct {
	Org, Role, Name, Value string
}

// EnvName is the demo.env variable of a key: AUTOLEDGER_KEY_<ORG>_<ROLE>,
// with a role's '-' as '_' (a shell variable name has no '-').
func (k Key) EnvName() string {
	return "AUTOLEDGER_KEY_" + strings.ToUpper(k.Name) + "_" + strings.ToUpper(strings.ReplaceAll(k.Role, "-", "_"))
}

// Generate returns a configuration for connFile listening on listen with
// its store at storePath, and the plaintext keys it accepts (hashed in the
// configuration).
func Generate(connFile, listen, storePath string) (config.Config, []Key, error) {
	f, err := connection.Load(connFile)
	if err != nil {
		return config.Config{}, nil, err
	}
	cfg := config.Default()
	cfg.Listen, cfg.ConnectionFile, cfg.Store = listen, connFile, storePath
	// Every owner of the demo and of the end-to-end suite (demo-load, the
	// CLI, the browser tests) calls from one loopback address: the
	// per-address owner limit is raised for them, not for production.
	cfg.Owner.RequestsPerMinute, cfg.Owner.Burst = demoOwnerRequestsPerMinute, demoOwnerBurst
	var keys []Key
	for _, o := range f.Orgs {
		roles := make([]string, 0, len(o.Users))
		for r := range o.Users {
			if r != "orgadmin" {
				roles = append(roles, r)
			}
		}
		slices.Sort(roles)
		for _, r := range roles {
			v, err := auth.NewKey()
			if err != nil {
				return cfg, nil, err
			}
			k := Key{Org: o.MSPID, Role: r, Name: o.Name, Value: v}
			keys = append(keys, k)
			cfg.Auth.APIKeys = append(cfg.Auth.APIKeys, config.APIKey{
				Client: o.Name + "-" + r, Org: o.MSPID, Role: r, KeyHash: auth.HashKey(v)})
		}
	}
	return cfg, keys, nil
}

// Write stores cfg as YAML and the keys as a shell-sourceable env file
// (both readable by their owner only).
func Write(cfg config.Config, keys []Key, url, configPath, envPath string) error {
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("encode config: %w", err)
	}
	for _, p := range []string{configPath, envPath} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
	}
	if err := os.WriteFile(configPath, b, 0o600); err != nil {
		return err
	}
	var env strings.Builder
	fmt.Fprintf(&env, "AUTOLEDGER_URL=%s\n", url)
	for _, k := range keys {
		fmt.Fprintf(&env, "%s=%s\n", k.EnvName(), k.Value)
	}
	return os.WriteFile(envPath, []byte(env.String()), 0o600)
}
