package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testSalt has the shape of a client's salt: 16 random bytes in hex.
const testSalt = "3f9a0c1e7b5d2468ace0f1b2c3d4e5f6"

const salesPath = "/v1/vehicles/1M8GDM9AXKP042788/sales"

func saleBody(ownerRef, ownerSalt string) string {
	b := `{"saleDate":"2026-01-01T00:00:00Z","odometerKm":5,"useType":"fleet"`
	if ownerRef != "" {
		b += `,"ownerRef":"` + ownerRef + `"`
	}
	if ownerSalt != "" {
		b += `,"ownerSalt":"` + ownerSalt + `"`
	}
	return b + "}"
}

// saleEnv is a gateway whose chaincode admits only the dealer's sales role
// to the sale and the customer link, and answers a sale with ownership 1.
func saleEnv(t *testing.T) *env {
	e := newEnv(t)
	e.sub.results = map[string]string{"owner:SellFromStock": `{"vin":"1M8GDM9AXKP042788","seq":2,"ownership":{"ownerNo":1,"status":"awaiting-claim"}}`}
	e.sub.policy = map[string][]string{"owner:SellFromStock": {"DealerMSP sales"}, "owner:LinkCustomer": {"DealerMSP sales"}}
	return e
}

var claimCodeShape = regexp.MustCompile(`^[01][0-9a-hjkmnp-tv-z]{3}(-[0-9a-hjkmnp-tv-z]{4}){12}$`)

// The dealer's sale records only the public half of a fresh claim key,
// then links the customer reference through the dealer's peer alone; the
// claim code, the key's private half, is in the answer, and nowhere in
// what reaches Fabric.
func TestDealerSaleIssuesAClaimCodeAndLinksTheCustomerPrivately(t *testing.T) {
	e := saleEnv(t)
	r := e.do("POST", salesPath, "dms", saleBody("dlr1:fleet-op-0007", testSalt))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var out api.DealerSale
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.Regexp(t, claimCodeShape, out.ClaimCode, "13 groups of 4 Crockford base32 characters: a P-256 private key")
	assert.True(t, out.ClaimCodeShownOnce)
	assert.Equal(t, 1, out.OwnerNo)

	require.Len(t, e.sub.reqs, 2)
	sale := e.sub.reqs[0]
	assert.Equal(t, "owner:SellFromStock", sale.Function)
	assert.Empty(t, sale.Transient)
	require.Len(t, sale.Args, 2)
	assert.Equal(t, "1M8GDM9AXKP042788", sale.Args[0])
	var req ownertypes.SaleRequest
	require.NoError(t, json.Unmarshal([]byte(sale.Args[1]), &req))
	require.NoError(t, req.Validate())
	code, err := ownerclient.ParseClaimCode(out.ClaimCode)
	require.NoError(t, err)
	assert.Equal(t, code.PublicKeyBase64(), req.ClaimPublicKey, "the ledger holds the public half of the code's key")
	assert.Equal(t, statement.FormatFingerprint(code.Fingerprint()), out.ClaimFingerprint)
	assert.Equal(t, int64(5), req.OdometerKm)
	assert.Equal(t, "fleet", req.UseType)

	link := e.sub.reqs[1]
	assert.Equal(t, "owner:LinkCustomer", link.Function)
	assert.Equal(t, []string{"1M8GDM9AXKP042788", "1"}, link.Args)
	assert.Equal(t, []string{"DealerMSP"}, link.Endorsers, "the owners collection's endorser alone")
	assert.JSONEq(t, `{"ownerRef":"dlr1:fleet-op-0007","salt":"`+testSalt+`"}`, string(link.Transient[ownertypes.OwnerTransientKey]))
	assert.Equal(t, sale.Principal, link.Principal)
	require.NotNil(t, out.Link)
	assert.Equal(t, api.FollowupCommitted, out.Link.Status)

	for _, q := range e.sub.reqs {
		for _, a := range q.Args {
			assert.NotContains(t, a, out.ClaimCode)
			assert.NotContains(t, a, strings.ReplaceAll(out.ClaimCode, "-", ""))
			assert.NotContains(t, a, "fleet-op-0007")
			assert.NotContains(t, a, testSalt)
		}
	}
	assert.NotContains(t, string(r.body), testSalt)
	assert.NotContains(t, string(r.body), "fleet-op-0007")

	// Another sale, another code.
	r = e.do("POST", strings.Replace(salesPath, "1M8GDM9AXKP042788", "1HGCM82633A004352", 1), "dms", saleBody("", ""))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var second api.DealerSale
	require.NoError(t, json.Unmarshal(r.body, &second))
	assert.NotEqual(t, out.ClaimCode, second.ClaimCode)
	assert.Nil(t, second.Link, "no customer reference, no link")
	assert.Len(t, e.sub.reqs, 3)
}

