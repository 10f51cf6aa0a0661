package consent_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/consent"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
)

const (
	vinA = contractstest.USVIN
	vinB = contractstest.USVIN2
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixture is the assembled chaincode on the mock stub, plus two test-only
// functions: "test:Seed" writes a public key as it is (the owner records a
// test starts from) and "test:PurgeOwnership" runs consent.PurgeOwnership
// in a transaction of its own, as owner:Erase does inside its.
type fixture struct {
	*mockstub.Ledger
	t     *testing.T
	clock *mockstub.Clock
	ids   map[[2]string]*mockstub.Identity
	nonce int
}

func newFixture(t *testing.T) *fixture {
	clock := mockstub.NewClock(start)
	cc, err := contracts.New(kit.WithPeerClock(clock.Now))
	require.NoError(t, err)
	withTestFunctions := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		fn, args := stub.GetFunctionAndParameters()
		switch fn {
		case "test:Seed":
			if err := stub.PutState(args[0], []byte(args[1])); err != nil {
				return shim.Error(err.Error())
			}
			return shim.Success(nil)
		case "test:PurgeOwnership":
			n, err := strconv.Atoi(args[1])
			if err == nil {
				err = consent.PurgeOwnership(stub, args[0], n)
			}
			if err != nil {
				return shim.Error(err.Error())
			}
			return shim.Success(nil)
		}
		return cc.Invoke(stub)
	})
	var colls []mockstub.Collection
	for name, members := range contracts.Collections {
		colls = append(colls, mockstub.Collection{Name: name, Members: members, MemberOnlyRead: true, MemberOnlyWrite: true})
	}
	l := mockstub.New(t, withTestFunctions, mockstub.WithClock(clock), mockstub.WithCollections(colls...))
	return &fixture{Ledger: l, t: t, clock: clock, ids: map[[2]string]*mockstub.Identity{}}
}

func (f *fixture) as(msp, role string) *mockstub.Identity {
	k := [2]string{msp, role}
	if f.ids[k] == nil {
		var opts []mockstub.IdentityOption
		if role != "" {
			opts = append(opts, mockstub.WithRole(role))
		}
		f.ids[k] = mockstub.NewIdentity(msp, opts...)
	}
	return f.ids[k]
}

func (f *fixture) submit(msp, role, fn string, args ...any) *mockstub.Result {
	return f.Invoke(mockstub.Tx{Creator: f.as(msp, role), Function: fn, Args: contractstest.Args(args...)})
}

func (f *fixture) query(msp, role, fn string, args ...any) *mockstub.Result {
	return f.Evaluate(mockstub.Tx{Creator: f.as(msp, role), Function: fn, Args: contractstest.Args(args...)})
}

// owner is a car owner's key for one ownership.
type owner struct {
	priv *ecdsa.PrivateKey
	pub  statement.PublicKey
	spki []byte
}

func newOwner(t *testing.T) *owner {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	spki, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	require.NoError(t, err)
	pub, err := statement.ParsePublicKey(spki)
	require.NoError(t, err)
	return &owner{priv: priv, pub: pub, spki: spki}
}

// ownership writes ownership n of vin as the owner contract keeps it:
// owned by o (nil: awaiting its claim), or ended.
func (f *fixture) ownership(vin string, n int, o *owner, status string) {
	f.t.Helper()
	rec := ownertypes.Ownership{SchemaVersion: 1, VIN: vin, OwnerNo: n, Status: status, Since: f.clock.Now(),
		SoldBy: "DealerMSP", SaleDate: f.clock.Now(), PreviousKeys: []ownertypes.PreviousKey{}}
	if o != nil {
		rec.PublicKey = base64.StdEncoding.EncodeToString(o.spki)
		rec.KeyFingerprint = o.pub.Fingerprint()
		rec.BoundAt = f.clock.Now()
	}
	if status == ownertypes.StatusEnded {
		rec.EndedAt, rec.EndedBy = f.clock.Now(), ownertypes.EndedBySale
	}
	key, err := shim.CreateCompositeKey("ownership", []string{vin, fmt.Sprintf("%06d", n)})
	require.NoError(f.t, err)
	res := f.Invoke(mockstub.Tx{Creator: f.as("DealerMSP", "sales"), Function: "test:Seed", Args: []string{key, mockstub.JSON(rec)}})
	require.True(f.t, res.OK(), res.Message)
}

