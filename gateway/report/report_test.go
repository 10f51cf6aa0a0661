package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/report"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

const testChannel = "autoledger"

var relay = auth.Principal{Client: "owner-relay", Org: "DealerMSP", Role: "owner-services"}

// FakeNetwork is a ledger of one car whose endorsements and blocks are
// real (verifytest signs them with its orgs' keys), so the bundles the
// service builds from them verify with package verify.
type FakeNetwork struct {
	Net    *verifytest.Network
	VIN    string
	Report vehicletypes.Report
	Facts  []vehicletypes.ReportFact
	Blocks map[string][]byte // txID -> block
	Links  map[string]ownertypes.ShareLinkView
	// Down are orgs whose peers cannot be reached.
	Down []string
	// Refuse, when set, is the chaincode's answer to every endorsement.
	Refuse error

	mu        sync.Mutex
	Endorsed  [][]string
	ConfigReq int
}

// NewFakeNetwork makes the car with n life events, the first proofs of
// which have real blocks.
func NewFakeNetwork(t testing.TB, events, proofs int) *FakeNetwork {
	t.Helper()
	n, err := verifytest.NewNetwork(testChannel)
	require.NoError(t, err)
	f := &FakeNetwork{Net: n, VIN: verifytest.DefaultVIN, Blocks: map[string][]byte{}, Links: map[string]ownertypes.ShareLinkView{}}
	f.Report = vehicletypes.Report{VIN: f.VIN, CheckDigitVerified: true, Manufacturer: "Acme", Model: "Volt", ModelYear: 2024,
		Powertrain: "BEV", OwnerCount: 2, EventCount: int64(events),
		Odometer: vehicletypes.OdometerReport{LatestTotalKm: 41000, MaxTotalKm: 42000, RollbackSuspected: true, Timeline: []vehicletypes.OdometerReading{
			{TotalKm: 42000, DisplayedKm: 42000, Source: "service", ObservedAt: verifytest.Epoch.AddDate(5, 0, 0)},
			{TotalKm: 41000, DisplayedKm: 41000, Source: "telematics", ObservedAt: verifytest.Epoch.AddDate(6, 0, 0), Rollback: true}}},
		TitleBrands: []vehicletypes.TitleBrand{{Brand: "salvage", Date: verifytest.Epoch.AddDate(5, 6, 0), ClaimRef: "C-1"}},
		Battery:     &vehicletypes.BatteryReport{StateOfHealthPct: 91.5, RemainingCapacityKWh: 60, CycleCount: 300, Status: "ok", ReportedAt: verifytest.Epoch.AddDate(6, 0, 0)},
		OpenRecalls: []string{"R-2025-7"}}
	for i := range events {
		seq := int64(i + 1)
		fact := vehicletypes.ReportFact{Seq: seq, Type: "odometer", TxID: fmt.Sprintf("%064x", seq), RecordedAt: verifytest.Epoch, RecordedBy: "OemMSP"}
		if i < proofs {
			vf, err := n.Fact(verifytest.FactTx{VIN: f.VIN, Seq: seq}, nil)
			require.NoError(t, err)
			fact.TxID, fact.Type = vf.TxID, vf.Type
			f.Blocks[vf.TxID] = vf.Block
		}
		f.Facts = append(f.Facts, fact)
	}
	return f
}

// Link adds a link with this token.
func (f *FakeNetwork) Link(t testing.TB, token string, live bool, change func(*ownertypes.ShareLinkView)) {
	t.Helper()
	h, err := ownertypes.ShareLinkHash(token)
	require.NoError(t, err)
	v := ownertypes.ShareLinkView{ShareLink: ownertypes.ShareLink{SchemaVersion: 1, Link: h, VIN: f.VIN, OwnerNo: 2,
		NotAfter: time.Now().Add(24 * time.Hour), CreatedAt: time.Now(), CreatedBy: ownertypes.CreatedByOwner}, Live: live}
	if change != nil {
		change(&v)
	}
	f.Links[h] = v
}

