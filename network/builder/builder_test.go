package builder_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/autoledger/autoledger/network/builder"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, dir, name string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o600))
}

func TestDetectBuildRelease(t *testing.T) {
	src, meta, out, rel := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	write(t, meta, "metadata.json", map[string]string{"type": "ccaas", "label": "autoledger_1"})
	conn := builder.Connection{Address: "127.0.0.1:9991", DialTimeout: "10s", TLSRequired: true, RootCert: "PEM",
		ClientAuthRequired: true, ClientKey: "K", ClientCert: "C"}
	write(t, src, "connection.json", conn)

	assert.Equal(t, 0, builder.Main("detect", []string{src, meta}, os.Stderr))
	require.Equal(t, 0, builder.Main("build", []string{src, meta, out}, os.Stderr))
	require.Equal(t, 0, builder.Main("release", []string{out, rel}, os.Stderr))

	b, err := os.ReadFile(filepath.Join(rel, "chaincode", "server", "connection.json"))
	require.NoError(t, err)
	var got builder.Connection
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, conn, got)
}

func TestDetectRefusesOtherTypes(t *testing.T) {
	meta := t.TempDir()
	write(t, meta, "metadata.json", map[string]string{"type": "golang", "label": "x"})
	assert.Equal(t, 1, builder.Main("detect", []string{"src", meta}, os.Stderr))
	assert.Equal(t, 2, builder.Main("detect", []string{"src", t.TempDir()}, os.Stderr), "missing metadata is an error")
	assert.Equal(t, 2, builder.Main("detect", nil, os.Stderr))
	assert.Equal(t, 2, builder.Main("nope", nil, os.Stderr))
}

func TestBuildRefusesIncompleteConnections(t *testing.T) {
	for _, c := range []builder.Connection{
		{},
		{Address: "a:1", TLSRequired: true},
		{Address: "a:1", ClientAuthRequired: true},
	} {
		src := t.TempDir()
		write(t, src, "connection.json", c)
		assert.Equal(t, 2, builder.Main("build", []string{src, "m", t.TempDir()}, os.Stderr), "%+v", c)
	}
	assert.Equal(t, 2, builder.Main("build", []string{t.TempDir(), "m", t.TempDir()}, os.Stderr))
	assert.Equal(t, 2, builder.Main("release", []string{t.TempDir(), t.TempDir()}, os.Stderr))
}