// sell makes o the owner of vin's first ownership, as SellFromStock and
// Claim do.
func (f *fixture) sell(vin string, o *owner) {
	f.ownership(vin, 1, o, ownertypes.StatusOwned)
}

// resell ends ownership n (owned by seller) and starts ownership n+1
// owned by buyer (nil: awaiting its claim), as owner:Sell does.
func (f *fixture) resell(vin string, n int, seller, buyer *owner) {
	f.ownership(vin, n, seller, ownertypes.StatusEnded)
	status := ownertypes.StatusOwned
	if buyer == nil {
		status = ownertypes.StatusAwaitingClaim
	}
	f.ownership(vin, n+1, buyer, status)
}

// sign makes o's envelope for a statement about vin, live for an hour
// from the ledger's clock, with a fresh nonce.
func (f *fixture) sign(o *owner, vin string, action statement.Action, params map[string]string) consenttypes.StatementEnvelope {
	f.t.Helper()
	f.nonce++
	s := statement.Statement{Channel: "autoledger", VIN: vin, Action: action, Params: params,
		Nonce: fmt.Sprintf("%032x", f.nonce), Expires: f.clock.Now().Add(time.Hour).Truncate(time.Second)}
	b, err := s.Encode()
	require.NoError(f.t, err)
	digest := sha256.Sum256(b)
	r, sv, err := ecdsa.Sign(rand.Reader, o.priv, digest[:])
	require.NoError(f.t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	sv.FillBytes(sig[32:])
	return consenttypes.StatementEnvelope{Statement: string(b), Signature: base64.StdEncoding.EncodeToString(sig)}
}

// grantTerms are a grant statement's parameters: to grantee, for scopes
// (joined sorted), for days from now.
func (f *fixture) grantTerms(grantee string, days int, scopes ...string) map[string]string {
	return map[string]string{"grantee": grantee, "notAfter": statement.FormatTime(f.clock.Now().Add(time.Duration(days) * 24 * time.Hour)),
		"purpose": "usage-based-insurance", "scopes": statement.FormatScopes(scopes)}
}

// grant has o grant grantee the scopes of vin for 30 days, through the
// owner-services relay of the dealer, and returns the grant.
func (f *fixture) grant(o *owner, vin, grantee string, scopes ...string) consenttypes.GrantView {
	f.t.Helper()
	env := f.sign(o, vin, statement.Grant, f.grantTerms(grantee, 30, scopes...))
	return contractstest.OK[consenttypes.GrantView](f.t, f.submit("DealerMSP", "owner-services", "consent:Grant", vin, env))
}

func (f *fixture) revoke(o *owner, vin, grantID string) *mockstub.Result {
	env := f.sign(o, vin, statement.Revoke, map[string]string{"grant": grantID})
	return f.submit("InsurerMSP", "owner-services", "consent:Revoke", vin, env)
}

// share has the OEM's telematics share data under a grant.
func (f *fixture) share(vin, grantID, scope, data string) *mockstub.Result {
	return f.Invoke(mockstub.Tx{Creator: f.as("OemMSP", "telematics"), Function: "consent:Share", Args: []string{vin, grantID, scope},
		Transient: map[string][]byte{consenttypes.ShareTransientKey: []byte(data)}})
}

func (f *fixture) read(vin, grantID, scope string) *mockstub.Result {
	return f.query("InsurerMSP", "underwriting", "consent:Read", vin, grantID, scope)
}

func sharedKey(t *testing.T, vin, grantID, scope string) string {
	k, err := shim.CreateCompositeKey("shared", []string{vin, grantID, scope})
	require.NoError(t, err)
	return k
}