func (f *FakeNetwork) Evaluate(_ context.Context, _ auth.Principal, function string, args ...string) ([]byte, error) {
	switch function {
	case "owner:ShareLink":
		v, ok := f.Links[args[0]]
		if !ok {
			return nil, &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.NotFound, "no share link %s", args[0])}
		}
		return json.Marshal(v)
	case "vehicle:Report":
		return json.Marshal(f.Report)
	case "vehicle:History":
		return json.Marshal(vehicletypes.HistoryPage{VIN: f.VIN, Events: []vehicletypes.LifeEvent{
			{Seq: 3, Type: "BATTERY_REPORT", Battery: &vehicletypes.BatteryReport{StateOfHealthPct: 95, ReportedAt: verifytest.Epoch.AddDate(5, 0, 0)}},
			{Seq: 4, Type: "BATTERY_REPORT", Battery: f.Report.Battery}}})
	}
	return nil, fmt.Errorf("unexpected evaluate %s", function)
}

func (f *FakeNetwork) Endorse(_ context.Context, pr auth.Principal, endorsers []string, function string, args ...string) (report.Endorsement, error) {
	f.mu.Lock()
	f.Endorsed = append(f.Endorsed, slices.Clone(endorsers))
	f.mu.Unlock()
	for _, org := range endorsers {
		if slices.Contains(f.Down, org) {
			return report.Endorsement{}, &fabric.Error{Kind: fabric.Unavailable, Err: errors.New(org + " is down")}
		}
	}
	if f.Refuse != nil {
		return report.Endorsement{}, f.Refuse
	}
	if function != verify.Function || len(args) != 2 {
		return report.Endorsement{}, fmt.Errorf("unexpected endorse %s %v", function, args)
	}
	now := time.Now().UTC()
	ar := vehicletypes.AttestedReport{Format: vehicletypes.AttestedReportFormat, Channel: testChannel, VIN: args[0], Challenge: args[1],
		AsOf: now, Report: f.Report, Facts: f.Facts}
	result, err := json.Marshal(ar)
	if err != nil {
		return report.Endorsement{}, err
	}
	var peers []*verifytest.Identity
	for _, org := range endorsers {
		peers = append(peers, f.Net.Org(org).Peer)
	}
	env, txID, err := f.Net.Endorse(verifytest.Tx{Channel: testChannel, Args: append([]string{function}, args...), Timestamp: now,
		Payload: result, Endorsers: peers, Client: f.Net.Org(pr.Org).Client})
	if err != nil {
		return report.Endorsement{}, err
	}
	return report.Endorsement{TxID: txID, Envelope: env, Result: result}, nil
}

func (f *FakeNetwork) ConfigBlock(context.Context, auth.Principal) ([]byte, error) {
	f.mu.Lock()
	f.ConfigReq++
	f.mu.Unlock()
	return ConfigBlock(f.Net.MSPs())
}

func (f *FakeNetwork) BlockByTxID(_ context.Context, _ auth.Principal, txID string) ([]byte, error) {
	b, ok := f.Blocks[txID]
	if !ok {
		return nil, &fabric.Error{Kind: fabric.Business, Chaincode: ccerr.New(ccerr.NotFound, "no block for %s", txID)}
	}
	return b, nil
}

