package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/report/reporttest"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testChannel = reporttest.Channel

var relay = auth.Principal{Client: "owner-relay", Org: "DealerMSP", Role: "owner-services"}

const token = "q7V1m2n3b4v5c6x7z8l9k0j1h2g3f4d5s6a7p8o9i0u" // 32 bytes, base64url

func newService(f *reporttest.FakeNetwork) *report.Service {
	return &report.Service{Net: f, Channel: testChannel, Chaincode: verify.Chaincode}
}

func expect(challenge string) verify.Expect {
	return verify.Expect{Channel: testChannel, VIN: verifytest.DefaultVIN, Challenge: challenge, Orderers: []string{"OrdererMSP"}}
}

func TestConfigBlockGivesTheChannelsMSPs(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 1, 0)
	raw, err := reporttest.ConfigBlock(f.Net.MSPs())
	require.NoError(t, err)
	cfg, err := report.ParseConfigBlock(raw)
	require.NoError(t, err)
	want := f.Net.MSPs()
	slices.SortFunc(want, func(a, b verify.MSP) int { return strings.Compare(a.ID, b.ID) })
	for i := range want { // an empty list and none are the same in a bundle
		want[i].IntermediateCerts, want[i].CRLs = cfg.MSPs[i].IntermediateCerts, cfg.MSPs[i].CRLs
	}
	assert.Equal(t, want, cfg.MSPs)
	members := f.Net.MemberIDs()
	slices.Sort(members)
	assert.Equal(t, members, cfg.Members, "the orderer org is no member")
	assert.Equal(t, 3, cfg.Majority(), "of four members")
	assert.Equal(t, f.Net.Roots(), cfg.Roots())

	_, err = report.ParseConfigBlock([]byte("not a block"))
	assert.Error(t, err)
}

func TestBundleVerifies(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 5, 2)
	svc := newService(f)
	challenge := strings.Repeat("ab", 32)
	b, err := svc.Bundle(context.Background(), relay, f.VIN, challenge, []string{f.Facts[1].TxID})
	require.NoError(t, err)
	res := verify.Verify(b, f.Net.Roots(), expect(challenge))
	require.True(t, res.OK, res.String())
	assert.Len(t, b.Facts, 5)
	assert.NotEmpty(t, b.Facts[1].Block, "the fact asked for carries its block")
	assert.Empty(t, b.Facts[0].Block, "the others are claims")
	assert.Equal(t, [][]string{{"DealerMSP", "InsurerMSP", "OemMSP"}}, f.Endorsed, "the first majority of the members, explicitly")

	// The same bundle for another challenge is refused by the verifier.
	res = verify.Verify(b, f.Net.Roots(), expect(strings.Repeat("cd", 32)))
	assert.False(t, res.OK)
	assert.Equal(t, 1, f.ConfigReq, "the configuration is read once")
	_, err = svc.Bundle(context.Background(), relay, f.VIN, challenge, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, f.ConfigReq, "and cached")
}

func TestBundleTriesAnotherMajorityWhenPeersAreDown(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 2, 0)
	f.Down = []string{"DealerMSP"}
	challenge := strings.Repeat("0f", 16)
	b, err := newService(f).Bundle(context.Background(), relay, f.VIN, challenge, nil)
	require.NoError(t, err)
	assert.True(t, verify.Verify(b, f.Net.Roots(), expect(challenge)).OK)
	assert.Equal(t, []string{"InsurerMSP", "OemMSP", "SupplierMSP"}, f.Endorsed[len(f.Endorsed)-1])

	// A refusal by the chaincode is the answer: no other set is tried.
	f = reporttest.NewFakeNetwork(t, 2, 0)
	f.Refuse = &fabric.Error{Kind: fabric.Business, RefusedBy: []string{"DealerMSP"}, Chaincode: ccerr.New(ccerr.NotFound, "no vehicle")}
	_, err = newService(f).Bundle(context.Background(), relay, f.VIN, challenge, nil)
	var fe *fabric.Error
	require.ErrorAs(t, err, &fe)
	assert.Len(t, f.Endorsed, 1)
}

func TestBundleRefusesBadInput(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 2, 1)
	svc := newService(f)
	for _, c := range []string{"", "ABCDEF0123456789ABCDEF0123456789", strings.Repeat("a", 31), strings.Repeat("a", 130)} {
		_, err := svc.Bundle(context.Background(), relay, f.VIN, c, nil)
		assert.Equal(t, "challenge", fieldOf(err), "challenge %q", c)
	}
	ok := strings.Repeat("ab", 16)
	_, err := svc.Bundle(context.Background(), relay, f.VIN, ok, []string{strings.Repeat("e", 64)})
	assert.Equal(t, "facts", fieldOf(err), "a transaction that is no fact of this report reads no block")
	assert.Empty(t, f.Endorsed[1:], "checked before any block is read")

	_, err = report.ParseFacts("abc")
	assert.Equal(t, "facts", fieldOf(err))
	var many []string
	for i := range report.MaxFactProofs + 1 {
		many = append(many, fmt.Sprintf("%064x", i))
	}
	_, err = report.ParseFacts(strings.Join(many, ","))
	assert.Equal(t, "facts", fieldOf(err))
	ids, err := report.ParseFacts(many[0] + "," + many[0] + ",")
	require.NoError(t, err)
	assert.Equal(t, many[:1], ids)
}

