package verify

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// PeerOU and OrdererOU are the NodeOU identifiers an endorser's and a block
// signer's certificates must carry. The pinned roots carry no NodeOU
// configuration, so the verifier pins them itself: a bundle whose MSP hint
// names another peer OU (say "client") must not turn client certificates
// into endorsers.
const (
	PeerOU    = "peer"
	OrdererOU = "orderer"
)

type role int

const (
	roleEndorser role = iota
	roleOrderer
)

// trust is what the verifier believes: the pinned roots, with the
// bundle's intermediates and CRLs, which cannot widen what the roots
// allow (an intermediate must chain to a pinned root, a CRL must be signed
// by the chain it revokes from) and can only narrow it.
type trust struct {
	members  []string
	orderers []string
	msps     map[string]*mspTrust
}

type mspTrust struct {
	roots         *x509.CertPool
	intermediates *x509.CertPool
	crls          []*x509.RevocationList
}

func (v *verifier) trust() (*trust, error) {
	if v.trusted == nil && v.trustErr == nil {
		v.trusted, v.trustErr = buildTrust(v.b, v.pinned, v.want.Orderers)
	}
	return v.trusted, v.trustErr
}

// buildTrust checks that the bundle's members and orderer org account for
// exactly the pinned MSPs, so a bundle cannot shrink the member list (and
// with it the majority) by leaving a pinned member out.
func buildTrust(b Bundle, pinned Roots, orderers []string) (*trust, error) {
	if len(pinned) == 0 {
		return nil, errors.New("no pinned roots")
	}
	if len(b.Members) == 0 {
		return nil, errors.New("the bundle names no member orgs")
	}
	hints := map[string]MSP{}
	for _, m := range b.MSPs {
		if _, dup := hints[m.ID]; dup {
			return nil, fmt.Errorf("msp %q appears twice in the bundle", m.ID)
		}
		hints[m.ID] = m
	}
	t := &trust{msps: map[string]*mspTrust{}}
	seen := map[string]string{}
	for _, id := range b.Members {
		if seen[id] != "" {
			return nil, fmt.Errorf("member %q listed twice", id)
		}
		seen[id] = "member"
		t.members = append(t.members, id)
	}
	for _, m := range b.MSPs {
		if !m.Orderer {
			continue
		}
		if seen[m.ID] != "" {
			return nil, fmt.Errorf("msp %q is both a member and the orderer org", m.ID)
		}
		seen[m.ID] = "orderer"
		t.orderers = append(t.orderers, m.ID)
	}
	if len(orderers) == 0 {
		return nil, errors.New("no published orderer orgs to hold the bundle's against (Expect.Orderers): without them a bundle could call members the orderer org and shrink the majority")
	}
	if !sameSet(orderers, t.orderers) {
		return nil, fmt.Errorf("the bundle's orderer orgs %v are not the published ones %v", t.orderers, orderers)
	}
	for id := range seen {
		if _, ok := pinned[id]; !ok {
			return nil, fmt.Errorf("msp %q of the bundle has no pinned roots", id)
		}
	}
	for id := range pinned {
		if seen[id] == "" {
			return nil, fmt.Errorf("pinned msp %q is neither a member nor the orderer org in the bundle", id)
		}
	}
	for id, pems := range pinned {
		mt := &mspTrust{roots: x509.NewCertPool(), intermediates: x509.NewCertPool()}
		for i, p := range pems {
			c, err := parsePEMCert(p)
			if err != nil {
				return nil, fmt.Errorf("pinned root %d of %s: %w", i, id, err)
			}
			mt.roots.AddCert(c)
		}
		h := hints[id]
		if h.PeerOU != "" && h.PeerOU != PeerOU {
			return nil, fmt.Errorf("msp %s: the bundle's peer OU %q is not %q", id, h.PeerOU, PeerOU)
		}
		for i, p := range h.IntermediateCerts {
			c, err := parsePEMCert(p)
			if err != nil {
				return nil, fmt.Errorf("intermediate %d of %s: %w", i, id, err)
			}
			mt.intermediates.AddCert(c)
		}
		for i, p := range h.CRLs {
			blk, _ := pem.Decode([]byte(p))
			if blk == nil || blk.Type != "X509 CRL" {
				return nil, fmt.Errorf("crl %d of %s: not a PEM X509 CRL", i, id)
			}
			crl, err := x509.ParseRevocationList(blk.Bytes)
			if err != nil {
				return nil, fmt.Errorf("crl %d of %s: %w", i, id, err)
			}
			mt.crls = append(mt.crls, crl)
		}
		t.msps[id] = mt
	}
	return t, nil
}

