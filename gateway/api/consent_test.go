package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sharePath = "/v1/consents/" + ownerVIN + "/" + grantID + "/shares/driving"

// consentEnv is a gateway over one grant to the insurer of driving and
// odometer (live or not), whose chaincode admits only the OEM's telematics
// to share.
func consentEnv(t *testing.T, grants string) *env {
	e := ownerEnv(t)
	e.ledger.out["consent:List"] = []byte(grants)
	e.ledger.out["consent:Read"] = []byte(`{"schemaVersion":1,"vin":"` + ownerVIN + `","grantId":"` + grantID +
		`","scope":"driving","data":"{\"km\":1200,\"harshBrakes\":2}","sharedAt":"2026-02-01T00:00:00Z","sharedBy":"OemMSP"}`)
	e.sub.policy = map[string][]string{"consent:Share": {"OemMSP telematics"}}
	return e
}

// The holder's share goes to its own peer alone, as transient data, in
// the one form the chaincode stores (compact JSON).
func TestShareGoesToTheHolderAloneAsTransient(t *testing.T) {
	e := consentEnv(t, grantListJSON(true, ""))
	r := e.do("POST", sharePath, "tel", "{\n  \"km\": 1200,\n  \"harshBrakes\": 2\n}")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	require.Len(t, e.sub.reqs, 1)
	req := e.sub.reqs[0]
	assert.Equal(t, "consent:Share", req.Function)
	assert.Equal(t, []string{ownerVIN, grantID, "driving"}, req.Args)
	assert.Equal(t, []string{"OemMSP"}, req.Endorsers)
	assert.Equal(t, `{"km":1200,"harshBrakes":2}`, string(req.Transient[consenttypes.ShareTransientKey]))
	assert.Equal(t, []string{"OemMSP consent:List " + ownerVIN}, e.ledger.calls)
}

// Only a holder shares, under a live grant that covers the scope: another
// org is refused CONSENT_REQUIRED before Fabric, another role of the
// holder by the chaincode.
func TestShareIsRefusedWithoutConsent(t *testing.T) {
	for _, tc := range []struct {
		name, grants, client, path, body string
		status                           int
		code                             string
		reachesFabric                    bool
	}{
		{"the grantee itself", grantListJSON(true, ""), "uw", sharePath, `{"km":1}`, 403, "CONSENT_REQUIRED", false},
		{"the dealer", grantListJSON(true, ""), "dms", sharePath, `{"km":1}`, 403, "CONSENT_REQUIRED", false},
		{"a revoked grant", grantListJSON(false, "2026-03-01T00:00:00Z"), "tel", sharePath, `{"km":1}`, 403, "CONSENT_REQUIRED", false},
		{"a scope not granted", grantListJSON(true, ""), "tel", strings.Replace(sharePath, "driving", "battery", 1), `{"soh":97}`, 403, "CONSENT_REQUIRED", false},
		{"an unknown grant", `{"vin":"` + ownerVIN + `","grants":[]}`, "tel", sharePath, `{"km":1}`, 404, "NOT_FOUND", false},
		{"not an object", grantListJSON(true, ""), "tel", sharePath, `[1,2]`, 422, "INVALID_ARGUMENT", false},
		{"over 16 KiB", grantListJSON(true, ""), "tel", sharePath, `{"x":"` + strings.Repeat("a", 16*1024) + `"}`, 422, "INVALID_ARGUMENT", false},
		{"an unknown scope", grantListJSON(true, ""), "tel", strings.Replace(sharePath, "driving", "location", 1), `{"km":1}`, 422, "INVALID_ARGUMENT", false},
		{"the OEM's production role", grantListJSON(true, ""), "erp", sharePath, `{"km":1}`, 403, "FORBIDDEN", true},
	} {
		e := consentEnv(t, tc.grants)
		r := e.do("POST", tc.path, tc.client, tc.body)
		assert.Equal(t, tc.status, r.status, "%s: %s", tc.name, r.body)
		assert.Equal(t, tc.code, r.problem(t).Code, tc.name)
		assert.Equal(t, tc.reachesFabric, len(e.sub.reqs) > 0, tc.name)
	}
}

// The grantee reads the shared data from its own peer while the grant is
// live; any other org is FORBIDDEN, and once the grant is revoked the
// answer is CONSENT_REQUIRED without asking the chaincode for the data.
func TestGranteeReadsWhileTheGrantIsLive(t *testing.T) {
	e := consentEnv(t, grantListJSON(true, ""))
	r := e.do("GET", sharePath, "uw", "")
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var out api.SharedData
	require.NoError(t, json.Unmarshal(r.body, &out))
	assert.JSONEq(t, `{"km":1200,"harshBrakes":2}`, string(out.Data), "the data as the object the holder sent")
	assert.Equal(t, "OemMSP", out.SharedBy)
	assert.Equal(t, []string{"InsurerMSP consent:List " + ownerVIN, "InsurerMSP consent:Read " + ownerVIN + "," + grantID + ",driving"}, e.ledger.calls)

	for _, client := range []string{"tel", "dms"} {
		e := consentEnv(t, grantListJSON(true, ""))
		r := e.do("GET", sharePath, client, "")
		assert.Equal(t, http.StatusForbidden, r.status, client)
		assert.Equal(t, string(ccerr.Forbidden), r.problem(t).Code, client)
	}

	e = consentEnv(t, grantListJSON(false, "2026-03-01T00:00:00Z"))
	r = e.do("GET", sharePath, "uw", "")
	assert.Equal(t, http.StatusForbidden, r.status)
	p := r.problem(t)
	assert.Equal(t, string(ccerr.ConsentRequired), p.Code)
	assert.Contains(t, p.Detail, "revoked")
	assert.Equal(t, []string{"InsurerMSP consent:List " + ownerVIN}, e.ledger.calls, "no read of the data")

	e = consentEnv(t, grantListJSON(true, ""))
	r = e.do("GET", strings.Replace(sharePath, "driving", "service", 1), "uw", "")
	assert.Equal(t, string(ccerr.ConsentRequired), r.problem(t).Code, "a scope the grant does not cover")
}

// Any member purges the shares of a grant; the holders alone endorse.
func TestPurgeIsEndorsedByTheHolders(t *testing.T) {
	e := consentEnv(t, grantListJSON(false, "2026-03-01T00:00:00Z"))
	r := e.do("POST", "/v1/consents/"+ownerVIN+"/"+grantID+"/purges", "dms", "")
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	req := e.sub.reqs[0]
	assert.Equal(t, "consent:Purge", req.Function)
	assert.Equal(t, []string{ownerVIN, grantID}, req.Args)
	assert.Equal(t, []string{"OemMSP"}, req.Endorsers)
	assert.Equal(t, "DealerMSP", req.Principal.Org)

	r = e.do("GET", "/v1/consents/"+ownerVIN, "dms", "")
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, grantListJSON(false, "2026-03-01T00:00:00Z"), string(r.body))
}
