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