func parsePEMCert(p string) (*x509.Certificate, error) {
	blk, _ := pem.Decode([]byte(p))
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("not a PEM CERTIFICATE")
	}
	return x509.ParseCertificate(blk.Bytes)
}

type identity struct {
	mspID string
	cert  *x509.Certificate
}

// parseIdentity reads a serialized msp.SerializedIdentity: an MSP ID and a
// PEM certificate.
func parseIdentity(serialized []byte) (*identity, error) {
	var sid msp.SerializedIdentity
	if err := proto.Unmarshal(serialized, &sid); err != nil {
		return nil, fmt.Errorf("msp.SerializedIdentity: %w", err)
	}
	c, err := parsePEMCert(string(sid.GetIdBytes()))
	if err != nil {
		return nil, fmt.Errorf("identity of %s: %w", sid.GetMspid(), err)
	}
	return &identity{mspID: sid.GetMspid(), cert: c}, nil
}

// identity checks a serialized identity for a role at time at: its MSP has
// that role, its certificate chains to that MSP's pinned roots, was valid
// at that time, is not revoked and carries the role's OU.
func (t *trust) identity(serialized []byte, r role, at time.Time) (*identity, error) {
	id, err := parseIdentity(serialized)
	if err != nil {
		return nil, err
	}
	allowed, want, ou := t.members, "a member org", PeerOU
	if r == roleOrderer {
		allowed, want, ou = t.orderers, "the orderer org", OrdererOU
	}
	if !slices.Contains(allowed, id.mspID) {
		return nil, fmt.Errorf("msp %q is not %s", id.mspID, want)
	}
	mt := t.msps[id.mspID]
	chains, err := id.cert.Verify(x509.VerifyOptions{
		Roots:         mt.roots,
		Intermediates: mt.intermediates,
		CurrentTime:   at,
		// Fabric does not constrain extended key usages of MSP identities.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, fmt.Errorf("%s certificate %q at %s: %w", id.mspID, id.cert.Subject.CommonName,
			at.UTC().Format(time.RFC3339), err)
	}
	for _, chain := range chains {
		if c := mt.revoked(chain); c != nil {
			return nil, fmt.Errorf("%s certificate %q is revoked (serial %s)", id.mspID, c.Subject.CommonName, c.SerialNumber)
		}
	}
	// Exactly one node OU, as Fabric's NodeOUs require: a certificate that
	// is both a client and a peer is neither.
	if nodeOUs := nodeOUsOf(id.cert.Subject.OrganizationalUnit); len(nodeOUs) != 1 || nodeOUs[0] != ou {
		return nil, fmt.Errorf("%s certificate %q has OUs [%s], not the %q OU", id.mspID, id.cert.Subject.CommonName,
			strings.Join(id.cert.Subject.OrganizationalUnit, " "), ou)
	}
	return id, nil
}

// revoked returns the first certificate of chain (leaf first) that a CRL
// signed by its issuer lists, or nil. CRLs signed by anyone else are ignored.
func (mt *mspTrust) revoked(chain []*x509.Certificate) *x509.Certificate {
	for i := 0; i+1 < len(chain); i++ {
		c, issuer := chain[i], chain[i+1]
		for _, crl := range mt.crls {
			if crl.CheckSignatureFrom(issuer) != nil {
				continue
			}
			for _, e := range crl.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
					return c
				}
			}
		}
	}
	return nil
}

// verifySignedBy checks an ECDSA signature (ASN.1 DER; high S accepted)
// over SHA-256 of data by the certificate in serialized.
func verifySignedBy(serialized, data, sig []byte) (*identity, error) {
	id, err := parseIdentity(serialized)
	if err != nil {
		return nil, err
	}
	pub, ok := id.cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s certificate %q has no ECDSA key", id.mspID, id.cert.Subject.CommonName)
	}
	digest := sha256.Sum256(data)
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return nil, fmt.Errorf("signature by %s %q does not verify", id.mspID, id.cert.Subject.CommonName)
	}
	return id, nil
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			return false
		}
	}
	return true
}

// nodeOUsOf returns the NodeOU identifiers among a certificate's OUs.
func nodeOUsOf(ous []string) []string {
	var out []string
	for _, o := range ous {
		switch o {
		case PeerOU, OrdererOU, "client", "admin":
			out = append(out, o)
		}
	}
	return out
}
