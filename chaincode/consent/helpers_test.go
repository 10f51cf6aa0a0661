package consent_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/require"
)

const (
	vinA = contractstest.USVIN
	vinB = contractstest.USVIN2
)

// fixture is the ledger of every contract with two registered cars; the
// cars change owners through the owner contract's own transactions.
type fixture struct {
	*contractstest.Ledger
	t *testing.T
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{Ledger: contractstest.New(t, mockstub.DefaultStart), t: t}
	for _, v := range []string{vinA, vinB} {
		b := vehicletypes.BirthRecord{Manufacturer: "AutoLedger Motors", Model: "Ledgerline", ModelYear: 2026, Plant: "Wolfsburg-2",
			ProductionDate: mockstub.DefaultStart.Add(-48 * time.Hour), CountryOfOrigin: "DE", Colour: "blue", Powertrain: "ICE"}
		contractstest.OK[vehicletypes.Vehicle](t, f.Submit("OemMSP", "production", "vehicle:Register", vehicletypes.RegisterRequest{VIN: v, Birth: b}))
	}
	return f
}

// sell sells vin from stock and has o claim it: o owns ownership 1.
func (f *fixture) sell(vin string, o *contractstest.OwnerKey) {
	f.t.Helper()
	code := f.SellFromStock(vin, 10)
	f.Claim(vin, code.Code, o)
}

// resell has seller release vin to a new owner, who is bound at once when
// buyer is a key, or claims later with the returned code when it is nil.
func (f *fixture) resell(vin string, seller, buyer *contractstest.OwnerKey) contractstest.ClaimCode {
	f.t.Helper()
	var req ownertypes.SellRequest
	party := ""
	code := contractstest.NewClaimCode(f.t)
	if buyer != nil {
		party, req.BuyerPublicKey = "key:"+buyer.Fingerprint(), buyer.SPKI()
	} else {
		party, req.ClaimPublicKey = "claim:"+code.Fingerprint(), code.PublicKey()
	}
	req.Envelope = f.sign(seller, vin, statement.ReleaseSale, contractstest.SaleParams(party, 100, f.Clock.Now().Add(-time.Minute), "private"))
	contractstest.OK[ownertypes.SaleResult](f.t, f.Submit("DealerMSP", "sales", "owner:Sell", vin, req))
	return code
}

// erase has o erase its past ownership n of vin, relayed by msp's
// owner-services.
func (f *fixture) erase(msp string, o *contractstest.OwnerKey, vin string, n int) *mockstub.Result {
	return f.Submit(msp, "owner-services", "owner:Erase", vin, f.sign(o, vin, statement.Erase, map[string]string{"ownerNo": strconv.Itoa(n)}))
}

// sign is o's envelope of a statement about vin, live for ten minutes
// from the ledger's clock, with a fresh nonce.
func (f *fixture) sign(o *contractstest.OwnerKey, vin string, action statement.Action, params map[string]string) consenttypes.StatementEnvelope {
	f.t.Helper()
	return o.Sign(f.Ledger, f.Statement(vin, action, params))
}

// grantTerms are a grant statement's parameters: to grantee, for scopes
// (joined sorted), for days from now.
func (f *fixture) grantTerms(grantee string, days int, scopes ...string) map[string]string {
	return map[string]string{"grantee": grantee, "notAfter": statement.FormatTime(f.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)),
		"purpose": "usage-based-insurance", "scopes": statement.FormatScopes(scopes)}
}

// grant has o grant grantee the scopes of vin for 30 days, through the
// dealer's owner-services relay, and returns the grant.
func (f *fixture) grant(o *contractstest.OwnerKey, vin, grantee string, scopes ...string) consenttypes.GrantView {
	f.t.Helper()
	env := f.sign(o, vin, statement.Grant, f.grantTerms(grantee, 30, scopes...))
	return contractstest.OK[consenttypes.GrantView](f.t, f.Submit("DealerMSP", "owner-services", "consent:Grant", vin, env))
}

func (f *fixture) revoke(o *contractstest.OwnerKey, vin, grantID string) *mockstub.Result {
	env := f.sign(o, vin, statement.Revoke, map[string]string{"grant": grantID})
	return f.Submit("InsurerMSP", "owner-services", "consent:Revoke", vin, env)
}

// share has the OEM's telematics share data under a grant.
func (f *fixture) share(vin, grantID, scope, data string) *mockstub.Result {
	return f.Invoke(mockstub.Tx{Creator: f.As("OemMSP", "telematics"), Function: "consent:Share", Args: []string{vin, grantID, scope},
		Transient: map[string][]byte{consenttypes.ShareTransientKey: []byte(data)}})
}

func (f *fixture) read(vin, grantID, scope string) *mockstub.Result {
	return f.Query("InsurerMSP", "underwriting", "consent:Read", vin, grantID, scope)
}

func (f *fixture) list(vin string) consenttypes.GrantList {
	f.t.Helper()
	return contractstest.OK[consenttypes.GrantList](f.t, f.Query("SupplierMSP", "logistics", "consent:List", vin))
}

func sharedKey(t *testing.T, vin, grantID, scope string) string {
	k, err := shim.CreateCompositeKey("shared", []string{vin, grantID, scope})
	require.NoError(t, err)
	return k
}
