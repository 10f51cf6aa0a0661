package mockstub

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// attrOID is the X.509 extension in which Fabric CA places enrolment
// attributes; cid.ClientIdentity reads attributes from it.
var attrOID = asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}

// Identity is a transaction creator: an MSP ID and an X.509 certificate
// shaped like one Fabric CA issues.
type Identity struct {
	MSPID string
	Cert  *x509.Certificate
	PEM   []byte
	Attrs map[string]string

	serialized []byte
}

// IdentityOption adjusts a minted identity.
type IdentityOption func(*identityConfig)

type identityConfig struct {
	cn    string
	ou    []string
	attrs map[string]string
}

// WithAttr adds a Fabric CA attribute such as role=telematics.
func WithAttr(name, value string) IdentityOption {
	return func(c *identityConfig) { c.attrs[name] = value }
}

// WithRole is WithAttr("role", role), the attribute AutoLedger's access
// rules read.
func WithRole(role string) IdentityOption { return WithAttr("role", role) }

// WithCommonName sets the certificate's subject common name.
func WithCommonName(cn string) IdentityOption {
	return func(c *identityConfig) { c.cn = cn }
}

// WithOU sets an organisational unit in place of the default "client"
// (NodeOU style: client, peer, admin, orderer).
func WithOU(ou string) IdentityOption {
	return func(c *identityConfig) { c.ou = append(c.ou, ou) }
}

// NewIdentity mints a self-signed identity for mspID. It panics if the
// crypto library fails, which only happens when the system has no entropy.
func NewIdentity(mspID string, opts ...IdentityOption) *Identity {
	cfg := identityConfig{cn: "user@" + mspID, attrs: map[string]string{}}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.ou) == 0 {
		cfg.ou = []string{"client"}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(fmt.Errorf("mockstub: generate key: %w", err))
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cfg.cn, OrganizationalUnit: cfg.ou, Organization: []string{mspID}},
		NotBefore:    time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if len(cfg.attrs) > 0 {
		val, err := json.Marshal(map[string]map[string]string{"attrs": cfg.attrs})
		if err != nil {
			panic(fmt.Errorf("mockstub: encode attributes: %w", err))
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: attrOID, Value: val}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(fmt.Errorf("mockstub: create certificate: %w", err))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(fmt.Errorf("mockstub: parse certificate: %w", err))
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	ser, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: pemBytes})
	if err != nil {
		panic(fmt.Errorf("mockstub: serialize identity: %w", err))
	}
	return &Identity{MSPID: mspID, Cert: cert, PEM: pemBytes, Attrs: cfg.attrs, serialized: ser}
}

// Serialized returns the identity as a peer sees it in GetCreator.
func (id *Identity) Serialized() []byte { return id.serialized }
