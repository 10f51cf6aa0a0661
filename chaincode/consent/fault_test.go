package consent_test

import (
	"errors"
	"testing"

	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/require"
)

var errUnreachable = errors.New("state database unreachable")

// failObject makes every read of the records of one composite key type
// fail, public and private.
func (f *fixture) failObject(object string) {
	f.t.Helper()
	prefix, err := shim.CreateCompositeKey(object, nil)
	require.NoError(f.t, err)
	f.FailReads(mockstub.FailPrefix(prefix, errUnreachable))
}

// A record that cannot be read is never taken for a missing one: an
// unreadable grant is no "no consent", an unreadable ownership no "no
// owner", an unreadable nonce no "unused", an unreadable shared record or
// its hash no "nothing shared" or "nothing to purge".
func TestFailedReadsAreFaults(t *testing.T) {
	f := newFixture(t)
	o := f.NewOwnerKey()
	f.sell(vinA, o)
	live := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, live.ID, "driving", driving))
	ended := f.grant(o, vinA, "InsurerMSP", "driving")
	contractstest.OK[consenttypes.ShareReceipt](t, f.share(vinA, ended.ID, "driving", driving))
	contractstest.OK[consenttypes.GrantView](t, f.revoke(o, vinA, ended.ID))
	defer f.FailReads(nil)
	grant := func() *mockstub.Result {
		return f.Submit("DealerMSP", "owner-services", "consent:Grant", vinA, f.sign(o, vinA, statement.Grant, f.grantTerms("InsurerMSP", 30, "driving")))
	}
	cause := errUnreachable.Error()

	f.failObject("grant")
	contractstest.FailsInternally(t, f.share(vinA, live.ID, "driving", driving), cause)
	contractstest.FailsInternally(t, f.read(vinA, live.ID, "driving"), cause)
	contractstest.FailsInternally(t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, ended.ID), cause)
	contractstest.FailsInternally(t, f.Query("OemMSP", "admin", "consent:List", vinA), cause)
	contractstest.FailsInternally(t, f.revoke(o, vinA, live.ID), cause)
	contractstest.FailsInternally(t, grant(), cause)

	f.failObject("ownership")
	contractstest.FailsInternally(t, grant(), cause)
	contractstest.FailsInternally(t, f.revoke(o, vinA, live.ID), cause)
	contractstest.FailsInternally(t, f.share(vinA, live.ID, "driving", driving), cause)
	contractstest.FailsInternally(t, f.read(vinA, live.ID, "driving"), cause)
	contractstest.FailsInternally(t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, ended.ID), cause)
	contractstest.FailsInternally(t, f.Query("OemMSP", "admin", "consent:List", vinA), cause)

	f.failObject("ownernonce")
	contractstest.FailsInternally(t, grant(), cause)
	contractstest.FailsInternally(t, f.revoke(o, vinA, live.ID), cause)

	f.failObject("shared")
	contractstest.FailsInternally(t, f.read(vinA, live.ID, "driving"), cause)
	contractstest.FailsInternally(t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, ended.ID), cause)

	f.FailReads(nil)
	contractstest.OK[consenttypes.PurgeResult](t, f.Submit("OemMSP", "telematics", "consent:Purge", vinA, ended.ID))

	// The erasure of a past ownership reads its grants and their data's
	// hashes (consent.PurgeOwnership).
	f.resell(vinA, o, f.NewOwnerKey())
	f.failObject("grant")
	contractstest.FailsInternally(t, f.erase("OemMSP", o, vinA, 1), cause)
	f.failObject("shared")
	contractstest.FailsInternally(t, f.erase("OemMSP", o, vinA, 1), cause)
}
