// Package fabclient turns a connection file into fabric-gateway clients:
// one gRPC connection per peer (mutual TLS with the org's client
// certificate), shared by every signing identity of the org, and decodes
// the chaincode's business errors out of the gateway's error details.
package fabclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// Dial opens a gRPC connection to peer p of org o.
func Dial(o *connection.Org, p connection.Peer) (*grpc.ClientConn, error) {
	root, err := os.ReadFile(o.TLSRootCert)
	if err != nil {
		return nil, fmt.Errorf("read TLS root of %s: %w", o.MSPID, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(root) {
		return nil, fmt.Errorf("no certificate in %s", o.TLSRootCert)
	}
	cert, err := tls.LoadX509KeyPair(o.ClientTLS.Cert, o.ClientTLS.Key)
	if err != nil {
		return nil, fmt.Errorf("load TLS client certificate of %s: %w", o.MSPID, err)
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert},
		ServerName: p.ServerName, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient("dns:///"+p.Endpoint, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", p.Endpoint, err)
	}
	return conn, nil
}

// Signer loads a user's X.509 identity and signing function.
func Signer(mspID string, kp connection.KeyPair) (*identity.X509Identity, identity.Sign, error) {
	cert, err := readPEM(kp.Cert, "certificate", identity.CertificateFromPEM)
	if err != nil {
		return nil, nil, err
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, err
	}
	key, err := readPEM(kp.Key, "private key", identity.PrivateKeyFromPEM)
	if err != nil {
		return nil, nil, err
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, nil, err
	}
	return id, sign, nil
}

// Connect returns a gateway for role of org o over conn.
func Connect(o *connection.Org, role string, conn *grpc.ClientConn, opts ...client.ConnectOption) (*client.Gateway, error) {
	kp, err := o.User(role)
	if err != nil {
		return nil, err
	}
	id, sign, err := Signer(o.MSPID, kp)
	if err != nil {
		return nil, err
	}
	return client.Connect(id, append([]client.ConnectOption{client.WithSign(sign), client.WithClientConnection(conn)}, opts...)...)
}

// Messages returns the top-level message of err and every peer's message
// from its details, where the chaincode's own error text travels.
func Messages(err error) []string {
	if err == nil {
		return nil
	}
	msgs := []string{err.Error()}
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		for _, d := range se.GRPCStatus().Details() {
			if m, ok := d.(interface{ GetMessage() string }); ok {
				msgs = append(msgs, m.GetMessage())
			}
		}
	}
	return msgs
}

// RefusingOrgs returns the MSP IDs of the peers whose failures err
// details, in the order the peer's gateway reported them.
func RefusingOrgs(err error) []string {
	var out []string
	var se interface{ GRPCStatus() *status.Status }
	if errors.As(err, &se) {
		for _, d := range se.GRPCStatus().Details() {
			if m, ok := d.(interface{ GetMspId() string }); ok && m.GetMspId() != "" {
				out = append(out, m.GetMspId())
			}
		}
	}
	return out
}

// ChaincodeError returns the business error a chaincode returned inside err.
func ChaincodeError(err error) (*ccerr.Error, bool) {
	for _, m := range Messages(err) {
		if e, ok := ccerr.Decode(m); ok {
			return e, true
		}
	}
	return nil, false
}

// Describe joins every message of err into one string, for logs and tests.
func Describe(err error) string { return strings.Join(Messages(err), " | ") }

// readPEM reads the PEM file at path and parses it; what names it in errors.
func readPEM[T any](path, what string, parse func([]byte) (T, error)) (T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("read %s: %w", what, err)
	}
	v, err := parse(b)
	if err != nil {
		return v, fmt.Errorf("parse %s %s: %w", what, path, err)
	}
	return v, nil
}

// ProbeFunction is what the readiness probes endorse: the contract API's own
// metadata, which every chaincode built on it answers to every member, and
// which reads and writes nothing.
const ProbeFunction = "org.hyperledger.fabric:GetMetadata"

// ProbeEndorsement gets a proposal endorsed through c's peer the way a write
// is, and does not submit it, so nothing is ordered. Without orgs the peer's
// gateway asks discovery for peers that satisfy the chaincode's endorsement
// policy: while discovery cannot (after a restart, until gossip has formed
// and every peer has announced the chaincode) this fails with "no
// combination of peers can be derived which satisfy the endorsement
// policy". With orgs it needs one peer of each, as a write that names its
// endorsers (private data) does.
func ProbeEndorsement(ctx context.Context, c *client.Contract, orgs ...string) error {
	var opts []client.ProposalOption
	if len(orgs) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(orgs...))
	}
	prop, err := c.NewProposal(ProbeFunction, opts...)
	if err != nil {
		return fmt.Errorf("probe proposal: %w", err)
	}
	if _, err := prop.EndorseWithContext(ctx); err != nil {
		return fmt.Errorf("probe endorsement: %w", err)
	}
	return nil
}