// ConfigBlock is a channel configuration block holding msps as Fabric's
// configtxgen writes them: one group per org under Application or
// Orderer, each with its MSP value.
func ConfigBlock(msps []verify.MSP) ([]byte, error) {
	app := &common.ConfigGroup{Groups: map[string]*common.ConfigGroup{}}
	ord := &common.ConfigGroup{Groups: map[string]*common.ConfigGroup{}}
	for _, m := range msps {
		fc := &msp.FabricMSPConfig{Name: m.ID, RootCerts: bytesOf(m.RootCerts), IntermediateCerts: bytesOf(m.IntermediateCerts),
			RevocationList: bytesOf(m.CRLs), FabricNodeOus: &msp.FabricNodeOUs{Enable: true,
				PeerOuIdentifier: &msp.FabricOUIdentifier{OrganizationalUnitIdentifier: m.PeerOU}}}
		cfg, err := proto.Marshal(fc)
		if err != nil {
			return nil, err
		}
		mc, err := proto.Marshal(&msp.MSPConfig{Type: 0, Config: cfg})
		if err != nil {
			return nil, err
		}
		g := &common.ConfigGroup{Values: map[string]*common.ConfigValue{"MSP": {Value: mc}}}
		name := strings.TrimSuffix(m.ID, "MSP") // the group's name is the org's, not its MSP ID
		if m.Orderer {
			ord.Groups[name] = g
		} else {
			app.Groups[name] = g
		}
	}
	ce, err := proto.Marshal(&common.ConfigEnvelope{Config: &common.Config{ChannelGroup: &common.ConfigGroup{
		Groups: map[string]*common.ConfigGroup{"Application": app, "Orderer": ord}}}})
	if err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(&common.Payload{Header: &common.Header{}, Data: ce})
	if err != nil {
		return nil, err
	}
	env, err := proto.Marshal(&common.Envelope{Payload: payload})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&common.Block{Header: &common.BlockHeader{Number: 0}, Data: &common.BlockData{Data: [][]byte{env}}})
}

func bytesOf(ss []string) [][]byte {
	var out [][]byte
	for _, s := range ss {
		out = append(out, []byte(s))
	}
	return out
}

const token = "q7V1m2n3b4v5c6x7z8l9k0j1h2g3f4d5s6a7p8o9i0u" // 32 bytes, base64url

func newService(f *FakeNetwork) *report.Service {
	return &report.Service{Net: f, Channel: testChannel, Chaincode: verify.Chaincode}
}

func expect(challenge string) verify.Expect {
	return verify.Expect{Channel: testChannel, VIN: verifytest.DefaultVIN, Challenge: challenge}
}

func TestConfigBlockGivesTheChannelsMSPs(t *testing.T) {
	f := NewFakeNetwork(t, 1, 0)
	raw, err := ConfigBlock(f.Net.MSPs())
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
	f := NewFakeNetwork(t, 5, 2)
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
	f := NewFakeNetwork(t, 2, 0)
	f.Down = []string{"DealerMSP"}
	challenge := strings.Repeat("0f", 16)
	b, err := newService(f).Bundle(context.Background(), relay, f.VIN, challenge, nil)
	require.NoError(t, err)
	assert.True(t, verify.Verify(b, f.Net.Roots(), expect(challenge)).OK)
	assert.Equal(t, []string{"InsurerMSP", "OemMSP", "SupplierMSP"}, f.Endorsed[len(f.Endorsed)-1])

	// A refusal by the chaincode is the answer: no other set is tried.
	f = NewFakeNetwork(t, 2, 0)
	f.Refuse = &fabric.Error{Kind: fabric.Business, RefusedBy: []string{"DealerMSP"}, Chaincode: ccerr.New(ccerr.NotFound, "no vehicle")}
	_, err = newService(f).Bundle(context.Background(), relay, f.VIN, challenge, nil)
	var fe *fabric.Error
	require.ErrorAs(t, err, &fe)
	assert.Len(t, f.Endorsed, 1)
}

func TestBundleRefusesBadInput(t *testing.T) {
	f := NewFakeNetwork(t, 2, 1)
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
	f := NewFakeNetwork(t, 1, 0)
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
	f := NewFakeNetwork(t, 1, 0)
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
	f := NewFakeNetwork(t, 1, 0)
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
	f := NewFakeNetwork(b, 1000, report.MaxFactProofs)
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
