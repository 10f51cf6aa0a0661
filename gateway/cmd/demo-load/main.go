// Command demo-load fills a fresh network with a small demo data set
// through the REST gateway, using the keys of .autoledger/demo.env: a few
// cars sold by the dealer with a claim code and claimed by their owners'
// keys, services, an odometer rollback in an owner-signed private resale,
// an incident with a title brand, an electric car with battery reports whose
// owner grants the insurer its driving data. Re-running it is harmless: a
// car that exists is left as it is.
//
// The owners are played by P-256 keys made here, one per car ownership,
// written to -owner-keys (owner-only files) so that `autoledger owner ...`
// can go on acting for them.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

type loader struct {
	url  string
	keys map[string]string
	now  time.Time
	// ownerKeys is the directory the owners' key files go to.
	ownerKeys string
	// out receives the progress lines.
	out io.Writer
	// pause is the wait between retries while another org's peer catches up.
	pause time.Duration
}

func main() {
	envPath := flag.String("env", ".autoledger/demo.env", "env file written by gateway-keys")
	ownerKeys := flag.String("owner-keys", ".autoledger/owner-keys", "directory for the demo owners' key files")
	flag.Parse()
	l, err := load(*envPath)
	if err == nil {
		l.ownerKeys = *ownerKeys
		err = l.run(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo-load:", err)
		os.Exit(1)
	}
}

func load(path string) (*loader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l := &loader{keys: map[string]string{}, now: time.Now().UTC(), out: os.Stdout, pause: 200 * time.Millisecond}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		if k == "AUTOLEDGER_URL" {
			l.url = v
		} else {
			l.keys[strings.TrimPrefix(k, "AUTOLEDGER_KEY_")] = v
		}
	}
	return l, sc.Err()
}

// attempts bounds the retries of one request while another org's peer
// has not yet committed the block it needs (answers 404, 409 or 503), or
// the gateway's per-address owner limit asks to wait (429).
const attempts = 40

// post sends body as who and returns the answer's body; ok lists the
// statuses besides 201 that count as success.
func (l *loader) post(who, path string, body any, ok ...int) (int, []byte, error) {
	b, _ := json.Marshal(body)
	var status int
	var out []byte
	for attempt := 0; attempt < attempts; attempt++ {
		req, _ := http.NewRequest("POST", l.url+path, bytes.NewReader(b))
		req.Header.Set("X-API-Key", l.keys[who])
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		out, _ = io.ReadAll(res.Body)
		res.Body.Close()
		status = res.StatusCode
		if status != http.StatusNotFound && status != http.StatusServiceUnavailable && status != http.StatusConflict {
			break
		}
		if strings.Contains(string(out), "ALREADY_EXISTS") {
			return status, out, nil
		}
		time.Sleep(l.pause)
	}
	for _, s := range append(ok, http.StatusCreated) {
		if status == s {
			return status, out, nil
		}
	}
	return status, out, fmt.Errorf("POST %s as %s: %d %s", path, who, status, out)
}

