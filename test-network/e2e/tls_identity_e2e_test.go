//go:build e2e

package e2e

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// certPool reads the PEM certificates of file into a pool.
func certPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(b), "no certificate in %s", file)
	return pool
}

func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	block, _ := pem.Decode(b)
	require.NotNil(t, block, "no PEM in %s", file)
	c, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return c
}

// Every TLS certificate of an org comes from its TLS CA, whose root is in
// the MSP's tlscacerts only: none chains to the MSP's identity root.
func TestE2ETLSCertificatesComeFromTheTLSCA(t *testing.T) {
	dir := filepath.Join(runDir, "orgs", "oem")
	identityRoots := certPool(t, filepath.Join(dir, "msp", "cacerts", "ca.pem"))
	tlsRoots := certPool(t, filepath.Join(dir, "msp", "tlscacerts", "ca.pem"))
	anyUsage := []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	for _, f := range []string{"peers/peer0/tls/server.crt", "users/orgadmin/tls/client.crt",
		"clients/gateway/tls/client.crt", "chaincode/server/server.crt", "chaincode/client/client.crt"} {
		c := readCert(t, filepath.Join(dir, f))
		_, err := c.Verify(x509.VerifyOptions{Roots: tlsRoots, KeyUsages: anyUsage})
		assert.NoError(t, err, "%s: issued by the TLS CA", f)
		_, err = c.Verify(x509.VerifyOptions{Roots: identityRoots, KeyUsages: anyUsage})
		assert.Error(t, err, "%s must not chain to the org's identity root", f)
	}
	c := readCert(t, filepath.Join(dir, "users", "production", "msp", "signcerts", "cert.pem"))
	_, err := c.Verify(x509.VerifyOptions{Roots: tlsRoots, KeyUsages: anyUsage})
	assert.Error(t, err, "a user's signing certificate must not chain to the TLS root")
}

// The chaincode server's TLS key cannot sign a proposal: the peer does not
// take its certificate as an identity of OemMSP, so the proposal is refused
// before any chaincode runs. The same call by a role user reaches the
// chaincode over the same connection, and the org's Fabric admin, a valid
// identity without a role, reaches it and is refused by the chaincode.
func TestE2ETLSKeyIsNoSigningIdentity(t *testing.T) {
	o, err := netFile.Org("oem")
	require.NoError(t, err)
	conn, err := fabclient.Dial(o, o.Peers[0])
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	noSuchBatch := "NO-SUCH-" + freshVIN() // a batch nobody recorded terms for, on a network used before too
	evaluate := func(id connection.KeyPair) error {
		t.Helper()
		signer, sign, err := fabclient.Signer(o.MSPID, id)
		require.NoError(t, err)
		gw, err := client.Connect(signer, client.WithSign(sign), client.WithClientConnection(conn),
			client.WithEvaluateTimeout(30*time.Second))
		require.NoError(t, err)
		defer gw.Close()
		_, err = gw.GetNetwork(netFile.Channel).GetContract(netFile.Chaincode).
			EvaluateTransaction("part:GetTerms", "PACK-75", noSuchBatch)
		return err
	}

	dir := filepath.Join(runDir, "orgs", "oem", "chaincode", "server")
	err = evaluate(connection.KeyPair{Cert: filepath.Join(dir, "server.crt"), Key: filepath.Join(dir, "server.key")})
	require.Error(t, err)
	_, fromChaincode := fabclient.ChaincodeError(err)
	assert.False(t, fromChaincode, "refused before the chaincode: %s", fabclient.Describe(err))
	st, ok := status.FromError(err)
	require.True(t, ok, "a gRPC status: %v", err)
	assert.Equal(t, codes.FailedPrecondition, st.Code(), fabclient.Describe(err))
	// The peer's MSP for the channel cannot validate the certificate: it is
	// issued by no CA in OemMSP's cacerts.
	assert.Contains(t, st.Message(), "error validating proposal: access denied: channel [autoledger] creator org unknown, creator is malformed")

	user, err := o.User("finance")
	require.NoError(t, err)
	e, ok := fabclient.ChaincodeError(evaluate(user))
	require.True(t, ok, "a role user reaches the chaincode")
	assert.Equal(t, ccerr.NotFound, e.Code, e.Message)

	admin, err := o.User("orgadmin")
	require.NoError(t, err)
	e, ok = fabclient.ChaincodeError(evaluate(admin))
	require.True(t, ok, "the org admin is a valid identity and reaches the chaincode")
	assert.Equal(t, ccerr.Forbidden, e.Code, e.Message)
	assert.Contains(t, e.Message, "role (none)")
}
