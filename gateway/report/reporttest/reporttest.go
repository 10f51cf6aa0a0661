// Package reporttest is a fake ledger for the share-link tests: one car
// whose endorsements and blocks are really signed by verifytest's orgs, so
// that the bundles the gateway builds from it verify with package verify,
// and a channel configuration block of those orgs.
package reporttest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// Channel is the fake ledger's channel.
const Channel = "autoledger"

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
	n, err := verifytest.NewNetwork(Channel)
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
	ar := vehicletypes.AttestedReport{Format: vehicletypes.AttestedReportFormat, Channel: Channel, VIN: args[0], Challenge: args[1],
		AsOf: now, Report: f.Report, Facts: f.Facts}
	result, err := json.Marshal(ar)
	if err != nil {
		return report.Endorsement{}, err
	}
	var peers []*verifytest.Identity
	for _, org := range endorsers {
		peers = append(peers, f.Net.Org(org).Peer)
	}
	env, txID, err := f.Net.Endorse(verifytest.Tx{Channel: Channel, Args: append([]string{function}, args...), Timestamp: now,
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
