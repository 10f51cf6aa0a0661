package vehicle_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts/contractstest"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unsaltedRecord is the owner record as it was stored before salts: every
// field but the reference is public, so its hash can be recomputed for any
// guessed reference.
type unsaltedRecord struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerRef      string    `json:"ownerRef"`
	Since         time.Time `json:"since"`
	RecordedBy    string    `json:"recordedBy"`
}

func sha256Hex(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestOwnerRecordHashIsSaltedAndReadableOnEveryPeer(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	contractstest.FailsWith(t, f.evaluate("SupplierMSP", "OwnerRecordHash", usVIN), ccerr.NotFound)

	ref, salt := "dlr1:fleet-op-0007", newSalt(t)
	r := f.Invoke(mockstub.Tx{Creator: f.As("DealerMSP", "sales"), Function: "vehicle:TransferOwnership",
		Args:      args(usVIN, vehicletypes.TransferRequest{SaleDate: f.Clock.Now().Add(-time.Hour), OdometerKm: 10, UseType: "fleet"}),
		Transient: newOwner(t, ref, salt)})
	require.True(t, r.Committed, r.Message)
	assert.NotContains(t, string(r.Payload)+string(r.Event.Payload), salt)

	// The supplier's peer is no member of owners; it still has the hash.
	res := f.Evaluate(mockstub.Tx{Creator: f.As("SupplierMSP", "logistics"), PeerOrg: "SupplierMSP", Function: "vehicle:OwnerRecordHash", Args: []string{usVIN}})
	require.True(t, res.OK(), res.Message)
	hash := string(res.Payload)

	key, err := shim.CreateCompositeKey("owner", []string{usVIN})
	require.NoError(t, err)
	var stored vehicletypes.OwnerRecord
	require.NoError(t, json.Unmarshal(f.PrivateData(vehicle.OwnersCollection, key), &stored))
	assert.Equal(t, vehicletypes.OwnerRecord{SchemaVersion: kit.SchemaVersion, VIN: usVIN, OwnerRef: ref,
		Since: r.Timestamp, RecordedBy: "DealerMSP", Salt: salt}, stored)
	assert.Equal(t, sha256Hex(t, stored), hash, "the hash is of the stored, salted record")
	assert.Equal(t, hex.EncodeToString(f.PrivateDataHash(vehicle.OwnersCollection, key)), hash)

	// Built from the public fields, the salt-less record of the right
	// reference, and of any other, misses the hash.
	public := unsaltedRecord{SchemaVersion: kit.SchemaVersion, VIN: usVIN, OwnerRef: ref, Since: r.Timestamp, RecordedBy: "DealerMSP"}
	assert.NotEqual(t, sha256Hex(t, public), hash)
	for i := range 100 {
		public.OwnerRef = fmt.Sprintf("dlr1:fleet-op-%04d", i)
		assert.NotEqual(t, sha256Hex(t, public), hash, public.OwnerRef)
	}

	// Keys are hashed without salt: the key holds the VIN and nothing else.
	assert.Equal(t, "\x00owner\x00"+usVIN+"\x00", key)

	contractstest.FailsWith(t, f.evaluate("SupplierMSP", "OwnerRecordHash", "NOT-A-VIN"), ccerr.VINInvalid)
	contractstest.FailsWith(t, f.Evaluate(mockstub.Tx{Creator: f.As("OrdererMSP", ""), Function: "vehicle:OwnerRecordHash", Args: []string{usVIN}}), ccerr.Forbidden)
}

func TestTransferNeedsASaltOfAtLeast128Bits(t *testing.T) {
	f := newFixture(t)
	f.register(usVIN, "ICE")
	before := f.BlockHeight()
	transfer := func(tx mockstub.Tx) *mockstub.Result {
		tx.Creator = f.As("DealerMSP", "sales")
		tx.Function = "vehicle:TransferOwnership"
		tx.Args = args(usVIN, vehicletypes.TransferRequest{SaleDate: f.Clock.Now().Add(-time.Hour), OdometerKm: 10, UseType: "private"})
		return f.Invoke(tx)
	}
	const ref = "dlr1:0123456789abcdef"
	for name, salt := range map[string]string{
		"none":               "",
		"64 bits":            "0123456789abcdef",
		"124 bits":           strings.Repeat("a", 31),
		"not lower hex":      strings.Repeat("A", 32),
		"base64url":          "k3J9_x-QpL2mZ8vRt5wYb1nC4dF6hG7s",
		"more than 512 bits": strings.Repeat("a", 129),
	} {
		e := contractstest.FailsWith(t, transfer(mockstub.Tx{Transient: newOwner(t, ref, salt)}), ccerr.InvalidArgument)
		require.Len(t, e.Fields, 1, name)
		assert.Equal(t, "salt", e.Fields[0].Field, name)
		if salt != "" {
			assert.NotContains(t, e.Message+e.Fields[0].Message, salt, "a salt is never echoed")
		}
	}

	// The old transient form, a bare reference, is refused.
	contractstest.FailsWith(t, transfer(mockstub.Tx{Transient: map[string][]byte{vehicletypes.OwnerTransientKey: []byte(ref)}}), ccerr.InvalidArgument)
	contractstest.FailsWith(t, transfer(mockstub.Tx{}), ccerr.MissingTransient)
	assert.Equal(t, before, f.BlockHeight(), "nothing was written")

	contractstest.OK[vehicletypes.TransferResult](t, transfer(mockstub.Tx{Transient: newOwner(t, ref, newSalt(t))}))
}
