//go:build e2e

package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	part "github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

const cobaltAudit = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"

// post sends a write and requires the expected status. It retries a 503
// for a while, as the API tells clients to (Retry-After): right after a
// peer restart, discovery may not yet know every endorser.
func post(t *testing.T, who, path, body string, want int) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, h, out := call(t, who, "POST", path, body)
		if status == 503 && want != 503 && time.Now().Before(deadline) {
			require.NotEmpty(t, h.Get("Retry-After"))
			time.Sleep(time.Second)
			continue
		}
		require.Equal(t, want, status, "POST %s as %s: %s", path, who, out)
		return out
	}
}

func TestE2EPartsLifecycleRecallAndTerms(t *testing.T) {
	startGateway(t)
	run := strings.ToLower(freshVIN()[9:])
	batch := "B" + run
	mods := []string{"MOD-" + run + "-1", "MOD-" + run + "-2"}
	pack := "PACK-" + run
	// Part numbers of this run only: no recall or terms anyone else recorded
	// on a network used before covers them.
	modPN, packPN := "CELLMOD-"+run, "PACK75-"+run
	at := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)

	reg, _ := json.Marshal(part.RegisterPartsRequest{PartNumber: modPN, Batch: batch, Manufacturer: "CellCo",
		ManufacturedAt: time.Now().UTC().Add(-2 * time.Hour), Serials: mods,
		Materials: []part.MaterialOrigin{{Material: "cobalt", Country: "CD", Source: "Kamoto refinery", AuditCertHash: cobaltAudit}}})
	post(t, "DEALER_SERVICE", "/v1/parts", string(reg), 403)
	post(t, "SUPPLIER_PRODUCTION", "/v1/parts", string(reg), 201)
	post(t, "SUPPLIER_PRODUCTION", "/v1/parts", string(reg), 409)
	asm, _ := json.Marshal(part.AssembleRequest{Serial: pack, PartNumber: packPN, Batch: batch, Manufacturer: "CellCo",
		AssembledAt: time.Now().UTC().Add(-time.Hour), Children: mods})
	post(t, "SUPPLIER_PRODUCTION", "/v1/assemblies", string(asm), 201)

	visiblePart(t, pack, "OEM_PRODUCTION", "held") // so the refusal below is the holder rule, not a missing part
	post(t, "OEM_PRODUCTION", "/v1/parts/"+pack+"/shipments", `{"to":"DealerMSP","shipmentRef":"SH-`+run+`"}`, 403)
	post(t, "SUPPLIER_LOGISTICS", "/v1/parts/"+pack+"/shipments", `{"to":"OemMSP","shipmentRef":"SH-`+run+`"}`, 201)
	visiblePart(t, pack, "OEM_PRODUCTION", "in-transit")
	visiblePart(t, pack, "DEALER_SERVICE", "in-transit")
	post(t, "DEALER_SERVICE", "/v1/parts/"+pack+"/receipts", `{"shipmentRef":"SH-`+run+`"}`, 409)
	post(t, "OEM_PRODUCTION", "/v1/parts/"+pack+"/receipts", `{"shipmentRef":"SH-`+run+`"}`, 201)

	v := freshVIN()
	post(t, "OEM_PRODUCTION", "/v1/vehicles", registerBody(v, "BEV"), 201)
	post(t, "OEM_PRODUCTION", "/v1/parts/"+pack+"/installations", `{"vin":"`+v+`"}`, 201)

	var ver part.Verification
	var out []byte
	require.Eventually(t, func() bool { // other orgs' peers commit the installation a moment later
		_, _, out = call(t, "INSURER_CLAIMS", "GET", "/v1/parts/"+pack+"/verify", "")
		return json.Unmarshal(out, &ver) == nil && ver.VIN == v
	}, 10*time.Second, 20*time.Millisecond)
	assert.True(t, ver.Genuine)
	var prov part.Provenance
	require.Eventually(t, func() bool {
		_, _, out = call(t, "DEALER_SALES", "GET", "/v1/parts/"+pack+"/provenance", "")
		return json.Unmarshal(out, &prov) == nil && len(prov.Custody) == 4
	}, 10*time.Second, 20*time.Millisecond)
	require.Len(t, prov.Components, 2)
	assert.Equal(t, "cobalt", prov.Components[0].Part.Materials[0].Material)
	var trail []string
	for _, e := range prov.Custody {
		trail = append(trail, e.Type+"@"+e.Org)
	}
	assert.Equal(t, []string{"assembled@SupplierMSP", "shipped@SupplierMSP", "received@OemMSP", "installed@OemMSP"}, trail)

	// A recall of the module batch reaches the car the pack is in.
	recallID := "RC-" + run
	rec := fmt.Sprintf(`{"recallId":%q,"partNumber":%q,"batchFrom":%q,"batchTo":%q,"reason":"separator defect"}`, recallID, modPN, batch, batch)
	post(t, "OEM_PRODUCTION", "/v1/recalls", rec, 403)
	post(t, "OEM_QUALITY", "/v1/recalls", rec, 201)
	visible(t, v, "DEALER_SERVICE")
	var st part.RecallStatus
	require.Eventually(t, func() bool {
		_, _, out = call(t, "DEALER_SERVICE", "GET", "/v1/recalls/"+recallID, "")
		return json.Unmarshal(out, &st) == nil && st.Affected == 1
	}, 10*time.Second, 50*time.Millisecond, "recall status: %s", out)
	assert.Equal(t, v, st.Cars[0].VIN)
	require.Eventually(t, func() bool {
		_, _, out = call(t, "INSURER_CLAIMS", "GET", "/v1/vehicles/"+v+"/report", "")
		return strings.Contains(string(out), `"openRecalls":["`+recallID+`"]`)
	}, 10*time.Second, 20*time.Millisecond)

	post(t, "DEALER_SERVICE", "/v1/vehicles/"+v+"/service-records", `{"type":"recall-remedy","odometerKm":12,"documentHash":"`+cobaltAudit+
		`","performedAt":"`+at+`","recallId":"`+recallID+`"}`, 201)
	require.Eventually(t, func() bool {
		_, _, out = call(t, "OEM_QUALITY", "GET", "/v1/recalls/"+recallID, "")
		return json.Unmarshal(out, &st) == nil && st.Remedied == 1
	}, 10*time.Second, 50*time.Millisecond)

	// Commercial terms: the pair only.
	terms := part.Terms{UnitPriceMinor: 412000, Currency: "EUR", LotData: "line 3, shift B", Salt: newSalt(t)}
	tb, _ := json.Marshal(terms)
	out = post(t, "SUPPLIER_FINANCE", "/v1/parts/"+pack+"/terms", string(tb), 201)
	var tx api.TxView
	require.NoError(t, json.Unmarshal(out, &tx))
	assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, endorsers(t, tx.TransactionID))

	require.Eventually(t, func() bool {
		status, _, out := call(t, "OEM_FINANCE", "GET", "/v1/parts/"+pack+"/terms", "")
		var got part.Terms
		return status == 200 && json.Unmarshal(out, &got) == nil && got == terms
	}, 10*time.Second, 50*time.Millisecond, "the OEM reads the terms")
	status, _, _ := call(t, "DEALER_FINANCE", "GET", "/v1/parts/"+pack+"/terms", "")
	assert.Equal(t, 403, status)

	oem := connect(t, "OemMSP", "finance")
	_, err := oem.contract("autoledger").Evaluate("part:GetTerms", client.WithArguments(packPN, batch), client.WithEndorsingOrganizations("DealerMSP"))
	require.Error(t, err, "evaluated on the dealer's peer the terms are absent")
	assert.NotContains(t, fabclient.Describe(err), "412000")
	var hash []byte
	require.Eventually(t, func() bool { // the dealer's peer commits the terms block a moment later
		hash, err = oem.contract("autoledger").Evaluate("part:TermsHash", client.WithArguments(packPN, batch), client.WithEndorsingOrganizations("DealerMSP"))
		return err == nil
	}, 60*time.Second, 50*time.Millisecond, "terms hash on the dealer's peer: %v", err)
	sum := sha256.Sum256(tb)
	assert.Equal(t, hex.EncodeToString(sum[:]), string(hash), "the hash every peer holds matches the terms")
}

