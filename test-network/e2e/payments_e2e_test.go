//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/hex"
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

// memberParty makes who's own org (id, its MSP ID) a party with the SME
// status the test relies on. On a network used before it may exist already,
// registered by an earlier run or by anyone's API calls with another
// status: its registrar, the org itself, then updates it to what the test
// needs. It returns once every org's peer shows that status.
func memberParty(t *testing.T, who, id, name string, sme bool) {
	t.Helper()
	status, _, out := call(t, who, "POST", "/v1/parties", fmt.Sprintf(`{"id":%q,"name":%q,"sme":%t}`, id, name, sme))
	switch status {
	case 201:
	case 409:
		var p payment.Party
		status, _, out = call(t, who, "GET", "/v1/parties/"+id, "")
		require.Equal(t, 200, status, string(out))
		require.NoError(t, json.Unmarshal(out, &p), string(out))
		if p.SME != sme {
			t.Logf("party %s exists with sme=%t (version %d): updating it to sme=%t", id, p.SME, p.Version, sme)
			post(t, who, "/v1/parties/"+id+"/updates", fmt.Sprintf(`{"name":%q,"sme":%t}`, name, sme), 201)
		}
	default:
		require.Failf(t, "register party", "POST /v1/parties %s as %s: %d %s", id, who, status, out)
	}
	seen(t, "/v1/parties/"+id, fmt.Sprintf(`"sme":%t`, sme), "OEM_FINANCE", "SUPPLIER_FINANCE", "DEALER_FINANCE", "INSURER_CLAIMS")
}

// amountJSON is an Amount of minor CNY units with a fresh 128-bit salt,
// drawn as every client draws it.
func amountJSON(t *testing.T, minor int64) string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return fmt.Sprintf(`{"amountMinor":%d,"currency":"CNY","salt":%q}`, minor, hex.EncodeToString(b))
}

// problemCode is the code of a problem answer.
func problemCode(t *testing.T, out []byte) string {
	var p api.Problem
	require.NoError(t, json.Unmarshal(out, &p), string(out))
	return p.Code
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
	memberParty(t, "SUPPLIER_FINANCE", "SupplierMSP", "Tier-1 Co", true)
	memberParty(t, "OEM_FINANCE", "OemMSP", "OEM Co", false)
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
	post(t, "OEM_PRODUCTION", "/v1/orders", order, 403)
	tooLong := strings.Replace(order, `"paymentTermsDays":30`, `"paymentTermsDays":90`, 1)
	status, _, out = call(t, "OEM_FINANCE", "POST", "/v1/orders", tooLong)
	require.Equal(t, 422, status, string(out))
	assert.Contains(t, string(out), "sme_60_days")
	post(t, "OEM_FINANCE", "/v1/orders", order, 201)

	// The seller states the amount: the buyer accepts only an amount the seller wrote last. The
	// order was created through the buyer's peer; the seller's must have it first.
	orderSeen(t, id, "created")
	out = post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/amount", amountJSON(t, 12500000), 201)
	var tx api.TxView
	require.NoError(t, json.Unmarshal(out, &tx))
	assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, endorsers(t, tx.TransactionID), "the amount is endorsed by the pair only")

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

