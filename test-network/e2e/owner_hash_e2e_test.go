//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newSalt is what every client of a transfer does: 16 bytes (128 bits)
// from crypto/rand, in lower-case hex.
func newSalt(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// transferBody is a REST ownership transfer to ref with a fresh salt.
func transferBody(t testing.TB, useType, ref string) string {
	return fmt.Sprintf(`{"saleDate":%q,"odometerKm":10,"useType":%q,"ownerRef":%q,"salt":%q}`, now(), useType, ref, newSalt(t))
}

// unsaltedOwner is an owner record built from public fields and a guessed
// reference: the record as it was stored before salts.
type unsaltedOwner struct {
	SchemaVersion int       `json:"schemaVersion"`
	VIN           string    `json:"vin"`
	OwnerRef      string    `json:"ownerRef"`
	Since         time.Time `json:"since"`
	RecordedBy    string    `json:"recordedBy"`
}

func hashOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The attack of issue 11, on the supplier's peer: it is no member of the
// owners collection, but keeps every owner record's hash, and every other
// field of the record is public.
func TestE2EOwnerHashOnSupplierPeerMatchesNoGuess(t *testing.T) {
	startGateway(t)
	v := freshVIN()
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "ICE"))
	require.Equal(t, 201, status, string(body))
	visible(t, v, "DEALER_SALES")
	n, err := rand.Int(rand.Reader, big.NewInt(10000))
	require.NoError(t, err)
	ref := fmt.Sprintf("dlr1:fleet-op-%04d", n.Int64()) // the documented shape
	salt := newSalt(t)
	status, _, body = call(t, "DEALER_SALES", "POST", "/v1/vehicles/"+v+"/ownership-transfers",
		fmt.Sprintf(`{"saleDate":%q,"odometerKm":10,"useType":"fleet","ownerRef":%q,"salt":%q}`, now(), ref, salt))
	require.Equal(t, 201, status, string(body))

	// The public fields, as the supplier reads them: the transfer's time,
	// org and schema version are those of its life event.
	var sale *vehicletypes.LifeEvent
	require.Eventually(t, func() bool { // the supplier's peer may be a block behind
		status, _, body := call(t, "SUPPLIER_LOGISTICS", "GET", "/v1/vehicles/"+v+"/history?pageSize=10", "")
		var page vehicletypes.HistoryPage
		if status != 200 || json.Unmarshal(body, &page) != nil {
			return false
		}
		for i := range page.Events {
			if page.Events[i].Type == vehicletypes.EventOwnershipTransfer {
				sale = &page.Events[i]
			}
		}
		return sale != nil
	}, 30*time.Second, 500*time.Millisecond)

	// The hash, on the supplier's peer only.
	supplier := connect(t, "SupplierMSP", "logistics")
	var hash string
	require.Eventually(t, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out, err := supplier.contract("autoledger").EvaluateWithContext(ctx, "vehicle:OwnerRecordHash",
			client.WithArguments(v), client.WithEndorsingOrganizations("SupplierMSP"))
		if err != nil {
			t.Logf("not yet: %s", fabclient.Describe(err))
			return false
		}
		hash = string(out)
		return true
	}, 30*time.Second, 500*time.Millisecond)
	require.Len(t, hash, 64)

	// Control: the record with its salt is what the hash is of, so the
	// guesses below are built right and only the salt keeps them out.
	assert.Equal(t, hashOf(t, vehicletypes.OwnerRecord{SchemaVersion: sale.SchemaVersion, VIN: v, OwnerRef: ref,
		Since: sale.RecordedAt, RecordedBy: sale.RecordedBy, Salt: salt}), hash)

	guess := unsaltedOwner{SchemaVersion: sale.SchemaVersion, VIN: v, Since: sale.RecordedAt, RecordedBy: sale.RecordedBy}
	for i := range 10000 {
		guess.OwnerRef = fmt.Sprintf("dlr1:fleet-op-%04d", i)
		if hashOf(t, guess) == hash {
			t.Fatalf("owner reference %s recovered from the supplier's hash", guess.OwnerRef)
		}
		if hashOf(t, vehicletypes.OwnerRecord{SchemaVersion: guess.SchemaVersion, VIN: v, OwnerRef: guess.OwnerRef,
			Since: guess.Since, RecordedBy: guess.RecordedBy}) == hash {
			t.Fatalf("owner reference %s recovered with an empty salt", guess.OwnerRef)
		}
	}
}
