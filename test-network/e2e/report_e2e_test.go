//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/portal/portaltest"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/autoledger/autoledger/gateway/verify/verifytest"
	"github.com/chromedp/chromedp"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// pinnedRoots are the consortium's published identity roots, read from the
// run directory the network was made in, not from any gateway.
func pinnedRoots(t *testing.T) verify.Roots {
	t.Helper()
	roots := verify.Roots{}
	for _, o := range append([]string{"orderer"}, orgNames()...) {
		b, err := os.ReadFile(filepath.Join(runDir, "orgs", o, "msp", "cacerts", "ca.pem"))
		require.NoError(t, err)
		id := "OrdererMSP"
		if o != "orderer" {
			org, err := netFile.Org(o)
			require.NoError(t, err)
			id = org.MSPID
		}
		roots[id] = []string{string(b)}
	}
	return roots
}

func orgNames() []string {
	var names []string
	for _, o := range netFile.Orgs {
		names = append(names, o.Name)
	}
	return names
}

func getURL(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), b
}

func newChallenge(t *testing.T) string {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// logFor is what the gateway logged about the request a problem answer names.
func logFor(t *testing.T, problem []byte) string {
	var p struct {
		RequestID string `json:"requestId"`
	}
	if json.Unmarshal(problem, &p) != nil || p.RequestID == "" {
		return ""
	}
	var lines []string
	for _, l := range strings.Split(gatewayLogs(t), "\n") {
		if strings.Contains(l, p.RequestID) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// endorsedParts opens a bundle's envelope down to its endorsed action.
func endorsedParts(t *testing.T, env []byte) (*common.Envelope, *common.Payload, *peer.Transaction, *peer.ChaincodeActionPayload) {
	t.Helper()
	var e common.Envelope
	require.NoError(t, proto.Unmarshal(env, &e))
	var p common.Payload
	require.NoError(t, proto.Unmarshal(e.GetPayload(), &p))
	var tx peer.Transaction
	require.NoError(t, proto.Unmarshal(p.GetData(), &tx))
	var cap peer.ChaincodeActionPayload
	require.NoError(t, proto.Unmarshal(tx.GetActions()[0].GetPayload(), &cap))
	return &e, &p, &tx, &cap
}

// withEndorsements rebuilds env with its endorsements replaced by edit's.
func withEndorsements(t *testing.T, env []byte, edit func([]*peer.Endorsement) []*peer.Endorsement) []byte {
	t.Helper()
	e, p, tx, cap := endorsedParts(t, env)
	cap.Action.Endorsements = edit(cap.GetAction().GetEndorsements())
	var err error
	tx.Actions[0].Payload, err = proto.Marshal(cap)
	require.NoError(t, err)
	p.Data, err = proto.Marshal(tx)
	require.NoError(t, err)
	e.Payload, err = proto.Marshal(p)
	require.NoError(t, err)
	out, err := proto.Marshal(e)
	require.NoError(t, err)
	return out
}

// clientEndorsement is an endorsement a member's client identity (not a
// peer) signs over the proposal response payload, as a peer would.
func clientEndorsement(t *testing.T, org, role string, prp []byte) *peer.Endorsement {
	t.Helper()
	o, err := netFile.Org(org)
	require.NoError(t, err)
	cert, err := os.ReadFile(o.Users[role].Cert)
	require.NoError(t, err)
	keyPEM, err := os.ReadFile(o.Users[role].Key)
	require.NoError(t, err)
	blk, _ := pem.Decode(keyPEM)
	require.NotNil(t, blk)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	endorser, err := proto.Marshal(&msp.SerializedIdentity{Mspid: o.MSPID, IdBytes: cert})
	require.NoError(t, err)
	digest := sha256.Sum256(append(append([]byte{}, prp...), endorser...))
	ek := k.(*ecdsa.PrivateKey)
	r, s, err := ecdsa.Sign(rand.Reader, ek, digest[:])
	require.NoError(t, err)
	if half := new(big.Int).Rsh(ek.Curve.Params().N, 1); s.Cmp(half) > 0 { // Fabric wants low S
		s.Sub(ek.Curve.Params().N, s)
	}
	sig, err := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	require.NoError(t, err)
	return &peer.Endorsement{Endorser: endorser, Signature: sig}
}

// failsAt verifies b and asserts it fails first at check.
func failsAt(t *testing.T, check string, b verify.Bundle, roots verify.Roots, want verify.Expect, why string) {
	t.Helper()
	res := verify.Verify(b, roots, want)
	require.False(t, res.OK, "%s: %s", why, res)
	f := res.Failed()
	require.NotNil(t, f)
	assert.Equal(t, check, f.Name, "%s: %s", why, res)
}

// Issue 15's acceptance on the real network: the owner makes a link; a
// client with no credential reads the page and a bundle for its own
// challenge; the independent CLI prints PASS with the consortium's roots;
// each forgery fails with its reason; an expired or revoked link is gone.
func TestE2EReportShareLinkBundleVerifies(t *testing.T) {
	startGateway(t)
	ctx := context.Background()
	v, a := claimedCar(t, ctx)
	status, _, body := call(t, "OEM_TELEMATICS", "POST", "/v1/vehicles/"+v+"/odometer-readings",
		`{"km":1500,"source":"telematics","observedAt":"`+now()+`"}`)
	require.Equal(t, 201, status, string(body))
	ownerView(t, v, func(o api.OwnerVehicle) bool { return o.Current != nil && o.Current.Status == "owned" })

	link, err := a.ShareLink(ctx, v, time.Now().Add(24*time.Hour))
	require.NoError(t, err)
	base := urlOf(t, ownerRelay)
	status, ctype, page := getURL(t, base+ownerclient.LinkPath+"/"+link.Token)
	require.Equal(t, 200, status, string(page))
	assert.Contains(t, ctype, "text/html")
	assert.Contains(t, string(page), v)

	// The buyer's own challenge, a bundle for it, and a fact proof of the odometer reading.
	challenge := newChallenge(t)
	status, _, raw := getURL(t, base+ownerclient.LinkPath+"/"+link.Token+"/bundle?challenge="+challenge)
	require.Equal(t, 200, status, "%s\ngateway log:\n%s", raw, logFor(t, raw))
	var b verify.Bundle
	require.NoError(t, json.Unmarshal(raw, &b))
	var odo string
	for _, f := range b.Facts {
		if f.Type == "ODOMETER" {
			odo = f.TxID
		}
	}
	require.NotEmpty(t, odo, "the report lists the reading: %+v", b.Facts)
	status, _, raw = getURL(t, base+ownerclient.LinkPath+"/"+link.Token+"/bundle?challenge="+challenge+"&facts="+odo)
	require.Equal(t, 200, status, string(raw))
	b = verify.Bundle{}
	require.NoError(t, json.Unmarshal(raw, &b))

	roots := pinnedRoots(t)
	want := verify.Expect{Channel: netFile.Channel, VIN: v, Challenge: challenge, Orderers: []string{"OrdererMSP"}}
	res := verify.Verify(b, roots, want)
	require.True(t, res.OK, res.String())

	// The independent client: autoledger verify, offline, with the pinned roots.
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	write := func(name string, v any) string {
		p := filepath.Join(dir, name)
		j, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, j, 0o600))
		return p
	}
	rootsFile := write("roots.json", roots)
	cli := func(bundle verify.Bundle, vin, ch string) (string, error) {
		out, err := exec.Command(bin, "verify", "--roots", rootsFile, "--vin", vin, "--challenge", ch, "--channel", netFile.Channel,
			write("bundle.json", bundle)).CombinedOutput()
		return string(out), err
	}
	out2, err := cli(b, v, challenge)
	require.NoError(t, err, out2)
	assert.True(t, strings.HasPrefix(out2, "PASS"), out2)

	// One km changed in the report.
	km := regexp.MustCompile(`"latestTotalKm":(\d+)`)
	m := km.FindSubmatch(b.Result)
	require.NotNil(t, m, "the report states the latest total: %s", b.Result)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	tampered := b
	tampered.Result = km.ReplaceAll(b.Result, []byte(fmt.Sprintf(`"latestTotalKm":%d`, n+1)))
	out2, err = cli(tampered, v, challenge)
	require.Error(t, err)
	assert.Contains(t, out2, "FAIL: response", "one km changed")

	// A bundle for another challenge or another car.
	failsAt(t, verify.CheckProposal, b, roots, verify.Expect{Channel: netFile.Channel, VIN: v, Challenge: newChallenge(t), Orderers: []string{"OrdererMSP"}}, "another challenge")
	failsAt(t, verify.CheckProposal, b, roots, verify.Expect{Channel: netFile.Channel, VIN: freshVIN(), Challenge: challenge, Orderers: []string{"OrdererMSP"}}, "another VIN")

	// One endorsement dropped: below a majority of the four members.
	_, _, _, cap := endorsedParts(t, b.Envelope)
	require.GreaterOrEqual(t, len(cap.GetAction().GetEndorsements()), 3)
	dropped := b
	dropped.Envelope = withEndorsements(t, b.Envelope, func(es []*peer.Endorsement) []*peer.Endorsement { return es[:2] })
	failsAt(t, verify.CheckMajority, dropped, roots, want, "one endorsement dropped")

	// An endorser whose CA is not the pinned one.
	var first msp.SerializedIdentity
	require.NoError(t, proto.Unmarshal(cap.GetAction().GetEndorsements()[0].GetEndorser(), &first))
	stranger, err := verifytest.NewOrg(first.GetMspid(), false)
	require.NoError(t, err)
	unpinned := verify.Roots{}
	for id, pems := range roots {
		unpinned[id] = pems
	}
	unpinned[first.GetMspid()] = stranger.MSP().RootCerts
	failsAt(t, verify.CheckEndorsers, b, unpinned, want, "an endorser from a CA that is not pinned")

	// A member's client certificate (not a peer's) as an endorser.
	var org string
	for _, o := range netFile.Orgs {
		if o.MSPID == first.GetMspid() {
			org = o.Name
		}
	}
	role := ""
	o, err := netFile.Org(org)
	require.NoError(t, err)
	for r := range o.Users {
		if r != "orgadmin" {
			role = r
			break
		}
	}
	client := b
	client.Envelope = withEndorsements(t, b.Envelope, func(es []*peer.Endorsement) []*peer.Endorsement {
		out := append([]*peer.Endorsement{}, es...)
		out[0] = clientEndorsement(t, org, role, cap.GetAction().GetProposalResponsePayload())
		return out
	})
	failsAt(t, verify.CheckEndorsers, client, roots, want, "a client certificate as an endorser")

	// An altered block in the fact proof.
	altered := b
	altered.Facts = append([]verify.Fact{}, b.Facts...)
	for i := range altered.Facts {
		if len(altered.Facts[i].Block) > 0 {
			blk := append([]byte{}, altered.Facts[i].Block...)
			i1 := strings.Index(string(blk), "1500")
			require.Positive(t, i1, "the block holds the reading")
			copy(blk[i1:], "1501")
			altered.Facts[i].Block = blk
		}
	}
	failsAt(t, verify.CheckFacts, altered, roots, want, "an altered block")

	// A revoked link is gone; so is an expired one.
	_, err = a.RevokeShareLink(ctx, v, link.Token)
	require.NoError(t, err)
	status, _, _ = getURL(t, base+ownerclient.LinkPath+"/"+link.Token)
	assert.Equal(t, http.StatusGone, status, "a revoked link")
	// The link expires 20 s after it is signed, long after its commit; it is open until then and gone after.
	short, err := a.ShareLink(ctx, v, time.Now().Add(20*time.Second))
	require.NoError(t, err)
	status, _, _ = getURL(t, base+ownerclient.LinkPath+"/"+short.Token)
	require.Equal(t, http.StatusOK, status, "control: the short link works before it expires")
	time.Sleep(time.Until(short.NotAfter))
	require.Eventually(t, func() bool {
		status, _, _ := getURL(t, base+ownerclient.LinkPath+"/"+short.Token)
		return status == http.StatusGone
	}, 30*time.Second, 500*time.Millisecond, "an expired link answers 410")
	status, _, _ = getURL(t, base+ownerclient.LinkPath+"/"+strings.Repeat("A", 43))
	assert.Equal(t, http.StatusNotFound, status, "an unknown link")
}

// The buyer's page on the real network: the serving member's roots are the
// consortium's, and the in-page verifier (WebAssembly, real headless
// Chromium) says PASS for the link's report.
func TestE2EReportPageVerifiesInTheBrowser(t *testing.T) {
	nativeOnly(t, "the compose gateways serve HTTPS from the network's own CA, which the browser does not trust")
	startGateway(t)
	exe := portaltest.RequireBrowser(t)
	ctx := context.Background()
	v, a := claimedCar(t, ctx)
	link, err := a.ShareLink(ctx, v, time.Now().Add(time.Hour))
	require.NoError(t, err)
	base := urlOf(t, ownerRelay)

	status, _, raw := getURL(t, base+"/roots.json")
	require.Equal(t, 200, status, string(raw))
	var served verify.Roots
	require.NoError(t, json.Unmarshal(raw, &served))
	assert.Equal(t, pinnedRoots(t), served, "the gateway serves the roots the network was made with")

	bctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	tab, closeBrowser, err := portaltest.NewBrowser(bctx, exe)
	require.NoError(t, err)
	defer closeBrowser()
	require.NoError(t, chromedp.Do(tab,
		chromedp.Navigate(base+ownerclient.LinkPath+"/"+link.Token),
		chromedp.WaitReady(chromedp.CSS(`#verify[data-ready="true"]`))))
	state, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('verify-status').dataset.state`))
	require.NoError(t, err)
	require.Equal(t, "ready", state, "the page loaded its verifier (make wasm before building the gateway)")
	require.NoError(t, chromedp.Do(tab, chromedp.Click(chromedp.ID("verify-button"))))
	_, err = chromedp.Run(tab, chromedp.Poll[bool](`(() => { const s = document.getElementById('verify-status');
		return s.dataset.run === '1' && s.dataset.state !== 'busy'; })()`))
	require.NoError(t, err)
	state, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('verify-status').dataset.state`))
	require.NoError(t, err)
	msg, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("verify-status")))
	require.NoError(t, err)
	shots, err := portaltest.ArtifactDir("e2e-report")
	require.NoError(t, err)
	if buf, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err == nil {
		require.NoError(t, os.WriteFile(filepath.Join(shots, "verified.png"), buf, 0o644))
	}
	assert.Equal(t, "pass", state, msg)
}
