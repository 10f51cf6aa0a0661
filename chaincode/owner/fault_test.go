package owner_test

import (
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/require"
)

var errUnreachable = errors.New("state database unreachable")

// failObject makes every read of the records of one composite key type fail.
func (f *fixture) failObject(object string) {
	f.T.Helper()
	prefix, err := shim.CreateCompositeKey(object, nil)
	require.NoError(f.T, err)
	f.FailReads(mockstub.FailPrefix(prefix, errUnreachable))
}

// A record that cannot be read is never taken for a missing one: an
// unreadable ownership is no "never sold", an unreadable nonce no "unused",
// an unreadable link hash no "nothing to purge", an unreadable exception
// list no "none open".
func TestFailedReadsAreFaults(t *testing.T) {
	f := newFixture(t)
	seller := f.Owned(carVIN, 10)
	defer f.FailReads(nil)
	buyer := f.NewOwnerKey()
	env := f.release(seller, "key:"+buyer.Fingerprint(), 20)

	f.failObject("ownership")
	contractstest.FailsInternally(t, f.sell("OemMSP", "owner-services", f.sellTo(env, buyer)), errUnreachable.Error())
	contractstest.FailsInternally(t, f.Read("OemMSP", "owner:Get", carVIN), errUnreachable.Error())

	f.failObject("ownernonce")
	contractstest.FailsInternally(t, f.sell("OemMSP", "owner-services", f.sellTo(env, buyer)), errUnreachable.Error())

	f.failObject("ownerexception")
	req, _ := exception(t, ot.KindLostKey)
	contractstest.FailsInternally(t, f.submit("OemMSP", "admin", "owner:ProposeException", carVIN, req), errUnreachable.Error())
	contractstest.FailsInternally(t, f.Read("OemMSP", "owner:Get", carVIN), errUnreachable.Error())

	f.FailReads(nil)
	contractstest.OK[ot.SaleResult](t, f.sell("OemMSP", "owner-services", f.sellTo(env, buyer)))
	f.failObject("ownerlink")
	contractstest.FailsInternally(t, f.submit("OemMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(seller, 1)), errUnreachable.Error())
	contractstest.FailsInternally(t, f.Read("OemMSP", "vehicle:OwnerRecordHash", carVIN), errUnreachable.Error())
}
