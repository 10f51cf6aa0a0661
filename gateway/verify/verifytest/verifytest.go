// Package verifytest builds real report bundles offline for tests: ECDSA
// P-256 certificate authorities per org, peer, client and orderer
// certificates, endorsed transaction envelopes as fabric-gateway's
// Endorse() returns them, and orderer-signed blocks as Fabric 2.5 (Raft)
// writes them. Nothing is mocked: gateway/verify checks these bundles with
// the same code it uses for a real network's.
package verifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"

	"math/big"
	"sync"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"github.com/autoledger/autoledger/gateway/verify"
)

// Epoch and End bound every certificate these helpers issue unless a test
// asks for other dates.
var (
	Epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	End   = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Identity is one signing identity: an MSP ID, a certificate and its key.
type Identity struct {
	MSPID   string
	Cert    *x509.Certificate
	CertPEM []byte
	Key     *ecdsa.PrivateKey
}

// Serialized is the msp.SerializedIdentity bytes Fabric puts in creators
// and endorsements.
func (id *Identity) Serialized() []byte {
	return mustMarshal(&msp.SerializedIdentity{Mspid: id.MSPID, IdBytes: id.CertPEM})
}

// Sign signs SHA-256 of data as Fabric does: ASN.1 DER, low S.
func (id *Identity) Sign(data []byte) []byte {
	digest := sha256.Sum256(data)
	r, s, err := ecdsa.Sign(rand.Reader, id.Key, digest[:])
	if err != nil {
		panic(err)
	}
	// Fabric's BCCSP normalises S to the lower half of the order.
	n := id.Key.Curve.Params().N
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s.Sub(n, s)
	}
	sig, err := asn1Sig(r, s)
	if err != nil {
		panic(err)
	}
	return sig
}

// Org is one organisation's root CA and the identities it issued.
type Org struct {
	MSPID   string
	Orderer bool
	CA      *Identity
	// Peer is the org's peer (OU "peer"; "orderer" for the orderer org),
	// Client a client identity (OU "client").
	Peer   *Identity
	Client *Identity

	mu      sync.Mutex
	serial  int64
	revoked []x509.RevocationListEntry
	crl     string
}

// NewOrg makes an org with a self-signed root CA, one node identity and one
// client identity, all valid from Epoch to End.
func NewOrg(mspID string, orderer bool) (*Org, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ca." + mspID, Organization: []string{mspID}},
		NotBefore:             Epoch,
		NotAfter:              End,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          skid(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	o := &Org{MSPID: mspID, Orderer: orderer, serial: 1,
		CA: &Identity{MSPID: mspID, Cert: cert, CertPEM: pemCert(der), Key: key}}
	nodeOU := verify.PeerOU
	if orderer {
		nodeOU = verify.OrdererOU
	}
	if o.Peer, err = o.Issue(nodeOU+"0."+mspID, nodeOU, Epoch, End); err != nil {
		return nil, err
	}
	if o.Client, err = o.Issue("user1."+mspID, "client", Epoch, End); err != nil {
		return nil, err
	}
	return o, nil
}

// Issue makes an identity with OU ou valid from notBefore to notAfter.
func (o *Org) Issue(cn, ou string, notBefore, notAfter time.Time) (*Identity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.serial++
	serial := o.serial
	o.mu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(serial),
		Subject:        pkix.Name{CommonName: cn, Organization: []string{o.MSPID}, OrganizationalUnit: []string{ou}},
		NotBefore:      notBefore,
		NotAfter:       notAfter,
		KeyUsage:       x509.KeyUsageDigitalSignature,
		AuthorityKeyId: o.CA.Cert.SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, o.CA.Cert, &key.PublicKey, o.CA.Key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Identity{MSPID: o.MSPID, Cert: cert, CertPEM: pemCert(der), Key: key}, nil
}

// Revoke adds id to the org's CRL, signed by its CA.
func (o *Org) Revoke(id *Identity) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.revoked = append(o.revoked, x509.RevocationListEntry{SerialNumber: id.Cert.SerialNumber, RevocationTime: Epoch.Add(time.Hour)})
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(int64(len(o.revoked))),
		ThisUpdate:                Epoch.Add(time.Hour),
		NextUpdate:                End,
		RevokedCertificateEntries: o.revoked,
	}, o.CA.Cert, o.CA.Key)
	if err != nil {
		return err
	}
	o.crl = string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
	return nil
}

// MSP is the org as the channel configuration shows it.
func (o *Org) MSP() verify.MSP {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := verify.MSP{ID: o.MSPID, RootCerts: []string{string(o.CA.CertPEM)}, IntermediateCerts: []string{},
		CRLs: []string{}, PeerOU: verify.PeerOU, Orderer: o.Orderer}
	if o.crl != "" {
		m.CRLs = append(m.CRLs, o.crl)
	}
	return m
}

// Network is a channel's member orgs and its orderer org.
type Network struct {
	Channel string
	Members []*Org
	Orderer *Org
}

// DefaultMembers are AutoLedger's four member orgs.
var DefaultMembers = []string{"OemMSP", "SupplierMSP", "DealerMSP", "InsurerMSP"}

// NewNetwork makes the orgs of a channel: the given members (DefaultMembers
// when none) and an orderer org OrdererMSP.
func NewNetwork(channel string, members ...string) (*Network, error) {
	if len(members) == 0 {
		members = DefaultMembers
	}
	n := &Network{Channel: channel}
	for _, id := range members {
		o, err := NewOrg(id, false)
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, o)
	}
	o, err := NewOrg("OrdererMSP", true)
	if err != nil {
		return nil, err
	}
	n.Orderer = o
	return n, nil
}

// MustNetwork is NewNetwork that panics, for tests and benchmarks.
func MustNetwork(channel string, members ...string) *Network {
	n, err := NewNetwork(channel, members...)
	if err != nil {
		panic(err)
	}
	return n
}

// Org is the member or orderer org with that MSP ID, or nil.
func (n *Network) Org(mspID string) *Org {
	for _, o := range append(append([]*Org{}, n.Members...), n.Orderer) {
		if o.MSPID == mspID {
			return o
		}
	}
	return nil
}

// Roots is what the consortium publishes: every org's root certificate.
func (n *Network) Roots() verify.Roots {
	r := verify.Roots{}
	for _, o := range append(append([]*Org{}, n.Members...), n.Orderer) {
		r[o.MSPID] = []string{string(o.CA.CertPEM)}
	}
	return r
}

// MSPs are the orgs as the channel configuration shows them.
func (n *Network) MSPs() []verify.MSP {
	var ms []verify.MSP
	for _, o := range n.Members {
		ms = append(ms, o.MSP())
	}
	return append(ms, n.Orderer.MSP())
}

// MemberIDs are the member orgs' MSP IDs.
func (n *Network) MemberIDs() []string {
	var ids []string
	for _, o := range n.Members {
		ids = append(ids, o.MSPID)
	}
	return ids
}

// MajorityPeers are the peers of the first majority of members.
func (n *Network) MajorityPeers() []*Identity {
	var ids []*Identity
	for _, o := range n.Members[:len(n.Members)/2+1] {
		ids = append(ids, o.Peer)
	}
	return ids
}

func skid(pub *ecdsa.PublicKey) []byte {
	b, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	s := sha256.Sum256(b)
	return s[:20]
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// TxID is Fabric's transaction ID: hex SHA-256 of nonce || creator.
func TxID(nonce, creator []byte) string {
	s := sha256.Sum256(append(append([]byte{}, nonce...), creator...))
	return hex.EncodeToString(s[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
