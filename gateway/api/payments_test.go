package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const amountBody = `{"amountMinor":100,"currency":"CNY","salt":"0123456789abcdef0123456789abcdef"}`

// An order's amount goes to its buyer-seller collection, endorsed by the
// pair only; an amendment too, and its acceptance.
func TestAmountWritesAreEndorsedByThePair(t *testing.T) {
	e := newEnv(t)
	e.ledger.evalOut = []byte(`{"orderId":"PO-1","buyer":"OemMSP","seller":"SupplierMSP","status":"accepted"}`)
	for _, c := range []struct{ path, body, function string }{
		{"/v1/orders/PO-1/amount", amountBody, "payment:PutOrderAmount"},
		{"/v1/orders/PO-1/amount-amendments", amountBody, "payment:ProposeAmountAmendment"},
		{"/v1/orders/PO-1/amount-amendments/9f2c01/acceptance", "", "payment:AcceptAmountAmendment"},
	} {
		e.sub.reqs = nil
		r := e.do("POST", c.path, "erp", c.body)
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		require.Len(t, e.sub.reqs, 1)
		req := e.sub.reqs[0]
		assert.Equal(t, c.function, req.Function)
		assert.Equal(t, []string{"OemMSP", "SupplierMSP"}, req.Endorsers, c.function)
		if c.body != "" {
			assert.Equal(t, []string{"PO-1"}, req.Args)
			assert.JSONEq(t, amountBody, string(req.Transient["amount"]), "the amount travels as transient data only")
		} else {
			assert.Equal(t, []string{"PO-1", "9f2c01"}, req.Args)
		}
	}
	r := e.do("POST", "/v1/orders/PO-1/amount-amendments/not%20an%20id/acceptance", "erp", "")
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)

	e.ledger.evalOut = []byte(`[]`)
	e.ledger.calls = nil
	r = e.do("GET", "/v1/orders/PO-1/amount-amendments", "erp", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, []string{"OemMSP payment:GetAmountAmendments PO-1"}, e.ledger.calls)
}

// An order whose seller is no channel member has no pair collection: its
// amount answers 409 FAILED_PRECONDITION at once, without looking for
// endorsers (a non-member has none) and without submitting anything.
func TestAmountOfAnOrderWithANonMemberIsRefusedAtOnce(t *testing.T) {
	e := newEnv(t)
	e.ledger.evalOut = []byte(`{"orderId":"PO-2","buyer":"OemMSP","seller":"SUB-7","status":"created"}`)
	for _, path := range []string{"/v1/orders/PO-2/amount", "/v1/orders/PO-2/amount-amendments"} {
		e.ledger.calls = nil
		r := e.do("POST", path, "erp", amountBody)
		require.Equal(t, http.StatusConflict, r.status, string(r.body))
		assert.Equal(t, "FAILED_PRECONDITION", r.problem(t).Code)
		assert.Equal(t, []string{"OemMSP payment:GetOrder PO-2"}, e.ledger.calls, "one read of the order, nothing else")
	}
	assert.Empty(t, e.sub.reqs, "nothing was submitted")
}

// A party is read by id and updated with a body that names its new name
// and SME status; bad ids and bodies never reach Fabric.
func TestPartyRoutes(t *testing.T) {
	e := newEnv(t)
	e.ledger.evalOut = []byte(`{"id":"SUB-1","name":"Cells","sme":true,"member":false,"registeredBy":"SupplierMSP","version":1}`)
	r := e.do("GET", "/v1/parties/SUB-1", "erp", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	assert.Equal(t, []string{"OemMSP payment:GetParty SUB-1"}, e.ledger.calls)

	r = e.do("POST", "/v1/parties/SUB-1/updates", "erp", `{"name":"Cells Ltd","sme":false}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	assert.Equal(t, "payment:UpdateParty", e.sub.reqs[0].Function)
	assert.Equal(t, "SUB-1", e.sub.reqs[0].Args[0])
	assert.JSONEq(t, `{"name":"Cells Ltd","sme":false}`, e.sub.reqs[0].Args[1])

	e.sub.reqs = nil
	for _, c := range [][2]string{
		{"/v1/parties/SUB-1/updates", `{"name":""}`},
		{"/v1/parties/SUB-1/updates", `{"name":"x","sme":"yes"}`},
		{"/v1/parties/not%20an%20id/updates", `{"name":"x"}`},
	} {
		r = e.do("POST", c[0], "erp", c[1])
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, c[0]+" "+c[1])
	}
	assert.Empty(t, e.sub.reqs)
}
