//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	payment "github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderSeen waits until every org's peer shows the order in status: a
// commit reaches the other orgs' peers a few milliseconds after the
// submitter's, and the next step's endorsers must have it.
func orderSeen(t *testing.T, id, status string) {
	t.Helper()
	seen(t, "/v1/orders/"+id, `"status":"`+status+`"`, "OEM_FINANCE", "SUPPLIER_FINANCE", "DEALER_FINANCE", "INSURER_CLAIMS")
}

// party registers a party, tolerating one left by an earlier run.
func party(t *testing.T, who, body string) {
	status, _, out := call(t, who, "POST", "/v1/parties", body)
	require.Contains(t, []int{201, 409}, status, string(out))
}

// webhookReceiver starts a receiver the gateways can reach: on loopback
// natively; in compose on the host's address on the compose network's bridge,
// since a container's loopback is its own.
func webhookReceiver(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	if composed {
		ip := strings.TrimSpace(docker(t, "network", "inspect", "autoledger_default", "-f", "{{range .IPAM.Config}}{{.Gateway}}{{end}}"))
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		require.NoError(t, err)
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	return srv
}

func TestE2EPaymentsOrderToSettlement(t *testing.T) {
	startGateway(t)
	run := strings.ToLower(freshVIN()[9:])
	party(t, "SUPPLIER_FINANCE", `{"id":"SupplierMSP","name":"Tier-1 Co","sme":true}`)
	party(t, "OEM_FINANCE", `{"id":"OemMSP","name":"OEM Co"}`)
	sub := "SUB-" + run
	post(t, "SUPPLIER_FINANCE", "/v1/parties", `{"id":"`+sub+`","name":"Cell maker","sme":true}`, 201)

	// A webhook receiver for settlement notices, started by the test.
	const secret = "e2e-webhook-secret-0123"
	var mu sync.Mutex
	got := map[string]int{}
	badSig := 0
	rcv := webhookReceiver(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body webhook.Body
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		defer mu.Unlock()
		if !webhook.Verify(secret, r.Header.Get("X-AutoLedger-Signature"), b, time.Minute, time.Now()) {
			badSig++
		}
		got[body.NotificationID]++
	}))
	defer rcv.Close()
	status, _, out := call(t, "SUPPLIER_FINANCE", "POST", "/v1/subscriptions",
		`{"url":"`+rcv.URL+`","events":["PaymentSettled"],"secret":"`+secret+`"}`)
	require.Equal(t, 201, status, string(out))

	id := "PO-" + run
	now := time.Now().UTC()
	order := fmt.Sprintf(`{"orderId":%q,"seller":"SupplierMSP","lines":[{"partNumber":"PACK-75","quantity":10}],"paymentTermsDays":30,"expectedDeliveryDate":%q}`,
		id, now.Format(time.RFC3339))
	// The SME rule reads the seller's party record, which the supplier wrote.
	seen(t, "/v1/parties/SupplierMSP/positions", `"party":"SupplierMSP"`, "OEM_FINANCE")
	post(t, "OEM_PRODUCTION", "/v1/orders", order, 403)
	tooLong := strings.Replace(order, `"paymentTermsDays":30`, `"paymentTermsDays":90`, 1)
	status, _, out = call(t, "OEM_FINANCE", "POST", "/v1/orders", tooLong)
	require.Equal(t, 422, status, string(out))
	assert.Contains(t, string(out), "sme_60_days")
	post(t, "OEM_FINANCE", "/v1/orders", order, 201)

	out = post(t, "OEM_FINANCE", "/v1/orders/"+id+"/amount", `{"amountMinor":12500000,"currency":"CNY","salt":"7d1c9e0a3b5f2468`+run+`"}`, 201)
	var tx api.TxView
	require.NoError(t, json.Unmarshal(out, &tx))
	assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, endorsers(t, tx.TransactionID), "the amount is endorsed by the pair only")

	orderSeen(t, id, "created")
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/shipments", fmt.Sprintf(`{"shipmentRef":"SH-%s","deliveryDate":%q}`, run, now.Add(-time.Minute).Format(time.RFC3339)), 201)
	orderSeen(t, id, "shipped")
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/acceptance", "", 403)
	post(t, "OEM_FINANCE", "/v1/orders/"+id+"/acceptance", "", 201)
	orderSeen(t, id, "accepted")
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/receivables", "", 201)
	rid := id + "-R"
	post(t, "SUPPLIER_FINANCE", "/v1/receivables/"+rid+"/splits?share=1", `{"bp":4000}`, 201)
	seen(t, "/v1/receivables/"+rid, `"shareId":"2"`, "OEM_FINANCE", "SUPPLIER_FINANCE", "DEALER_FINANCE", "INSURER_CLAIMS")
	post(t, "SUPPLIER_FINANCE", "/v1/receivables/"+rid+"/transfers?share=2", `{"to":"`+sub+`"}`, 201)
	post(t, "SUPPLIER_FINANCE", "/v1/receivables/"+rid+"/splits?share=1", `{"bp":6000}`, 409)
	require.Eventually(t, func() bool { // the sub-supplier's open receivable, seen by any member
		_, _, out := call(t, "INSURER_CLAIMS", "GET", "/v1/parties/"+sub+"/positions", "")
		return strings.Contains(string(out), `"shareId":"2"`) && strings.Contains(string(out), `"bp":4000`)
	}, 10*time.Second, 20*time.Millisecond)
	post(t, "OEM_FINANCE", "/v1/orders/"+id+"/payments", `{"bankRef":"BK-`+run+`","instrument":"cash"}`, 201)
	orderSeen(t, id, "paid")
	// The gateway dies (SIGKILL) between payment and settlement.
	restartGateway(t)
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/receipt-confirmations", "", 201)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= 2
	}, 30*time.Second, 100*time.Millisecond, "one settlement notice per holder")
	time.Sleep(time.Second) // a duplicate would arrive within the next delivery rounds
	mu.Lock()
	assert.Len(t, got, 2, "one notification per holder: %v", got)
	for nid, n := range got {
		assert.Equal(t, 1, n, "notification %s arrived %d times", nid, n)
	}
	var holders []string
	for nid := range got {
		holders = append(holders, nid[strings.LastIndex(nid, ":")+1:])
	}
	assert.ElementsMatch(t, []string{"SupplierMSP", sub}, holders)
	assert.Zero(t, badSig)
	mu.Unlock()

	var rec payment.Receivable
	require.Eventually(t, func() bool {
		_, _, out := call(t, "INSURER_CLAIMS", "GET", "/v1/receivables/"+rid, "")
		return json.Unmarshal(out, &rec) == nil && rec.Settled
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []payment.Share{{ShareID: "1", Holder: "SupplierMSP", BP: 6000}, {ShareID: "2", Parent: "1", Holder: sub, BP: 4000}}, rec.Shares)

	// The amount is on the pair's peers only.
	oem := connect(t, "OemMSP", "finance")
	a, err := oem.contract("autoledger").Evaluate("payment:GetAmount", client.WithArguments(id), client.WithEndorsingOrganizations("SupplierMSP"))
	require.NoError(t, err, fabclient.Describe(err))
	assert.Contains(t, string(a), "12500000")
	for _, org := range []string{"DealerMSP", "InsurerMSP"} {
		_, err := oem.contract("autoledger").Evaluate("payment:GetAmount", client.WithArguments(id), client.WithEndorsingOrganizations(org))
		require.Error(t, err, "the amount is absent on %s's peer", org)
		assert.NotContains(t, fabclient.Describe(err), "12500000")
	}
}
