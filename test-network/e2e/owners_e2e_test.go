//go:build e2e

package e2e

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/portal/portaltest"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownerRelay is the gateway the suite's car owners use: the dealer's (in
// compose each org's gateway relays for its own org).
const ownerRelay = "DEALER"

// newOwner is a car owner with a fresh key on the relay's gateway.
func newOwner(t *testing.T) *ownerclient.Owner {
	t.Helper()
	c, err := ownerclient.New(urlOf(t, ownerRelay), ownerclient.Options{HTTPClient: http.DefaultClient})
	require.NoError(t, err)
	k, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	return &ownerclient.Owner{Client: c, Key: k, Channel: netFile.Channel}
}

// claimedCar is a new car sold from stock and claimed by a new owner.
func claimedCar(t *testing.T, ctx context.Context) (string, *ownerclient.Owner) {
	t.Helper()
	v := freshVIN()
	code := soldFromStock(t, v, "")
	a := newOwner(t)
	_, err := a.Claim(ctx, v, code)
	require.NoError(t, err)
	return v, a
}

// buildCLI builds the autoledger CLI into dir and returns its path.
func buildCLI(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "autoledger")
	build := exec.Command("go", "build", "-o", bin, "./gateway/cmd/autoledger")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func publicKey(t *testing.T, k *ecdsa.PrivateKey) statement.PublicKey {
	t.Helper()
	pub, err := ownerclient.PublicKey(k)
	require.NoError(t, err)
	return pub
}

// ownerView waits until the relay's peer shows the car as ok says.
func ownerView(t *testing.T, v string, ok func(api.OwnerVehicle) bool) api.OwnerVehicle {
	t.Helper()
	var out api.OwnerVehicle
	require.Eventually(t, func() bool {
		status, _, body := call(t, ownerRelay, "GET", "/v1/owner/vehicles/"+v, "")
		out = api.OwnerVehicle{}
		return status == 200 && json.Unmarshal(body, &out) == nil && ok(out)
	}, 15*time.Second, 50*time.Millisecond, "the relay's peer never showed the car as expected: %+v", out)
	return out
}

// soldFromStock registers a car and has the dealer sell it from stock,
// linking the ownership to ref when ref is not empty; it returns the
// claim code the dealer hands the buyer.
func soldFromStock(t *testing.T, v, ref string) string {
	t.Helper()
	status, _, body := call(t, "OEM_PRODUCTION", "POST", "/v1/vehicles", registerBody(v, "BEV"))
	require.Equal(t, 201, status, string(body))
	visible(t, v, "DEALER_SALES")
	sale := fmt.Sprintf(`{"saleDate":%q,"odometerKm":12,"useType":"private"}`, now())
	if ref != "" {
		sale = fmt.Sprintf(`{"saleDate":%q,"odometerKm":12,"useType":"private","ownerRef":%q,"ownerSalt":%q}`, now(), ref, newSalt(t))
	}
	status, _, body = call(t, "DEALER_SALES", "POST", "/v1/vehicles/"+v+"/sales", sale)
	require.Equal(t, 201, status, string(body))
	var out api.DealerSale
	require.NoError(t, json.Unmarshal(body, &out))
	require.True(t, out.ClaimCodeShownOnce)
	require.NotEmpty(t, out.ClaimCode)
	if ref != "" {
		require.NotNil(t, out.Link)
		require.Equal(t, "committed", out.Link.Status, "the owner link: %+v", out.Link)
	}
	ownerView(t, v, func(o api.OwnerVehicle) bool { return o.OwnerCount == 1 })
	return out.ClaimCode
}

func problemOf(err error) string {
	var p *ownerclient.Problem
	if e, ok := err.(*ownerclient.Problem); ok {
		p = e
	}
	if p == nil {
		return fmt.Sprint(err)
	}
	return p.Code
}

// evaluateOn runs fn on org's own peer as role, and returns the chaincode's
// answer or its error as fabclient describes it.
func evaluateOn(t *testing.T, org, role, fn string, args ...string) ([]byte, string) {
	t.Helper()
	c := connect(t, org, role)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.contract("autoledger").EvaluateWithContext(ctx, fn, client.WithArguments(args...),
		client.WithEndorsingOrganizations(c.org.MSPID))
	if err != nil {
		return nil, fabclient.Describe(err)
	}
	return out, ""
}