// The amount of an order is the pair's: a third org is refused by the
// chaincode (403 FORBIDDEN, not an endorsement failure); after acceptance
// it changes only by an amendment the other side accepts; an order with a
// non-member has no amount on chain (409 at once). A party id squatted by
// another org gains it no share.
func TestE2EPaymentAmountAndParties(t *testing.T) {
	startGateway(t)
	run := strings.ToLower(freshVIN()[9:])
	memberParty(t, "SUPPLIER_FINANCE", "SupplierMSP", "Tier-1 Co", true)
	memberParty(t, "OEM_FINANCE", "OemMSP", "OEM Co", false)
	id := "PA-" + run
	now := time.Now().UTC()
	post(t, "OEM_FINANCE", "/v1/orders", fmt.Sprintf(`{"orderId":%q,"seller":"SupplierMSP","lines":[{"partNumber":"PACK-75","quantity":1}],"paymentTermsDays":30,"expectedDeliveryDate":%q}`,
		id, now.Format(time.RFC3339)), 201)
	orderSeen(t, id, "created")
	amountPath, amendPath := "/v1/orders/"+id+"/amount", "/v1/orders/"+id+"/amount-amendments"

	// The dealer is neither buyer nor seller.
	out := post(t, "DEALER_FINANCE", amountPath, amountJSON(t, 1), 403)
	assert.Equal(t, "FORBIDDEN", problemCode(t, out))
	post(t, "SUPPLIER_FINANCE", amountPath, amountJSON(t, 1000), 201)
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/shipments", fmt.Sprintf(`{"shipmentRef":"SH-%s","deliveryDate":%q}`, run, now.Add(-time.Minute).Format(time.RFC3339)), 201)
	orderSeen(t, id, "shipped")
	// The buyer's own amount is a counter-offer: it cannot accept it until
	// the seller writes the amount again.
	post(t, "OEM_FINANCE", amountPath, amountJSON(t, 1), 201)
	out = post(t, "OEM_FINANCE", "/v1/orders/"+id+"/acceptance", "", 409)
	assert.Equal(t, "FAILED_PRECONDITION", problemCode(t, out))
	post(t, "SUPPLIER_FINANCE", amountPath, amountJSON(t, 1000), 201)
	// The buyer's peer must have the seller's new amount before the buyer accepts it: until
	// then acceptance is refused (409) and changes nothing, so it is asked again.
	require.Eventually(t, func() bool {
		status, _, _ := call(t, "OEM_FINANCE", "POST", "/v1/orders/"+id+"/acceptance", "")
		return status == 201
	}, 10*time.Second, 50*time.Millisecond, "the buyer accepts the amount the seller wrote last")
	orderSeen(t, id, "accepted")

	// Accepted: no rewrite, an amendment instead.
	out = post(t, "OEM_FINANCE", amountPath, amountJSON(t, 900), 409)
	assert.Equal(t, "FAILED_PRECONDITION", problemCode(t, out))
	out = post(t, "DEALER_FINANCE", amendPath, amountJSON(t, 1), 403)
	assert.Equal(t, "FORBIDDEN", problemCode(t, out))
	var tx api.TxView
	require.NoError(t, json.Unmarshal(post(t, "OEM_FINANCE", amendPath, amountJSON(t, 900), 201), &tx))
	var ref payment.AmendmentRef
	require.NoError(t, json.Unmarshal(tx.Result, &ref), string(tx.Result))
	assert.Equal(t, tx.TransactionID, ref.ProposalID)
	// The proposal ID is a random hex transaction ID that may hold the digits.
	assert.NotContains(t, strings.ReplaceAll(string(tx.Result), ref.ProposalID, ""), "900", "an answer is written to the public block")
	assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, endorsers(t, tx.TransactionID), "the amendment is endorsed by the pair only")
	accept := amendPath + "/" + ref.ProposalID + "/acceptance"
	seen(t, amendPath, ref.ProposalID, "SUPPLIER_FINANCE")
	status, _, out := call(t, "DEALER_FINANCE", "GET", amendPath, "")
	assert.Equal(t, 403, status, string(out))
	out = post(t, "DEALER_FINANCE", accept, "", 403)
	assert.Equal(t, "FORBIDDEN", problemCode(t, out))
	out = post(t, "OEM_FINANCE", accept, "", 403)
	assert.Contains(t, string(out), "other side", "the proposer's org cannot accept its own proposal")
	post(t, "SUPPLIER_FINANCE", accept, "", 201)
	var hist []payment.AmountAmendment
	require.Eventually(t, func() bool {
		_, _, out := call(t, "OEM_FINANCE", "GET", amendPath, "")
		return json.Unmarshal(out, &hist) == nil && len(hist) == 1 && hist[0].Status == payment.AmendmentAccepted
	}, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, int64(900), hist[0].Amount.AmountMinor)
	require.NotNil(t, hist[0].Replaces)
	assert.Equal(t, int64(1000), hist[0].Replaces.AmountMinor, "the amount it replaced is kept")
	assert.Equal(t, "SupplierMSP", hist[0].AcceptedBy)

	// Squatting: the dealer registers the code the supplier meant for its
	// sub-supplier first; the supplier's transfer to it is refused.
	squatted := "SQ-" + run
	post(t, "DEALER_FINANCE", "/v1/parties", `{"id":"`+squatted+`","name":"Cell maker"}`, 201)
	seen(t, "/v1/parties/"+squatted+"/positions", `"party":"`+squatted+`"`, "SUPPLIER_FINANCE")
	post(t, "SUPPLIER_FINANCE", "/v1/parties", `{"id":"`+squatted+`","name":"Cell maker"}`, 409)
	post(t, "SUPPLIER_FINANCE", "/v1/orders/"+id+"/receivables", "", 201)
	rid := id + "-R"
	post(t, "SUPPLIER_FINANCE", "/v1/receivables/"+rid+"/splits?share=1", `{"bp":4000}`, 201)
	seen(t, "/v1/receivables/"+rid, `"shareId":"2"`, "SUPPLIER_FINANCE")
	out = post(t, "SUPPLIER_FINANCE", "/v1/receivables/"+rid+"/transfers?share=2", `{"to":"`+squatted+`"}`, 403)
	assert.Contains(t, string(out), "represented_by_caller")
	var rec payment.Receivable
	_, _, out = call(t, "DEALER_FINANCE", "GET", "/v1/receivables/"+rid, "")
	require.NoError(t, json.Unmarshal(out, &rec), string(out))
	for _, s := range rec.Shares {
		assert.Equal(t, "SupplierMSP", s.Holder, "no share reached the squatted id")
	}

	// An order with a non-member seller: its amount answers 409 at once.
	sub := "NM-" + run
	post(t, "OEM_FINANCE", "/v1/parties", `{"id":"`+sub+`","name":"Sub Co"}`, 201)
	seen(t, "/v1/parties/"+sub+"/positions", `"party":"`+sub+`"`, "OEM_FINANCE")
	nm := "PN-" + run
	post(t, "OEM_FINANCE", "/v1/orders", fmt.Sprintf(`{"orderId":%q,"seller":%q,"lines":[{"partNumber":"PACK-75","quantity":1}],"paymentTermsDays":30,"expectedDeliveryDate":%q}`,
		nm, sub, now.Format(time.RFC3339)), 201)
	seen(t, "/v1/orders/"+nm, `"status":"created"`, "OEM_FINANCE")

	// The non-member party is the OEM's to update, no other org's; the order
	// keeps the SME status its seller had when it was made.
	out = post(t, "DEALER_FINANCE", "/v1/parties/"+sub+"/updates", `{"name":"Sub Co","sme":true}`, 403)
	assert.Equal(t, "FORBIDDEN", problemCode(t, out))
	post(t, "OEM_FINANCE", "/v1/parties/"+sub+"/updates", `{"name":"Sub Co Ltd","sme":true}`, 201)
	seen(t, "/v1/parties/"+sub, `"version":2`, "DEALER_FINANCE")
	var p payment.Party
	_, _, out = call(t, "DEALER_FINANCE", "GET", "/v1/parties/"+sub, "")
	require.NoError(t, json.Unmarshal(out, &p), string(out))
	assert.Equal(t, [3]any{"Sub Co Ltd", true, "OemMSP"}, [3]any{p.Name, p.SME, p.RegisteredBy})
	var o payment.Order
	_, _, out = call(t, "DEALER_FINANCE", "GET", "/v1/orders/"+nm, "")
	require.NoError(t, json.Unmarshal(out, &o), string(out))
	assert.False(t, o.SellerSME, "created while the seller was no SME")

	start := time.Now()
	status, h, out := call(t, "OEM_FINANCE", "POST", "/v1/orders/"+nm+"/amount", amountJSON(t, 1))
	require.Equal(t, 409, status, string(out))
	assert.Equal(t, "FAILED_PRECONDITION", problemCode(t, out))
	assert.Empty(t, h.Get("Retry-After"))
	assert.Less(t, time.Since(start), 2*time.Second, "no endorser lookup, no retries")
}
