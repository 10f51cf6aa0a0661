// Package connection is the schema of the file `network.sh up` writes for
// clients: per org its MSP ID, peer endpoints, TLS roots and the signing
// identities of its users by role. The network writes it with this type and
// the gateway reads it with this type, so the two cannot drift apart.
package connection

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
)

// File describes one running network.
type File struct {
	// Channel is the channel name, Chaincode the chaincode name on it.
	Channel   string `json:"channel"`
	Chaincode string `json:"chaincode"`
	// Orgs lists the application orgs, in a stable order.
	Orgs []Org `json:"orgs"`
}

// Org is one application organisation.
type Org struct {
	// Name is the short name used by network.sh ("oem").
	Name  string `json:"name"`
	MSPID string `json:"mspId"`
	// TLSRootCert is the PEM file of the org's TLS CA, which issued the
	// TLS certificates of its nodes and clients (not an identity root of
	// the org's MSP).
	TLSRootCert string `json:"tlsRootCert"`
	// ClientTLS is the client certificate for mutual TLS with the org's peers,
	// shared by every identity of the org (one gRPC connection per peer).
	ClientTLS KeyPair `json:"clientTls"`
	Peers     []Peer  `json:"peers"`
	// Users maps a role ("production", "claims", and "orgadmin" for the
	// org's Fabric admin) to its signing identity.
	Users map[string]KeyPair `json:"users"`
	// CA is the org's Fabric CA.
	CA CA `json:"ca"`
}

// Peer is one peer endpoint.
type Peer struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// ServerName is the TLS server name to verify (a SAN of the peer's certificate).
	ServerName string `json:"serverName"`
}

// KeyPair names a PEM certificate file and its PEM private key file.
type KeyPair struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// CA is a Fabric CA endpoint.
type CA struct {
	URL  string `json:"url"`
	Name string `json:"name"`
	// TLSRootCert verifies the CA server's listener: the root of the org's (identity) CA.
	TLSRootCert string `json:"tlsRootCert"`
}

// Load reads and validates a connection file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read connection file: %w", err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decode connection file %s: %w", path, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	return &f, nil
}

// Write stores f at path, readable by its owner only (it names key files).
func (f *File) Write(path string) error {
	if err := f.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode connection file: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// Validate checks that every org has what a client needs.
func (f *File) Validate() error {
	if f.Channel == "" || f.Chaincode == "" {
		return errors.New("channel and chaincode are required")
	}
	if len(f.Orgs) == 0 {
		return errors.New("no orgs")
	}
	for _, o := range f.Orgs {
		switch {
		case o.MSPID == "":
			return fmt.Errorf("org %q: mspId is required", o.Name)
		case len(o.Peers) == 0:
			return fmt.Errorf("org %s: no peers", o.MSPID)
		case o.TLSRootCert == "":
			return fmt.Errorf("org %s: tlsRootCert is required", o.MSPID)
		case len(o.Users) == 0:
			return fmt.Errorf("org %s: no users", o.MSPID)
		}
	}
	return nil
}

// Org returns the org with the given MSP ID or short name.
func (f *File) Org(id string) (*Org, error) {
	i := slices.IndexFunc(f.Orgs, func(o Org) bool { return o.MSPID == id || o.Name == id })
	if i < 0 {
		return nil, fmt.Errorf("no org %q in the connection file", id)
	}
	return &f.Orgs[i], nil
}

// User returns the key pair of role in o.
func (o *Org) User(role string) (KeyPair, error) {
	kp, ok := o.Users[role]
	if !ok {
		return KeyPair{}, fmt.Errorf("org %s has no user for role %q", o.MSPID, role)
	}
	return kp, nil
}
