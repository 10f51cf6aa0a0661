// Package ownerclient is the car owner's own client of the gateway's
// /v1/owner endpoints: it keeps the owner's P-256 key in a file, builds
// owner statements with chaincode/owner/statement from what it asked for
// (never from text the server sent), signs them and posts them. The
// `autoledger owner` command is a thin shell around it; the end-to-end
// suite and the demo drive owners through it too.
//
// It is the owner's independent client: unlike the portal, whose script
// the serving member controls, nothing in it trusts the gateway with
// anything but relaying. The gateway chooses the channel and the nonce of
// a statement; this package checks that they are well-formed and that the
// VIN and action are the ones asked for before it signs.
package ownerclient

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// PEM block types of the files this package reads and writes.
const (
	privateKeyType   = "PRIVATE KEY"    // PKCS#8
	ecPrivateKeyType = "EC PRIVATE KEY" // SEC1, as `openssl ecparam -genkey` writes it
	publicKeyType    = "PUBLIC KEY"     // SPKI
)

// GenerateKey makes a new owner key: ECDSA P-256, the curve the ledger
// verifies. Use one key per car ownership, so that keys link nothing
// across a person's cars.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate P-256 key: %w", err)
	}
	return k, nil
}

// WriteKeyFile writes k as a PKCS#8 PEM file readable by its owner alone
// (0600). It never replaces a file: a lost owner key can only be replaced
// by an exception a majority of the member orgs approve, so overwriting
// one by a typo must be impossible.
func WriteKeyFile(path string, k *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	return writeNew(path, pem.EncodeToMemory(&pem.Block{Type: privateKeyType, Bytes: der}), 0o600)
}

// writeNew creates path with data and mode; an existing file is an error.
// O_EXCL also refuses a symlink planted at path.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; refusing to overwrite it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// LoadKeyFile reads an owner key: a PEM PKCS#8 ("PRIVATE KEY") or SEC1
// ("EC PRIVATE KEY") P-256 key. Like ssh, it refuses a key file that
// others than its owner may read or write: such a key may already be
// someone else's too.
func LoadKeyFile(path string) (*ecdsa.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s: permissions %04o are too open: an owner key must be readable by you alone (chmod 600 %s)", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ParsePrivateKey reads a PEM P-256 private key (PKCS#8 or SEC1).
func ParsePrivateKey(pemBytes []byte) (*ecdsa.PrivateKey, error) {
	block, rest := pem.Decode(pemBytes)
	// openssl ecparam -genkey writes the curve's parameters first.
	for block != nil && block.Type == "EC PARAMETERS" {
		block, rest = pem.Decode(rest)
	}
	if block == nil {
		return nil, errors.New("not a PEM file with a private key")
	}
	var key any
	var err error
	switch block.Type {
	case privateKeyType:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case ecPrivateKeyType:
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key (want %q)", block.Type, privateKeyType)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	k, ok := key.(*ecdsa.PrivateKey)
	if !ok || k.Curve != elliptic.P256() {
		return nil, errors.New("not an ECDSA P-256 key: owner keys are P-256")
	}
	return k, nil
}

// PublicKey is k's public half in the form the ledger keeps and
// statements name it by.
func PublicKey(k *ecdsa.PrivateKey) (statement.PublicKey, error) {
	spki, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return statement.PublicKey{}, fmt.Errorf("encode public key: %w", err)
	}
	return statement.ParsePublicKey(spki)
}

// PublicKeyFormat is how a public key file is written.
type PublicKeyFormat string

// The public key file formats. Both hold the SPKI DER.
const (
	FormatPEM    PublicKeyFormat = "pem"
	FormatBase64 PublicKeyFormat = "base64"
)

// EncodePublicKey is pub as a PEM "PUBLIC KEY" block or one line of
// standard base64, both of the SPKI DER, ending in a newline.
func EncodePublicKey(pub statement.PublicKey, format PublicKeyFormat) ([]byte, error) {
	switch format {
	case FormatPEM:
		return pem.EncodeToMemory(&pem.Block{Type: publicKeyType, Bytes: pub.SPKI()}), nil
	case FormatBase64:
		return []byte(base64.StdEncoding.EncodeToString(pub.SPKI()) + "\n"), nil
	}
	return nil, fmt.Errorf("unknown public key format %q (want pem or base64)", format)
}

// WritePublicKeyFile writes pub to a new file (0644; it is no secret).
func WritePublicKeyFile(path string, pub statement.PublicKey, format PublicKeyFormat) error {
	b, err := EncodePublicKey(pub, format)
	if err != nil {
		return err
	}
	return writeNew(path, b, 0o644)
}

// ParsePublicKeyText reads a public key as a buyer hands it over: a PEM
// "PUBLIC KEY" block, or base64 (standard or URL-safe, padded or not) of
// the SPKI DER or of the 65-byte raw point, as WebCrypto exports either.
// A private key is refused rather than reduced to its public half: whoever
// holds the buyer's private key file should not be the seller.
func ParsePublicKeyText(text []byte) (statement.PublicKey, error) {
	text = bytes.TrimSpace(text)
	if bytes.HasPrefix(text, []byte("-----BEGIN")) {
		block, _ := pem.Decode(text)
		switch {
		case block == nil:
			return statement.PublicKey{}, errors.New("malformed PEM")
		case strings.Contains(block.Type, "PRIVATE"):
			return statement.PublicKey{}, errors.New("this is a private key: ask for the public key (autoledger owner pubkey)")
		case block.Type != publicKeyType:
			return statement.PublicKey{}, fmt.Errorf("PEM block %q is not a public key (want %q)", block.Type, publicKeyType)
		}
		return statement.ParsePublicKey(block.Bytes)
	}
	der, err := decodeBase64(string(text))
	if err != nil {
		return statement.PublicKey{}, errors.New("neither PEM nor base64 of a P-256 public key")
	}
	return statement.ParsePublicKey(der)
}

// ReadPublicKeyFile reads a public key file (see ParsePublicKeyText).
func ReadPublicKeyFile(path string) (statement.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return statement.PublicKey{}, err
	}
	pub, err := ParsePublicKeyText(b)
	if err != nil {
		return statement.PublicKey{}, fmt.Errorf("%s: %w", path, err)
	}
	return pub, nil
}

// decodeBase64 takes either alphabet, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