// Only the dealer's sales role sells: the chaincode's refusal of another
// role is the answer, no claim code is shown and nothing is linked.
func TestDealerSaleByAnotherRoleIsRefusedWithoutACode(t *testing.T) {
	for _, client := range []string{"svc", "erp"} {
		e := saleEnv(t)
		r := e.do("POST", salesPath, client, saleBody("dlr1:fleet-op-0007", testSalt))
		assert.Equal(t, http.StatusForbidden, r.status, client)
		assert.Equal(t, string(ccerr.Forbidden), r.problem(t).Code)
		assert.NotContains(t, string(r.body), "claimCode")
		assert.Len(t, e.sub.reqs, 1, "no customer link after a refused sale")
	}
}

// A failed customer link does not lose the sale's claim code: the sale
// committed, and the code is shown with the link's failure.
func TestDealerSaleShowsTheCodeWhenTheLinkFails(t *testing.T) {
	e := saleEnv(t)
	e.sub.fail = map[string]error{"owner:LinkCustomer": &fabric.Error{Kind: fabric.Timeout}}
	r := e.do("POST", salesPath, "dms", saleBody("dlr1:fleet-op-0007", testSalt))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var out api.DealerSale
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.Regexp(t, claimCodeShape, out.ClaimCode)
	require.NotNil(t, out.Link)
	assert.Equal(t, api.FollowupFailed, out.Link.Status)
	assert.Equal(t, api.CodeTimeout, out.Link.Code)
}

func TestDealerSaleRefusesAReferenceWithoutItsSaltWithoutEchoingIt(t *testing.T) {
	e := saleEnv(t)
	for _, tc := range []struct{ ref, salt, field, rule string }{
		{"dlr1:fleet-op-0007", "", "ownerSalt", "required_with"},
		{"", testSalt, "ownerRef", "required_with"},
		{"dlr1:fleet-op-0007", "0123456789abcdef", "ownerSalt", "salt"},
		{"dlr1:fleet-op-0007", strings.ToUpper(testSalt), "ownerSalt", "salt"},
	} {
		r := e.do("POST", salesPath, "dms", saleBody(tc.ref, tc.salt))
		require.Equal(t, http.StatusUnprocessableEntity, r.status, tc)
		p := r.problem(t)
		require.Len(t, p.Errors, 1, tc)
		assert.Equal(t, tc.field, p.Errors[0].Field)
		assert.Equal(t, tc.rule, p.Errors[0].Rule)
		if tc.salt != "" {
			assert.NotContains(t, string(r.body), tc.salt, "a refused salt is not echoed")
		}
	}
	assert.Empty(t, e.sub.reqs, "nothing reaches Fabric")
}

func TestDealerSaleLogsNeitherCodeNorCustomer(t *testing.T) {
	e, logs := loggedEnv(t)
	e.sub.results = map[string]string{"owner:SellFromStock": `{"ownership":{"ownerNo":1}}`}
	r := e.do("POST", salesPath, "dms", saleBody("dlr1:fleet-op-0007", testSalt))
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	var out api.DealerSale
	require.NoError(t, json.Unmarshal(r.body, &out))
	e.do("POST", salesPath, "dms", saleBody("dlr1:fleet-op-0007", testSalt[:16]))
	require.Contains(t, logs.String(), "/v1/vehicles/:vin/sales", "control: the requests were logged")
	for _, s := range []string{out.ClaimCode, strings.ReplaceAll(out.ClaimCode, "-", ""), testSalt[:16], "fleet-op-0007"} {
		assert.NotContains(t, logs.String(), s)
	}
}
