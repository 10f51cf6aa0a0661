package ownerclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

func TestKeyFileIsOwnerOnlyAndNeverOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	require.NoError(t, ownerclient.WriteKeyFile(path, k))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	first, err := os.ReadFile(path)
	require.NoError(t, err)

	other, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	err = ownerclient.WriteKeyFile(path, other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, first, after, "the first key must survive")

	loaded, err := ownerclient.LoadKeyFile(path)
	require.NoError(t, err)
	assert.True(t, loaded.Equal(k))
}

func TestKeyFileWritesNothingThroughASymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere")
	link := filepath.Join(dir, "key.pem")
	require.NoError(t, os.Symlink(target, link))
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	require.Error(t, ownerclient.WriteKeyFile(link, k))
	_, err = os.Stat(target)
	assert.True(t, os.IsNotExist(err), "nothing may be written where the link points")
}

func TestLoadKeyRefusesAKeyOthersCanRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key.pem")
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	require.NoError(t, ownerclient.WriteKeyFile(path, k))
	require.NoError(t, os.Chmod(path, 0o640))
	_, err = ownerclient.LoadKeyFile(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "too open")
}

func TestParsePrivateKeyTakesSEC1AndRefusesOtherCurves(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	got, err := ownerclient.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	require.NoError(t, err)
	assert.True(t, got.Equal(k))
	// As openssl ecparam -genkey writes it: the curve's OID first.
	params := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}})
	got, err = ownerclient.ParsePrivateKey(append(params, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})...))
	require.NoError(t, err)
	assert.True(t, got.Equal(k))

	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	der, err = x509.MarshalPKCS8PrivateKey(p384)
	require.NoError(t, err)
	_, err = ownerclient.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	assert.ErrorContains(t, err, "P-256")
}

func TestPublicKeyFileRoundTrip(t *testing.T) {
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range []ownerclient.PublicKeyFormat{ownerclient.FormatPEM, ownerclient.FormatBase64} {
		path := filepath.Join(dir, "buyer."+string(f))
		require.NoError(t, ownerclient.WritePublicKeyFile(path, pub, f))
		got, err := ownerclient.ReadPublicKeyFile(path)
		require.NoError(t, err, f)
		assert.Equal(t, pub.Fingerprint(), got.Fingerprint(), f)
		assert.Error(t, ownerclient.WritePublicKeyFile(path, pub, f), "no overwrite")
	}
	// What a browser's WebCrypto exports: the raw point, URL-safe base64.
	got, err := ownerclient.ParsePublicKeyText([]byte(base64.RawURLEncoding.EncodeToString(pub.Raw()) + "\n"))
	require.NoError(t, err)
	assert.Equal(t, pub.Fingerprint(), got.Fingerprint())
}

func TestParsePublicKeyTextRefusesAPrivateKey(t *testing.T) {
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	_, err = ownerclient.ParsePublicKeyText(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	assert.ErrorContains(t, err, "private key")
	_, err = ownerclient.ParsePublicKeyText([]byte("not a key"))
	assert.Error(t, err)
}

func TestSignIsP1363AndVerifies(t *testing.T) {
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	msg := []byte(statement.Domain + "\n")
	// Many signatures, so that r or s with leading zero bytes (1 in 128
	// each) are met: FillBytes must keep them 32 bytes wide.
	for range 300 {
		sig, err := ownerclient.Sign(k, msg)
		require.NoError(t, err)
		require.Len(t, sig, statement.SignatureSize)
		require.NoError(t, pub.Verify(msg, sig))
	}
	sig, err := ownerclient.Sign(k, msg)
	require.NoError(t, err)
	assert.Error(t, pub.Verify([]byte(strings.ToUpper(string(msg))), sig))
}