// The owner's life with a car through REST, as issue 14 states it: the
// dealer sells with a claim code, owner A claims, grants the insurer a
// scope for 30 days, the insurer reads, A revokes and every peer refuses
// the read; a dealer-only resale is refused; only A's signature sells the
// car to B; A erases the past ownership's private records.
func TestE2EOwnerClaimConsentRevokeSaleAndErasure(t *testing.T) {
	startGateway(t)
	ctx := context.Background()
	v := freshVIN()
	ref := "dlr1:" + strings.ToLower(v)
	code := soldFromStock(t, v, ref)

	a := newOwner(t)
	other, err := ownerclient.NewClaimCode()
	require.NoError(t, err)
	_, err = a.Claim(ctx, v, other.Code)
	assert.Equal(t, "CLAIM_CODE_INVALID", problemOf(err), "another code claims nothing: %v", err)
	res, err := a.Claim(ctx, v, strings.ToUpper(code))
	require.NoError(t, err)
	aPub := publicKey(t, a.Key)
	assert.Equal(t, statement.FormatFingerprint(aPub.Fingerprint()), res.KeyFingerprint, "both sides see the bound key")
	view := ownerView(t, v, func(o api.OwnerVehicle) bool { return o.Current != nil && o.Current.Status == ownertypes.StatusOwned })
	assert.Equal(t, aPub.Fingerprint(), view.Current.KeyFingerprint, "A sees the car as theirs")
	_, err = newOwner(t).Claim(ctx, v, code)
	assert.Equal(t, "FAILED_PRECONDITION", problemOf(err), "a used claim code binds nothing more: %v", err)

	// Consent: A lets the insurer read the OEM's driving summaries for 30 days.
	g, err := a.Grant(ctx, v, ownerclient.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"driving"},
		Purpose: "usage-based-insurance", NotAfter: time.Now().Add(30 * 24 * time.Hour)})
	require.NoError(t, err)
	grant := g.ID
	seen(t, "/v1/consents/"+v, grant, "OEM_TELEMATICS", "INSURER_UNDERWRITING")
	share := "/v1/consents/" + v + "/" + grant + "/shares/driving"
	status, _, body := call(t, "OEM_TELEMATICS", "POST", share, `{"period":"2026-11","distanceKm":812,"harshBrakes":3}`)
	require.Equal(t, 201, status, string(body))
	seen(t, share, `"distanceKm":812`, "INSURER_UNDERWRITING")
	status, _, body = call(t, "SUPPLIER_LOGISTICS", "GET", share, "")
	assert.Equal(t, 403, status, "only the grantee reads: %s", body)

	sharedHash := func(org, role string) string {
		out, failure := evaluateOn(t, org, role, "consent:SharedHash", v, grant, "driving")
		if failure != "" {
			return failure
		}
		return string(out)
	}
	require.Len(t, sharedHash("InsurerMSP", "claims"), 64, "control: the grantee's peer holds the shared record")

	_, err = a.Revoke(ctx, v, grant)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		status, _, body = call(t, "INSURER_UNDERWRITING", "GET", share, "")
		return status == 403 && codeOf(t, body) == "CONSENT_REQUIRED"
	}, 15*time.Second, 50*time.Millisecond, "after the revocation the insurer reads nothing: %d %s", status, body)
	// Not only the gateway: the insurer's own peer refuses, whoever calls.
	_, failure := evaluateOn(t, "InsurerMSP", "underwriting", "consent:Read", v, grant, "driving")
	assert.Contains(t, failure, "CONSENT_REQUIRED")
	// And the record itself is purged from every peer, the grantee's included: by the relay's follow-up
	// where it serves the holder, else by the holder's gateway's purge sweeper (docs/operations.md).
	for _, p := range [][2]string{{"InsurerMSP", "claims"}, {"OemMSP", "telematics"}, {"DealerMSP", "sales"}, {"SupplierMSP", "logistics"}} {
		require.Eventually(t, func() bool { return strings.Contains(sharedHash(p[0], p[1]), "NOT_FOUND") }, 60*time.Second,
			200*time.Millisecond, "%s's peer still holds the revoked grant's data: %s", p[0], sharedHash(p[0], p[1]))
	}

	// A dealer cannot resell an owned car on its own.
	status, _, body = call(t, "DEALER_SALES", "POST", "/v1/vehicles/"+v+"/sales",
		fmt.Sprintf(`{"saleDate":%q,"odometerKm":900,"useType":"private"}`, now()))
	assert.Equal(t, 409, status, string(body))
	assert.Equal(t, "OWNER_RELEASE_REQUIRED", codeOf(t, body))

	// Only A's key sells: B signing A's car away is refused.
	b := newOwner(t)
	bPub := publicKey(t, b.Key)
	terms := ownerclient.SaleTerms{SaleDate: time.Now().Add(-time.Minute).Truncate(time.Second), UseType: "private", OdometerKm: 2000}
	_, err = b.SellToKey(ctx, v, publicKey(t, newOwner(t).Key), terms)
	assert.Equal(t, "OWNER_SIGNATURE_INVALID", problemOf(err), "%v", err)

	// A member bypassing the gateway fares no better: a statement signed by a
	// key that is not the owner's, submitted straight to the peers.
	mallory, err := ownerclient.GenerateKey()
	require.NoError(t, err)
	nonce := strings.Repeat("ab", 16)
	forged := statement.Statement{Channel: netFile.Channel, VIN: v, Action: statement.ReleaseSale,
		Params: map[string]string{"buyer": "key:" + publicKey(t, mallory).Fingerprint(), "odometerKm": "2000",
			"saleDate": statement.FormatTime(time.Now().Add(-time.Minute)), "useType": "private"},
		Nonce: nonce, Expires: time.Now().Add(10 * time.Minute).Truncate(time.Second).UTC()}
	encoded, err := forged.Encode()
	require.NoError(t, err)
	sig, err := ownerclient.Sign(mallory, encoded)
	require.NoError(t, err)
	req, err := json.Marshal(ownertypes.SellRequest{Envelope: ownertypes.StatementEnvelope{Statement: string(encoded),
		Signature: base64.StdEncoding.EncodeToString(sig)}, BuyerPublicKey: base64.StdEncoding.EncodeToString(publicKey(t, mallory).SPKI())})
	require.NoError(t, err)
	dealer := connect(t, "DealerMSP", "owner-services")
	_, err = dealer.contract("autoledger").Submit("owner:Sell", client.WithArguments(v, string(req)),
		client.WithEndorsingOrganizations("OemMSP", "DealerMSP", "InsurerMSP"))
	require.Error(t, err)
	assert.Contains(t, fabclient.Describe(err), "OWNER_SIGNATURE_INVALID")

	// A signs the release to B's key: B owns the car at once.
	_, err = a.SellToKey(ctx, v, bPub, terms)
	require.NoError(t, err)
	view = ownerView(t, v, func(o api.OwnerVehicle) bool { return o.OwnerCount == 2 })
	require.NotNil(t, view.Current)
	assert.Equal(t, bPub.Fingerprint(), view.Current.KeyFingerprint)
	assert.Equal(t, ownertypes.StatusEnded, view.Ownerships[0].Status)

	// A, a past owner now, erases the first ownership's private records.
	linkHash := func(org, role string) string {
		out, failure := evaluateOn(t, org, role, "owner:LinkHash", v, "1")
		if failure != "" {
			return failure
		}
		return string(out)
	}
	require.Len(t, linkHash("SupplierMSP", "logistics"), 64, "before erasure every peer holds the link's hash")
	_, err = a.Erase(ctx, v, 1)
	require.NoError(t, err)
	view = ownerView(t, v, func(o api.OwnerVehicle) bool { return !o.Ownerships[0].ErasedAt.IsZero() })
	assert.Equal(t, ownertypes.ErasedByOwner, view.Ownerships[0].ErasedBy)
	for _, p := range [][2]string{{"DealerMSP", "sales"}, {"OemMSP", "quality"}, {"InsurerMSP", "claims"}, {"SupplierMSP", "logistics"}} {
		require.Eventually(t, func() bool { return strings.Contains(linkHash(p[0], p[1]), "NOT_FOUND") }, 15*time.Second,
			100*time.Millisecond, "%s's peer still answers for the erased link", p[0])
	}
	// Control: the search finds the reference where it was (the dealer's peer keeps the purged value on
	// disk until compaction; docs/owners.md), so the two refusals below can fail.
	assert.True(t, peerDataContains(t, "dealer", ref), "control: the dealer's peer held the owner reference")
	assert.False(t, peerDataContains(t, "supplier", ref), "the supplier's peer never held the owner reference")
	assert.False(t, peerDataContains(t, "insurer", ref), "the insurer's peer never held the owner reference")

	// The gateway logged none of the owner's secrets or keys, though it logged the statements it relayed.
	logs := gatewayLogs(t)
	if logs == "" {
		return // external gateways: gatewayLogs said so
	}
	assert.Contains(t, logs, res.ID, "control: the relay logs a claim's statement ID")
	for what, secret := range map[string]string{"claim code": code, "claim code as typed": strings.ToUpper(code),
		"owner public key": base64.StdEncoding.EncodeToString(aPub.SPKI()),
		"claim signature":  base64.StdEncoding.EncodeToString(res.Signature),
		"grant signature":  base64.StdEncoding.EncodeToString(g.Signature), "owner reference": ref} {
		assert.NotContains(t, logs, secret, "the gateway logged the %s", what)
	}
}