func visiblePart(t *testing.T, serial, who, status string) {
	t.Helper()
	seen(t, "/v1/parts/"+serial, `"status":"`+status+`"`, who)
}

// committedPayload is the payload of a committed transaction as every
// peer and orderer holds it in the block, read with qscc on the
// supplier's peer (it is in no collection: what it sees, everyone does).
func committedPayload(t *testing.T, txID string) *common.Payload {
	c := connect(t, "SupplierMSP", "logistics")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.network.GetContract("qscc").EvaluateWithContext(ctx, "GetTransactionByID", client.WithArguments(netFile.Channel, txID))
	require.NoError(t, err, fabclient.Describe(err))
	var ptx peer.ProcessedTransaction
	require.NoError(t, proto.Unmarshal(out, &ptx))
	var payload common.Payload
	require.NoError(t, proto.Unmarshal(ptx.GetTransactionEnvelope().GetPayload(), &payload))
	return &payload
}

// endorsers returns the MSP IDs that endorsed a committed transaction, read
// from the ledger with qscc.
func endorsers(t *testing.T, txID string) []string {
	payload := committedPayload(t, txID)
	var tx peer.Transaction
	require.NoError(t, proto.Unmarshal(payload.GetData(), &tx))
	var cap peer.ChaincodeActionPayload
	require.NoError(t, proto.Unmarshal(tx.GetActions()[0].GetPayload(), &cap))
	var orgs []string
	for _, e := range cap.GetAction().GetEndorsements() {
		var id msp.SerializedIdentity
		require.NoError(t, proto.Unmarshal(e.GetEndorser(), &id))
		orgs = append(orgs, id.GetMspid())
	}
	slicesSort(orgs)
	return orgs
}