// asOwner runs one owner action, again while the relay org's peer has not
// yet committed the block it needs (404, 409 other than a used nonce) or
// the per-address limit asks to wait (429). Each attempt signs a new
// statement with a fresh nonce.
func (l *loader) asOwner(what string, act func() error) error {
	var err error
	for attempt := 0; attempt < attempts; attempt++ {
		if err = act(); err == nil {
			return nil
		}
		var p *ownerclient.Problem
		if !errors.As(err, &p) || !(p.Status == http.StatusNotFound || p.Status == http.StatusTooManyRequests ||
			p.Status == http.StatusConflict && p.Code != "NONCE_REUSED") {
			break
		}
		wait := l.pause
		if p.Status == http.StatusTooManyRequests {
			wait = time.Second
		}
		time.Sleep(wait)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (l *loader) ago(d time.Duration) string { return l.now.Add(-d).Format(time.RFC3339) }

const (
	day  = 24 * time.Hour
	hash = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
)

// newSalt is an owner link's salt: 16 bytes (128 bits) from crypto/rand, in
// hex, new for every record, so the record's hash that every peer keeps
// cannot be found by trying references (docs/domain.md, privacy). It is
// sent once, in the request, and never printed.
func newSalt() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: crypto/rand crashes the program rather than return an error
	return hex.EncodeToString(b)
}

func (l *loader) register(vin, powertrain, model string) (bool, error) {
	birth := map[string]any{"manufacturer": "AutoLedger Motors", "model": model, "modelYear": 2025, "plant": "Plant 1",
		"productionDate": l.ago(400 * day), "countryOfOrigin": "US", "colour": "blue", "powertrain": powertrain}
	if powertrain == "BEV" {
		birth["batteryPackId"] = "PACK-" + vin[11:]
	}
	status, _, err := l.post("OEM_PRODUCTION", "/v1/vehicles", map[string]any{"vin": vin, "birth": birth}, http.StatusConflict)
	return status == http.StatusCreated, err
}

// newOwner makes the key of one car ownership and writes it to the key
// directory as <VIN>-owner<n>.pem, replacing a file left from an earlier
// ledger.
func (l *loader) newOwner(vin string, n int) (*ownerclient.Owner, string, error) {
	c, err := ownerclient.New(l.url, ownerclient.Options{})
	if err != nil {
		return nil, "", err
	}
	k, err := ownerclient.GenerateKey()
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(l.ownerKeys, 0o700); err != nil {
		return nil, "", err
	}
	path := filepath.Join(l.ownerKeys, fmt.Sprintf("%s-owner%d.pem", vin, n))
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	if err := ownerclient.WriteKeyFile(path, k); err != nil {
		return nil, "", err
	}
	return &ownerclient.Owner{Client: c, Key: k}, path, nil
}

// sale is the dealer's first sale of a car, as the gateway answers it.
type sale struct {
	OwnerNo   int    `json:"ownerNo"`
	ClaimCode string `json:"claimCode"`
}

// sellAndClaim sells vin from stock (the gateway makes the claim code and
// links the dealer's customer reference privately), and the buyer's new
// key claims it with that code.
func (l *loader) sellAndClaim(ctx context.Context, vin string, body map[string]any) (*ownerclient.Owner, error) {
	body["ownerSalt"] = newSalt()
	_, out, err := l.post("DEALER_SALES", "/v1/vehicles/"+vin+"/sales", body)
	if err != nil {
		return nil, err
	}
	var s sale
	if err := json.Unmarshal(out, &s); err != nil || s.ClaimCode == "" {
		return nil, fmt.Errorf("sale of %s: no claim code in the answer", vin)
	}
	owner, path, err := l.newOwner(vin, max(s.OwnerNo, 1))
	if err != nil {
		return nil, err
	}
	if err := l.asOwner("claim "+vin, func() error { _, err := owner.Claim(ctx, vin, s.ClaimCode); return err }); err != nil {
		return nil, err
	}
	fmt.Fprintf(l.out, "    sold by the dealer, claimed by the owner's key %s\n", path)
	return owner, nil
}

// step is one partner write on a car.
type step struct {
	who, path string
	body      any
}

// car is one car of the demo: its dealer sale, then what happens to it.
type car struct {
	vin, powertrain, model string
	sale                   map[string]any
	steps                  []step
	// then runs the owner's actions after the steps.
	then func(l *loader, ctx context.Context, owner *ownerclient.Owner) error
}

func (l *loader) cars() []car {
	return []car{
		{"1HGCM82633A004352", "ICE", "Ledgerline",
			map[string]any{"saleDate": l.ago(300 * day), "odometerKm": 15, "useType": "private", "ownerRef": "dlr1:5f2c9e1a7b3d4c60"},
			[]step{
				{"DEALER_SERVICE", "/service-records", map[string]any{"type": "maintenance", "odometerKm": 15200, "documentHash": hash, "nonSerialisedParts": []map[string]any{{"partNumber": "OIL-FILTER-7731", "description": "oil filter", "quantity": 1}}, "performedAt": l.ago(120 * day)}},
				{"OEM_TELEMATICS", "/odometer-readings", map[string]any{"km": 24800, "source": "telematics", "observedAt": l.ago(10 * day)}},
			}, nil},
		{"1G4AH59H45G118341", "ICE", "Roadster",
			map[string]any{"saleDate": l.ago(350 * day), "odometerKm": 20, "useType": "rental", "ownerRef": "dlr1:rental-co-0042"},
			[]step{
				{"DEALER_SERVICE", "/odometer-readings", map[string]any{"km": 88000, "source": "service", "observedAt": l.ago(60 * day)}},
			}, (*loader).privateResale},
		{"1M8GDM9AXKP042788", "ICE", "Coach",
			map[string]any{"saleDate": l.ago(200 * day), "odometerKm": 30, "useType": "fleet", "ownerRef": "dlr1:fleet-op-0007"},
			[]step{
				{"INSURER_CLAIMS", "/incidents", map[string]any{"date": l.ago(30 * day), "severity": "severe", "airbagDeployed": true, "structuralDamage": true, "claimRef": "CLM-2026-0815"}},
				{"INSURER_CLAIMS", "/title-brands", map[string]any{"brand": "salvage", "date": l.ago(25 * day), "claimRef": "CLM-2026-0815"}},
			}, nil},
		{"5YJ3E1EA8KF317020", "BEV", "Volt One",
			map[string]any{"saleDate": l.ago(250 * day), "odometerKm": 5, "useType": "private", "ownerRef": "dlr1:0b1c2d3e4f5a6b7c"},
			[]step{
				{"OEM_TELEMATICS", "/battery-reports", map[string]any{"stateOfHealthPct": 98.2, "remainingCapacityKWh": 73.6, "cycleCount": 120, "status": "original", "reportedAt": l.ago(100 * day)}},
				{"OEM_TELEMATICS", "/battery-reports", map[string]any{"stateOfHealthPct": 96.9, "remainingCapacityKWh": 72.6, "cycleCount": 260, "status": "original", "reportedAt": l.ago(5 * day)}},
			}, (*loader).grantDriving},
	}
}

// privateResale: the rental company sells the Roadster on privately with
// far less on the clock than the garage saw (a rollback the report flags).
// No dealer can do it: the owner's key signs the release, with the sale's
// date and use, to a buyer named by a claim key the seller's own device
// made, and the buyer's new key claims the car with its code. The sale is
// dated now: the ledger takes a sale date only from the day before the
// transaction.
func (l *loader) privateResale(ctx context.Context, seller *ownerclient.Owner) error {
	const vin = "1G4AH59H45G118341"
	var code ownerclient.ClaimCode
	var res ownerclient.Result
	err := l.asOwner("resale of "+vin, func() error {
		var err error
		res, code, err = seller.SellToClaimCode(ctx, vin, ownerclient.SaleTerms{SaleDate: time.Now().Add(-time.Minute), UseType: "private", OdometerKm: 41000})
		return err
	})
	if err != nil {
		return err
	}
	buyer, path, err := l.newOwner(vin, 2)
	if err != nil {
		return err
	}
	if err := l.asOwner("claim "+vin+" by the buyer", func() error { _, err := buyer.Claim(ctx, vin, code.Code); return err }); err != nil {
		return err
	}
	fmt.Fprintf(l.out, "    resold by its owner (release-sale statement %s, 41000 km), claimed by the buyer's key %s\n", res.ID, path)
	return nil
}

// grantDriving: the Volt's owner grants the insurer its driving data for
// 30 days (usage-based insurance), and the OEM shares a summary under the
// grant; the insurer reads it from its own peer until the owner revokes.
func (l *loader) grantDriving(ctx context.Context, owner *ownerclient.Owner) error {
	const vin = "5YJ3E1EA8KF317020"
	var g ownerclient.Result
	err := l.asOwner("grant on "+vin, func() error {
		var err error
		g, err = owner.Grant(ctx, vin, ownerclient.GrantTerms{Grantee: access.InsurerMSP, Scopes: []string{consenttypes.ScopeDriving},
			Purpose: "usage-based-insurance", NotAfter: l.now.Add(30 * day)})
		return err
	})
	if err != nil {
		return err
	}
	summary := map[string]any{"periodStart": l.ago(30 * day), "periodEnd": l.ago(0), "distanceKm": 1830, "trips": 74,
		"harshBrakingPer100Km": 0.8, "nightDrivingPct": 6}
	path := "/v1/consents/" + vin + "/" + g.ID + "/shares/" + consenttypes.ScopeDriving
	if _, _, err := l.post("OEM_TELEMATICS", path, summary); err != nil {
		return err
	}
	fmt.Fprintf(l.out, "    its owner granted the insurer driving data for 30 days; the OEM shared a summary: GET %s (InsurerMSP underwriting)\n", path)
	return nil
}

func (l *loader) run(ctx context.Context) error {
	for _, c := range l.cars() {
		created, err := l.register(c.vin, c.powertrain, c.model)
		if err != nil {
			return err
		}
		if !created {
			fmt.Fprintf(l.out, "  %s already on the ledger, kept as it is (make network-clean, then make demo, for fresh data)\n", c.vin)
			continue
		}
		fmt.Fprintf(l.out, "  %s %s (%s)\n", c.vin, c.model, c.powertrain)
		owner, err := l.sellAndClaim(ctx, c.vin, c.sale)
		if err != nil {
			return err
		}
		for _, s := range c.steps {
			if _, _, err := l.post(s.who, "/v1/vehicles/"+c.vin+s.path, s.body); err != nil {
				return err
			}
		}
		if c.then != nil {
			if err := c.then(l, ctx, owner); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(l.out, "  owners' keys in %s: go run ./gateway/cmd/autoledger owner show --gateway %s --key <file> --vin <VIN>\n", l.ownerKeys, l.url)
	return nil
}