// gatewayLogs is what the gateways of this run printed.
func gatewayLogs(t *testing.T) string {
	t.Helper()
	if gw != nil {
		b, err := os.ReadFile(gw.logPath)
		require.NoError(t, err)
		return string(b)
	}
	if !composed {
		t.Log("external gateways: their logs are not read")
		return ""
	}
	var all strings.Builder
	for _, o := range netFile.Orgs {
		out, err := exec.Command("docker", "logs", container("gateway", o.Name)).CombinedOutput()
		require.NoError(t, err, string(out))
		all.Write(out)
	}
	require.NotEmpty(t, all.String(), "the gateways logged nothing at all")
	return all.String()
}

// The same life through the owner's own client, the autoledger CLI.
func TestE2EOwnerCLI(t *testing.T) {
	startGateway(t)
	dir := t.TempDir()
	bin := buildCLI(t, dir)
	key := filepath.Join(dir, "owner.pem")
	run := func(stdin string, args ...string) (string, error) {
		args = append(args, "--gateway", urlOf(t, ownerRelay), "--key", key, "--channel", netFile.Channel)
		if ca := os.Getenv("AUTOLEDGER_GATEWAY_CA"); ca != "" {
			args = append(args, "--ca", ca)
		}
		cmd := exec.Command(bin, append([]string{"owner"}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out2, err := run("", "keygen", "--out", key)
	require.NoError(t, err, out2)
	k, err := ownerclient.LoadKeyFile(key)
	require.NoError(t, err)
	fingerprint := publicKey(t, k).Fingerprint()
	v := freshVIN()
	code := soldFromStock(t, v, "")
	out2, err = run(code+"\n", "claim", "--vin", v, "--code", "-")
	require.NoError(t, err, out2)
	out2, err = run("", "grant", "--vin", v, "--grantee", "InsurerMSP", "--scopes", "driving", "--purpose", "usage-based-insurance", "--days", "30", "--json")
	require.NoError(t, err, out2)
	view := ownerView(t, v, func(o api.OwnerVehicle) bool { return len(o.Grants) == 1 })
	grant := view.Grants[0].ID
	out2, err = run("", "revoke", "--vin", v, "--grant", grant)
	require.NoError(t, err, out2)
	ownerView(t, v, func(o api.OwnerVehicle) bool { return len(o.Grants) == 1 && !o.Grants[0].RevokedAt.IsZero() })
	out2, err = run("", "show", "--vin", v, "--json")
	require.NoError(t, err, out2)
	assert.Contains(t, out2, fingerprint, "show names the key the ledger bound: the CLI's own")
	// A second key is not the owner's: the chaincode refuses its release.
	other := filepath.Join(dir, "other.pem")
	_, err = run("", "keygen", "--out", other)
	require.NoError(t, err)
	cmd := exec.Command(bin, "owner", "sign-sale", "--vin", v, "--new-claim-code", "--odometer-km", "100",
		"--sale-date", time.Now().UTC().Format("2006-01-02"), "--use-type", "private",
		"--gateway", urlOf(t, ownerRelay), "--key", other, "--channel", netFile.Channel)
	if ca := os.Getenv("AUTOLEDGER_GATEWAY_CA"); ca != "" {
		cmd.Args = append(cmd.Args, "--ca", ca)
	}
	b, err := cmd.CombinedOutput()
	require.Error(t, err, string(b))
	assert.Contains(t, string(b), "OWNER_SIGNATURE_INVALID")
	out2, err = run("", "sign-sale", "--vin", v, "--new-claim-code", "--odometer-km", "100",
		"--sale-date", time.Now().UTC().Format("2006-01-02"), "--use-type", "private")
	require.NoError(t, err, out2)
	ownerView(t, v, func(o api.OwnerVehicle) bool {
		return o.OwnerCount == 2 && o.Current != nil && o.Current.Status == ownertypes.StatusAwaitingClaim
	})
}

// The claim -> consent -> revoke -> sale flow through the owner portal in
// a real headless Chromium, screenshots kept as artifacts.
func TestE2EOwnerPortal(t *testing.T) {
	nativeOnly(t, "the compose gateways serve HTTPS from the network's own CA, which the browser does not trust")
	startGateway(t)
	exe := portaltest.RequireBrowser(t)
	v := freshVIN()
	code := soldFromStock(t, v, "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	tab, closeBrowser, err := portaltest.NewBrowser(ctx, exe)
	require.NoError(t, err)
	defer closeBrowser()
	shots, err := portaltest.ArtifactDir("e2e-portal")
	require.NoError(t, err)
	var grant string
	page, outs, err := portaltest.Drive(tab, urlOf(t, ownerRelay), shots,
		portaltest.Step{Name: "open", Do: func(p *portaltest.Page) (portaltest.Outcome, error) { return p.OpenCar(v) }},
		portaltest.Step{Name: "claim", Do: func(p *portaltest.Page) (portaltest.Outcome, error) { return p.Claim(code) }},
		portaltest.Step{Name: "grant", Do: func(p *portaltest.Page) (portaltest.Outcome, error) {
			o, err := p.Grant(portaltest.GrantTerms{Grantee: "InsurerMSP", Scopes: []string{"driving"}, Purpose: "usage-based-insurance", Days: 30})
			grant = o.StatementID
			return o, err
		}},
		portaltest.Step{Name: "revoke", Do: func(p *portaltest.Page) (portaltest.Outcome, error) {
			ownerView(t, v, func(o api.OwnerVehicle) bool { return len(o.Grants) == 1 })
			return p.Revoke(grant)
		}},
	)
	require.NoError(t, err, "outcomes: %+v", outs)
	fp, err := page.KeyFingerprint()
	require.NoError(t, err)
	view := ownerView(t, v, func(o api.OwnerVehicle) bool { return len(o.Grants) == 1 && !o.Grants[0].RevokedAt.IsZero() })
	assert.Equal(t, strings.ReplaceAll(fp, " ", ""), view.Current.KeyFingerprint, "the page's key owns the car")
	o, buyerCode, err := page.SellToNewClaimCode(portaltest.Sale{OdometerKm: 321, UseType: "private"})
	require.NoError(t, err)
	require.True(t, o.OK(), "%+v", o)
	require.NotEmpty(t, buyerCode)
	view = ownerView(t, v, func(o api.OwnerVehicle) bool { return o.OwnerCount == 2 })
	assert.Equal(t, ownertypes.StatusAwaitingClaim, view.Current.Status)
	claimKey, err := statement.ParseClaimCode(buyerCode)
	require.NoError(t, err, "the code on the seller's screen parses as a claim key")
	claimPub, err := statement.PublicKeyOf(claimKey)
	require.NoError(t, err)
	assert.Equal(t, claimPub.Fingerprint(), view.Current.ClaimFingerprint, "the code on the seller's screen is the key the ledger waits for")
	assert.Empty(t, page.Problems(), "the page logged no error or CSP violation")
}