func fieldOf(err error) string {
	cc, ok := ccerr.From(err)
	if !ok || len(cc.Fields) == 0 {
		return ""
	}
	return cc.Fields[0].Field
}

func TestLinkLiveGoneUnknown(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 1, 0)
	svc := newService(f)
	f.Link(t, token, true, nil)
	v, err := svc.Link(context.Background(), relay, token)
	require.NoError(t, err)
	assert.Equal(t, f.VIN, v.VIN)

	for name, c := range map[string]struct {
		change func(*ownertypes.ShareLinkView)
		detail string
	}{
		"revoked": {func(v *ownertypes.ShareLinkView) { v.RevokedAt = time.Now() }, "revoked"},
		"expired": {func(v *ownertypes.ShareLinkView) { v.NotAfter = time.Now().Add(-time.Minute) }, "expired"},
		"sold":    {nil, "changed hands"},
		"consent": {func(v *ownertypes.ShareLinkView) { v.CreatedBy = "grantee:DealerMSP" }, "withdrew the consent"},
	} {
		tok := strings.Repeat(name[:1], 22)
		f.Link(t, tok, false, c.change)
		_, err := svc.Link(context.Background(), relay, tok)
		var le *report.LinkError
		require.ErrorAs(t, err, &le, name)
		assert.Equal(t, http.StatusGone, le.Status, name)
		assert.Contains(t, le.Detail, c.detail, name)
	}
	for _, tok := range []string{strings.Repeat("z", 22), "short", "has=padding" + strings.Repeat("a", 20), "../../etc"} {
		_, err := svc.Link(context.Background(), relay, tok)
		var le *report.LinkError
		require.ErrorAs(t, err, &le, tok)
		assert.Equal(t, http.StatusNotFound, le.Status, tok)
	}
}

func TestPageShowsTheReport(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 1, 0)
	f.Link(t, token, true, nil)
	svc := newService(f)
	v, err := svc.Link(context.Background(), relay, token)
	require.NoError(t, err)
	charged := 0
	page, err := svc.Page(context.Background(), relay, v, token, "https://gw.example", func() error { charged++; return nil })
	require.NoError(t, err)
	html := string(page)
	for _, want := range []string{
		`id="owner-count">2<`, `id="rollback-warning"`, `salvage`, `R-2025-7`, `state of health 91.5`,
		`id="odometer-chart" class="chart" src="data:image/svg&#43;xml;base64,`, `id="battery-chart"`,
		`data-bundle-url="/r/` + token + `/bundle"`, `data-roots-url="/roots.json"`, `data-vin="` + f.VIN + `"`,
		`id="challenge"`, `id="verify-button"`, `id="bundle-download"`, `id="verify-status"`, `id="verify-checks"`,
		`https://gw.example/r/` + token + `/bundle?challenge=$CHALLENGE`, `autoledger verify --roots roots.json --vin ` + f.VIN,
	} {
		assert.Contains(t, html, want)
	}
	assert.NotContains(t, html, "C-1", "an insurer's claim reference is not shown")
	assert.NotContains(t, html, "<script>", "no inline script")
	assert.NotContains(t, html, " style=", "no inline style")
	assert.Zero(t, charged, "one history page: no further charge")
}

func TestPageEscapesLedgerText(t *testing.T) {
	f := reporttest.NewFakeNetwork(t, 1, 0)
	f.Report.Model = `<img src=x onerror=alert(1)>`
	f.Link(t, token, true, nil)
	svc := newService(f)
	v, _ := svc.Link(context.Background(), relay, token)
	page, err := svc.Page(context.Background(), relay, v, token, "http://x", nil)
	require.NoError(t, err)
	assert.NotContains(t, string(page), `<img src=x`)
	assert.Contains(t, string(page), `&lt;img src=x onerror=alert(1)&gt;`)
}

// BenchmarkBundle1000Events builds the bundle of a car with 1,000 life
// events (ten of them proven with their blocks) from a fake ledger whose
// endorsements are really signed: the gateway's own share of a bundle's
// time, which the issue bounds at 1 s through REST.
func BenchmarkBundle1000Events(b *testing.B) {
	f := reporttest.NewFakeNetwork(b, 1000, report.MaxFactProofs)
	svc := newService(f)
	var proofs []string
	for _, fact := range f.Facts[:report.MaxFactProofs] {
		proofs = append(proofs, fact.TxID)
	}
	challenge := strings.Repeat("5a", 32)
	for b.Loop() {
		bundle, err := svc.Bundle(context.Background(), relay, f.VIN, challenge, proofs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := json.Marshal(bundle); err != nil {
			b.Fatal(err)
		}
	}
}
