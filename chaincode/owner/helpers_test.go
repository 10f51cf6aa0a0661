package owner_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/require"
)

const (
	carVIN   = contractstest.USVIN
	otherVIN = contractstest.USVIN2
	docHash  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

// fixture is the ledger of every contract with this package's helpers.
// It keeps every event the transactions it ran set, to check them for
// personal data.
type fixture struct {
	*contractstest.Ledger
	events []*mockstub.Event
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{Ledger: contractstest.New(t, mockstub.DefaultStart)}
	f.register(carVIN)
	f.register(otherVIN)
	return f
}

func (f *fixture) register(vinCode string) {
	f.T.Helper()
	b := vehicletypes.BirthRecord{
		Manufacturer: "AutoLedger Motors", Model: "Ledgerline", ModelYear: 2026, Plant: "Wolfsburg-2",
		ProductionDate: mockstub.DefaultStart.Add(-48 * time.Hour), CountryOfOrigin: "DE", Colour: "blue", Powertrain: "ICE",
	}
	contractstest.OK[vehicletypes.Vehicle](f.T, f.Submit("OemMSP", "production", "vehicle:Register", vehicletypes.RegisterRequest{VIN: vinCode, Birth: b}))
}

// invoke runs tx and keeps its event.
func (f *fixture) invoke(tx mockstub.Tx) *mockstub.Result {
	f.T.Helper()
	r := f.Invoke(tx)
	if r.Committed && r.Event != nil {
		f.events = append(f.events, r.Event)
	}
	return r
}

// submit is contractstest's Submit that keeps the event.
func (f *fixture) submit(msp, role, fn string, args ...any) *mockstub.Result {
	f.T.Helper()
	return f.invoke(mockstub.Tx{Creator: f.As(msp, role), Function: fn, Args: contractstest.Args(args...)})
}

// sell is owner:Sell relayed by msp's role.
func (f *fixture) sell(msp, role string, req ot.SellRequest) *mockstub.Result {
	f.T.Helper()
	return f.submit(msp, role, "owner:Sell", carVIN, req)
}

// release is seller's release-sale statement of carVIN to buyer at km,
// for private use, sold a minute before the clock.
func (f *fixture) release(seller *contractstest.OwnerKey, buyer string, km int64) ot.StatementEnvelope {
	f.T.Helper()
	return seller.Sign(f.Ledger, f.Statement(carVIN, statement.ReleaseSale, f.saleParams(buyer, km)))
}

// saleParams are release-sale parameters to buyer at km, for private use,
// sold a minute before the clock.
func (f *fixture) saleParams(buyer string, km int64) map[string]string {
	return contractstest.SaleParams(buyer, km, f.Clock.Now().Add(-time.Minute), "private")
}

// sellTo is a SellRequest of env to a key: buyer.
func (f *fixture) sellTo(env ot.StatementEnvelope, buyer *contractstest.OwnerKey) ot.SellRequest {
	return ot.SellRequest{Envelope: env, BuyerPublicKey: buyer.SPKI()}
}

// eraseStmt is key's erase statement of ownership n of carVIN.
func (f *fixture) eraseStmt(key *contractstest.OwnerKey, n int) ot.StatementEnvelope {
	f.T.Helper()
	return key.Sign(f.Ledger, f.Statement(carVIN, statement.Erase, map[string]string{"ownerNo": strconv.Itoa(n)}))
}

// link records the dealer's customer reference for ownership n.
func (f *fixture) link(n int, ref, salt string) *mockstub.Result {
	f.T.Helper()
	b, err := json.Marshal(vehicletypes.NewOwner{OwnerRef: ref, Salt: salt})
	require.NoError(f.T, err)
	return f.invoke(mockstub.Tx{Creator: f.As("DealerMSP", "sales"), Function: "owner:LinkCustomer", Args: contractstest.Args(carVIN, n),
		Transient: map[string][]byte{ot.OwnerTransientKey: b}})
}

func (f *fixture) view() ot.OwnerView {
	f.T.Helper()
	return contractstest.OK[ot.OwnerView](f.T, f.Read("SupplierMSP", "owner:Get", carVIN))
}

func (f *fixture) vehicle() vehicletypes.Vehicle {
	f.T.Helper()
	return contractstest.OK[vehicletypes.Vehicle](f.T, f.Read("InsurerMSP", "vehicle:Get", carVIN))
}

// exception is a request for kind with a new claim code.
func exception(t testing.TB, kind string) (ot.ExceptionRequest, contractstest.ClaimCode) {
	code := contractstest.NewClaimCode(t)
	return ot.ExceptionRequest{Kind: kind, EvidenceHash: docHash, ClaimPublicKey: code.PublicKey()}, code
}

// stockSale is a first sale's request for a buyer to claim with code.
func (f *fixture) stockSale(code contractstest.ClaimCode) ot.SaleRequest {
	return ot.SaleRequest{SaleDate: f.Clock.Now().Add(-time.Hour), OdometerKm: 1, UseType: "private", ClaimPublicKey: code.PublicKey()}
}
