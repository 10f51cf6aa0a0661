package owner_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	ot "github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unsaltedLink is the owner link without its salt: every other field is
// public, so its hash could be recomputed for any guessed reference.
type unsaltedLink struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerNo       int       `json:"ownerNo"`
	OwnerRef      string    `json:"ownerRef"`
	RecordedBy    string    `json:"recordedBy"`
	Since         time.Time `json:"since"`
}

func sha256Hex(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestOwnerLinkHashCannotBeFoundByGuessingTheReference(t *testing.T) {
	f := newFixture(t)
	f.Owned(carVIN, 10)
	ref, salt := "dlr1:fleet-op-0007", contractstest.RandomHex(t, 16)
	r := f.link(1, ref, salt)
	contractstest.OK[ot.OwnerLinked](t, r)
	assert.NotContains(t, string(r.Payload)+string(r.Event.Payload), salt)

	res := f.Evaluate(mockstub.Tx{Creator: f.As("SupplierMSP", "logistics"), PeerOrg: "SupplierMSP", Function: "vehicle:OwnerRecordHash", Args: []string{carVIN}})
	require.True(t, res.OK(), res.Message)
	hash := string(res.Payload)
	key, err := vehicle.OwnerLinkKey(carVIN, 1)
	require.NoError(t, err)
	var stored ot.OwnerLink
	require.NoError(t, json.Unmarshal(f.PrivateData(vehicle.OwnersCollection, key), &stored))
	assert.Equal(t, sha256Hex(t, stored), hash, "the hash is of the stored, salted link")

	public := unsaltedLink{SchemaVersion: 1, VIN: carVIN, OwnerNo: 1, OwnerRef: ref, RecordedBy: "DealerMSP", Since: r.Timestamp}
	assert.NotEqual(t, sha256Hex(t, public), hash)
	for i := range 100 {
		public.OwnerRef = fmt.Sprintf("dlr1:fleet-op-%04d", i)
		assert.NotEqual(t, sha256Hex(t, public), hash, public.OwnerRef)
	}
	contractstest.FailsWith(t, f.Read("SupplierMSP", "vehicle:OwnerRecordHash", "NOT-A-VIN"), ccerr.VINInvalid)
	contractstest.FailsWith(t, f.Query("OrdererMSP", "", "vehicle:OwnerRecordHash", carVIN), ccerr.Forbidden)
}

func TestOwnerLinkNeedsASaltOfAtLeast128Bits(t *testing.T) {
	f := newFixture(t)
	f.Owned(carVIN, 10)
	before := f.BlockHeight()
	const ref = "dlr1:0123456789abcdef"
	for name, salt := range map[string]string{
		"none":               "",
		"64 bits":            "0123456789abcdef",
		"124 bits":           strings.Repeat("a", 31),
		"not lower hex":      strings.Repeat("A", 32),
		"base64url":          "k3J9_x-QpL2mZ8vRt5wYb1nC4dF6hG7s",
		"more than 512 bits": strings.Repeat("a", 129),
	} {
		e := contractstest.FailsWith(t, f.link(1, ref, salt), ccerr.InvalidArgument)
		require.Len(t, e.Fields, 1, name)
		assert.Equal(t, "salt", e.Fields[0].Field, name)
		if salt != "" {
			assert.NotContains(t, e.Message+e.Fields[0].Message, salt, "a salt is never echoed")
		}
	}
	for ref, code := range map[string]ccerr.Code{
		"jane.doe@example.com": ccerr.PersonalData,
		"+49 170 1234567":      ccerr.PersonalData,
		"0170-1234567":         ccerr.PersonalData,
		"has spaces in it":     ccerr.InvalidArgument,
	} {
		e := contractstest.FailsWith(t, f.link(1, ref, contractstest.RandomHex(t, 16)), code)
		assert.Equal(t, "ownerRef", e.Fields[0].Field, ref)
	}
	tx := mockstub.Tx{Creator: f.As("DealerMSP", "sales"), Function: "owner:LinkCustomer", Args: contractstest.Args(carVIN, 1)}
	contractstest.FailsWith(t, f.invoke(tx), ccerr.MissingTransient)
	// The old transient form, a bare reference, is refused.
	tx.Transient = map[string][]byte{ot.OwnerTransientKey: []byte(ref)}
	contractstest.FailsWith(t, f.invoke(tx), ccerr.InvalidArgument)
	assert.Equal(t, before, f.BlockHeight(), "nothing was written")
}

// Erasing a past ownership also purges what it shared under its consent
// grants (consent.PurgeOwnership), in the same transaction.
func TestEraseAlsoPurgesTheOwnershipsSharedData(t *testing.T) {
	f := newFixture(t)
	first := f.Owned(carVIN, 10)
	terms := map[string]string{"grantee": "InsurerMSP", "notAfter": statement.FormatTime(f.Clock.Now().Add(30 * 24 * time.Hour)),
		"purpose": "usage-based-insurance", "scopes": "driving"}
	g := contractstest.OK[consenttypes.GrantView](t, f.submit("DealerMSP", "owner-services", "consent:Grant", carVIN,
		first.Sign(f.Ledger, f.Statement(carVIN, statement.Grant, terms))))
	contractstest.OK[consenttypes.ShareReceipt](t, f.invoke(mockstub.Tx{Creator: f.As("OemMSP", "telematics"), Function: "consent:Share",
		Args: []string{carVIN, g.ID, "driving"}, Transient: map[string][]byte{consenttypes.ShareTransientKey: []byte(`{"km": 1234}`)}}))
	shared, err := shim.CreateCompositeKey("shared", []string{carVIN, g.ID, "driving"})
	require.NoError(t, err)
	require.NotNil(t, f.PrivateData(collections.OemInsurer, shared))

	f.Resell(carVIN, first, 20, "private")
	contractstest.OK[ot.EraseResult](t, f.submit("OemMSP", "owner-services", "owner:Erase", carVIN, f.eraseStmt(first, 1)))
	assert.Nil(t, f.PrivateData(collections.OemInsurer, shared))
	assert.Nil(t, f.PrivateDataHash(collections.OemInsurer, shared))
	list := contractstest.OK[consenttypes.GrantList](t, f.Read("InsurerMSP", "consent:List", carVIN))
	require.Len(t, list.Grants, 1)
	assert.False(t, list.Grants[0].ErasedAt.IsZero())
	assert.False(t, list.Grants[0].Live)
}
