package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/autoledger/autoledger/gateway/config"
	"github.com/stretchr/testify/require"
)

// The environment widens the file's webhook allow-list and never replaces it.
func TestWebhookAllowFromTheEnvironmentIsAdded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gateway.yaml")
	require.NoError(t, os.WriteFile(path, []byte("connectionFile: c.json\nwebhooks:\n  allow: [hooks.example]\n"), 0o600))

	t.Setenv("AUTOLEDGER_WEBHOOK_ALLOW", "")
	c, _ := config.Load(path)
	require.Equal(t, []string{"hooks.example"}, c.Webhooks.Allow)

	t.Setenv("AUTOLEDGER_WEBHOOK_ALLOW", "172.16.0.0/12,192.168.0.0/16")
	c, _ = config.Load(path)
	require.Equal(t, []string{"hooks.example", "172.16.0.0/12", "192.168.0.0/16"}, c.Webhooks.Allow)
}
