package verify_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"

	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
)

const channel = "autoledger"

func expectFor(b verify.Bundle) verify.Expect {
	return verify.Expect{Channel: channel, VIN: b.VIN, Challenge: b.Challenge, Orderers: []string{"OrdererMSP"}}
}

func newBundle(t *testing.T, n *verifytest.Network, o verifytest.BundleOptions) verify.Bundle {
	t.Helper()
	b, err := n.Bundle(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// requireFail asserts the first failed check is name.
func requireFail(t *testing.T, r verify.Result, name, detail string) {
	t.Helper()
	if r.OK {
		t.Fatalf("want FAIL at %s, got\n%s", name, r)
	}
	f := r.Failed()
	if f == nil || f.Name != name {
		t.Fatalf("want first failure %s, got\n%s", name, r)
	}
	if !strings.Contains(f.Detail, detail) {
		t.Fatalf("want %s detail containing %q, got %q", name, detail, f.Detail)
	}
	if !strings.HasPrefix(r.String(), "FAIL: "+name+": ") {
		t.Fatalf("String() = %q", r.String())
	}
}

func requirePass(t *testing.T, r verify.Result) {
	t.Helper()
	if !r.OK || r.Failed() != nil || !strings.HasPrefix(r.String(), "PASS\n") {
		t.Fatalf("want PASS, got\n%s", r)
	}
}

func TestGoodBundlePasses(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{})
	r := verify.Verify(b, n.Roots(), expectFor(b))
	requirePass(t, r)
	if len(r.Checks) != 7 {
		t.Fatalf("want all 7 checks reported, got %d", len(r.Checks))
	}
	// The bundle survives its JSON form (base64 bytes, RFC 3339 time).
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back verify.Bundle
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	requirePass(t, verify.Verify(back, n.Roots(), expectFor(b)))
	// Every member endorsing passes too.
	var all []*verifytest.Identity
	for _, o := range n.Members {
		all = append(all, o.Peer)
	}
	requirePass(t, verify.Verify(newBundle(t, n, verifytest.BundleOptions{Endorsers: all}), n.Roots(), expectFor(b)))
}

func TestChangedResultFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{})
	b.Result = bytes.Replace(b.Result, []byte(`"odometerKm":42000`), []byte(`"odometerKm":42001`), 1)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckResponse, "differs from the bundle's result")
}

func TestOtherChallengeOrVINFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{})
	want := expectFor(b)
	want.Challenge = strings.Repeat("ab", 32)
	requireFail(t, verify.Verify(b, n.Roots(), want), verify.CheckProposal, "challenge")
	want = expectFor(b)
	want.VIN = "WVWZZZ1JZXW000001"
	requireFail(t, verify.Verify(b, n.Roots(), want), verify.CheckProposal, "vin")
	want = expectFor(b)
	want.Channel = "other"
	requireFail(t, verify.Verify(b, n.Roots(), want), verify.CheckProposal, "channel")

	// Relabelling the bundle to the buyer's challenge does not help: the
	// endorsed proposal still carries the old one.
	b.Challenge = strings.Repeat("ab", 32)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckProposal, "proposal args")
}

func TestReportForAnotherChallengeFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	// A chaincode result echoing another challenge than its proposal's.
	good := newBundle(t, n, verifytest.BundleOptions{})
	var ar verifytest.AttestedReport
	if err := json.Unmarshal(good.Result, &ar); err != nil {
		t.Fatal(err)
	}
	ar.Challenge = strings.Repeat("cd", 32)
	result, _ := json.Marshal(ar)
	b := newBundle(t, n, verifytest.BundleOptions{Result: result})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckResponse, "result challenge")
}

func TestBelowMajorityFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	peers := n.MajorityPeers()
	b := newBundle(t, n, verifytest.BundleOptions{Endorsers: peers[:len(peers)-1]})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckMajority, "a majority needs 3")

	// Two peers of one org are one org.
	second, err := n.Members[0].Issue("peer1", verify.PeerOU, verifytest.Epoch, verifytest.End)
	if err != nil {
		t.Fatal(err)
	}
	b = newBundle(t, n, verifytest.BundleOptions{Endorsers: []*verifytest.Identity{peers[0], second, peers[1]}})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckMajority, "2 of 4")

	// Dropping a member from the bundle's list to lower the majority is refused.
	b = newBundle(t, n, verifytest.BundleOptions{Endorsers: peers[:2]})
	b.Members = b.Members[:3]
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, "neither a member nor the orderer")
}

func TestUnpinnedCAFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	rogue, err := verifytest.NewOrg("DealerMSP", false)
	if err != nil {
		t.Fatal(err)
	}
	peers := n.MajorityPeers()
	peers[2] = rogue.Peer // a DealerMSP peer from a CA the consortium did not publish
	b := newBundle(t, n, verifytest.BundleOptions{Endorsers: peers})
	// The bundle even carries the rogue CA as DealerMSP's root: hints do not count.
	for i := range b.MSPs {
		if b.MSPs[i].ID == "DealerMSP" {
			b.MSPs[i].RootCerts = []string{string(rogue.CA.CertPEM)}
			b.MSPs[i].IntermediateCerts = []string{string(rogue.CA.CertPEM)}
		}
	}
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, "certificate signed by unknown authority")
}

func TestClientCertAsEndorserFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	peers := n.MajorityPeers()
	peers[1] = n.Members[1].Client
	b := newBundle(t, n, verifytest.BundleOptions{Endorsers: peers})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, `not the "peer" OU`)
	// A bundle cannot rename the peer OU.
	b = newBundle(t, n, verifytest.BundleOptions{Endorsers: peers})
	for i := range b.MSPs {
		b.MSPs[i].PeerOU = "client"
	}
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, `peer OU "client"`)
}

func TestRevokedEndorserFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	if err := n.Members[0].Revoke(n.Members[0].Peer); err != nil {
		t.Fatal(err)
	}
	b := newBundle(t, n, verifytest.BundleOptions{})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, "revoked")

	// A CRL signed by another CA does not revoke anything.
	n2 := verifytest.MustNetwork(channel)
	other, _ := verifytest.NewOrg("OemMSP", false)
	_ = other.Revoke(n2.Members[0].Peer) // same serial space: 2
	b = newBundle(t, n2, verifytest.BundleOptions{})
	b.MSPs[0].CRLs = other.MSP().CRLs
	requirePass(t, verify.Verify(b, n2.Roots(), expectFor(b)))
}

func TestExpiredEndorserFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	old, err := n.Members[2].Issue("peer0-old", verify.PeerOU, verifytest.Epoch, verifytest.DefaultProvedAt.Add(-time.Second))
	if err != nil {
		t.Fatal(err)
	}
	peers := n.MajorityPeers()
	peers[2] = old
	b := newBundle(t, n, verifytest.BundleOptions{Endorsers: peers})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckEndorsers, "expired")
	// Moving provedAt back does not help: the proposal's timestamp is signed.
	b.ProvedAt = verifytest.DefaultProvedAt.Add(-time.Hour)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckProposal, "proposal's timestamp")
}

func TestDivergentEndorsementFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{SignedPayload: func(i int, prp []byte) []byte {
		if i == 1 {
			// This peer computed another result (one km more).
			return bytes.Replace(prp, []byte(`42000`), []byte(`42001`), 1)
		}
		return prp
	}})
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckSignatures, "endorsement 1")
}

func TestHostileInputFailsCleanly(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{})
	b.Envelope = []byte("not a protobuf \xff\xff")
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFormat, "envelope")
	b = newBundle(t, n, verifytest.BundleOptions{})
	b.Format = "autoledger-report-bundle/v2"
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFormat, "format")
	requireFail(t, verify.Verify(verify.Bundle{}, nil, verify.Expect{}), verify.CheckFormat, "format")
}

func factBundle(t *testing.T, n *verifytest.Network, facts ...verify.Fact) verify.Bundle {
	t.Helper()
	return newBundle(t, n, verifytest.BundleOptions{Facts: facts})
}

func mustFact(t *testing.T, n *verifytest.Network, f verifytest.FactTx, signer *verifytest.Identity) verify.Fact {
	t.Helper()
	fact, err := n.Fact(f, signer)
	if err != nil {
		t.Fatal(err)
	}
	return fact
}

func TestFactProof(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	proven := mustFact(t, n, verifytest.FactTx{Seq: 3}, nil)
	claim := verify.Fact{Seq: 1, Type: "birth", TxID: strings.Repeat("0", 64)}
	b := factBundle(t, n, claim, proven)
	r := verify.Verify(b, n.Roots(), expectFor(b))
	requirePass(t, r)
	if d := r.Checks[6].Detail; !strings.Contains(d, "1 proven") || !strings.Contains(d, "1 claims") {
		t.Fatalf("facts detail %q", d)
	}
}

func TestTamperedBlockFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	fact := mustFact(t, n, verifytest.FactTx{Seq: 3}, nil)
	b := factBundle(t, n, fact)
	i := bytes.Index(b.Facts[0].Block, []byte(`"km":42000`))
	if i < 0 {
		t.Fatal("the block does not hold the reading")
	}
	b.Facts[0].Block = bytes.Replace(b.Facts[0].Block, []byte(`"km":42000`), []byte(`"km":12000`), 1)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "data hash")

	// Fixing the data hash breaks the orderer's signature.
	var blk common.Block
	if err := proto.Unmarshal(b.Facts[0].Block, &blk); err != nil {
		t.Fatal(err)
	}
	sum := sha256Join(blk.GetData().GetData())
	blk.Header.DataHash = sum
	b.Facts[0].Block, _ = proto.Marshal(&blk)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "does not verify")
}

func TestBlockSignedByNonOrdererFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	fact := mustFact(t, n, verifytest.FactTx{Seq: 3}, n.Members[0].Peer)
	b := factBundle(t, n, fact)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "is not the orderer org")
	// An orderer-org client is not an orderer either.
	fact = mustFact(t, n, verifytest.FactTx{Seq: 3}, n.Orderer.Client)
	b = factBundle(t, n, fact)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, `"orderer" OU`)
}

func TestFactNotWrittenFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	fact := mustFact(t, n, verifytest.FactTx{Seq: 3, Writes: func(txID string) []verifytest.KV {
		ev, _ := json.Marshal(map[string]any{"vin": verifytest.DefaultVIN, "seq": 4, "type": "odometer", "txId": txID})
		return []verifytest.KV{{Key: verify.EventKey(verifytest.DefaultVIN, 4), Value: ev}}
	}}, nil)
	b := factBundle(t, n, fact)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "does not write life event 3")

	// The right key with another event's value is refused too.
	fact = mustFact(t, n, verifytest.FactTx{Seq: 3, Writes: func(txID string) []verifytest.KV {
		ev, _ := json.Marshal(map[string]any{"vin": verifytest.DefaultVIN, "seq": 4, "type": "odometer", "txId": txID})
		return []verifytest.KV{{Key: verify.EventKey(verifytest.DefaultVIN, 3), Value: ev}}
	}}, nil)
	b = factBundle(t, n, fact)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "is not life event 3")
}

func TestFactNotInReportFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	fact := mustFact(t, n, verifytest.FactTx{Seq: 3}, nil)
	b := factBundle(t, n, fact)
	b.Facts[0].Seq = 5
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "not in the endorsed report")
}

func TestFactBelowMajorityFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	fact := mustFact(t, n, verifytest.FactTx{Seq: 3, Endorsers: n.MajorityPeers()[:1]}, nil)
	b := factBundle(t, n, fact)
	requireFail(t, verify.Verify(b, n.Roots(), expectFor(b)), verify.CheckFacts, "a majority needs 3")
}

// A bundle that calls a member the orderer org lowers the majority by one
// (2 of 3 instead of 3 of 4); the published orderer orgs catch it.
func TestMemberRelabelledAsOrdererFails(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	peers := n.MajorityPeers()
	b := newBundle(t, n, verifytest.BundleOptions{Endorsers: peers[:2]})
	victim := b.Members[3]
	b.Members = b.Members[:3]
	for i := range b.MSPs {
		if b.MSPs[i].ID == victim {
			b.MSPs[i].Orderer = true
		}
	}
	want := expectFor(b)
	want.Orderers = []string{"OrdererMSP"}
	requireFail(t, verify.Verify(b, n.Roots(), want), verify.CheckEndorsers, "not the published ones")
}

// Without the published orderer orgs nothing stops a bundle from calling
// every member but one the orderer org: the verifier refuses to guess.
func TestOrderersAreRequired(t *testing.T) {
	n := verifytest.MustNetwork(channel)
	b := newBundle(t, n, verifytest.BundleOptions{})
	want := expectFor(b)
	want.Orderers = nil
	requireFail(t, verify.Verify(b, n.Roots(), want), verify.CheckEndorsers, "no published orderer orgs")
}
