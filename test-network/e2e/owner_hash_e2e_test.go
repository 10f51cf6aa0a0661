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

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
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

func hashOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// txTime is the timestamp of a committed transaction as every peer and
// orderer holds it in the block.
func txTime(t *testing.T, txID string) time.Time {
	var ch common.ChannelHeader
	require.NoError(t, proto.Unmarshal(committedPayload(t, txID).GetHeader().GetChannelHeader(), &ch))
	return ch.GetTimestamp().AsTime().UTC()
}

// The attack of issue 11, on the supplier's peer: it is no member of the
// owners collection, but keeps every owner link's hash, and every other
// field of the link (VIN, owner number, the dealer, the transaction's time)
// is public.
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
	status, _, body = call(t, "DEALER_SALES", "POST", "/v1/vehicles/"+v+"/sales",
		fmt.Sprintf(`{"saleDate":%q,"odometerKm":10,"useType":"fleet","ownerRef":%q,"ownerSalt":%q}`, now(), ref, salt))
	require.Equal(t, 201, status, string(body))
	var sale api.DealerSale
	require.NoError(t, json.Unmarshal(body, &sale))
	require.NotNil(t, sale.Link)
	require.Equal(t, "committed", sale.Link.Status)

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

	// Control: the link with its salt is what the hash is of, so the
	// guesses below are built right and only the salt keeps them out.
	guess := ownertypes.OwnerLink{SchemaVersion: 1, VIN: v, OwnerNo: 1, RecordedBy: "DealerMSP", Since: txTime(t, sale.Link.TransactionID)}
	guess.OwnerRef, guess.Salt = ref, salt
	require.Equal(t, hashOf(t, guess), hash)

	guess.Salt = "" // and every guess without it
	for i := range 10000 {
		guess.OwnerRef = fmt.Sprintf("dlr1:fleet-op-%04d", i)
		if hashOf(t, guess) == hash {
			t.Fatalf("owner reference %s recovered from the supplier's hash", guess.OwnerRef)
		}
	}
}
