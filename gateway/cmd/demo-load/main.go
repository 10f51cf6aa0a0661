// Command demo-load fills a fresh network with a small demo data set
// through the REST gateway, using the keys of .autoledger/demo.env: a few
// cars with owners and services, an odometer rollback, an incident with a
// title brand, an electric car with battery reports. Re-running it is
// harmless: a car that exists is left as it is.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

type loader struct {
	url  string
	keys map[string]string
	now  time.Time
}

func main() {
	envPath := flag.String("env", ".autoledger/demo.env", "env file written by gateway-keys")
	flag.Parse()
	l, err := load(*envPath)
	if err == nil {
		err = l.run()
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
	l := &loader{keys: map[string]string{}, now: time.Now().UTC()}
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

// post sends body as who; ok lists the statuses that count as success.
func (l *loader) post(who, path string, body any, ok ...int) (int, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", l.url+path, bytes.NewReader(b))
	req.Header.Set("X-API-Key", l.keys[who])
	req.Header.Set("Content-Type", "application/json")
	var res *http.Response
	var err error
	for attempt := 0; attempt < 20; attempt++ { // other orgs' peers may lag a block behind
		req.Body = io.NopCloser(bytes.NewReader(b))
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusServiceUnavailable && res.StatusCode != http.StatusConflict {
			break
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if strings.Contains(string(out), "ALREADY_EXISTS") {
			return res.StatusCode, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	for _, s := range append(ok, http.StatusCreated) {
		if res.StatusCode == s {
			return res.StatusCode, nil
		}
	}
	return res.StatusCode, fmt.Errorf("POST %s as %s: %d %s", path, who, res.StatusCode, out)
}

func (l *loader) ago(d time.Duration) string { return l.now.Add(-d).Format(time.RFC3339) }

const (
	day  = 24 * time.Hour
	hash = "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7"
)

// newSalt is a transfer's salt: 16 bytes (128 bits) from crypto/rand, in
// hex, new for every owner record, so the record's hash that every peer
// keeps cannot be found by trying references (docs/domain.md, privacy).
// It is sent once, in the request, and never printed.
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
	status, err := l.post("OEM_PRODUCTION", "/v1/vehicles", map[string]any{"vin": vin, "birth": birth}, http.StatusConflict)
	return status == http.StatusCreated, err
}

func (l *loader) run() error {
	type step struct {
		who, path string
		body      any
	}
	cars := []struct {
		vin, powertrain, model string
		steps                  []step
	}{
		{"1HGCM82633A004352", "ICE", "Ledgerline", []step{
			{"DEALER_SALES", "/ownership-transfers", map[string]any{"saleDate": l.ago(300 * day), "odometerKm": 15, "useType": "private", "ownerRef": "dlr1:5f2c9e1a7b3d4c60", "salt": newSalt()}},
			{"DEALER_SERVICE", "/service-records", map[string]any{"type": "maintenance", "odometerKm": 15200, "documentHash": hash, "nonSerialisedParts": []map[string]any{{"partNumber": "OIL-FILTER-7731", "description": "oil filter", "quantity": 1}}, "performedAt": l.ago(120 * day)}},
			{"OEM_TELEMATICS", "/odometer-readings", map[string]any{"km": 24800, "source": "telematics", "observedAt": l.ago(10 * day)}},
		}},
		{"1G4AH59H45G118341", "ICE", "Roadster", []step{
			{"DEALER_SALES", "/ownership-transfers", map[string]any{"saleDate": l.ago(350 * day), "odometerKm": 20, "useType": "rental", "ownerRef": "dlr1:rental-co-0042", "salt": newSalt()}},
			{"DEALER_SERVICE", "/odometer-readings", map[string]any{"km": 88000, "source": "service", "observedAt": l.ago(60 * day)}},
			// A rollback: sold on with far less on the clock than the garage saw.
			{"DEALER_SALES", "/ownership-transfers", map[string]any{"saleDate": l.ago(20 * day), "odometerKm": 41000, "useType": "private", "ownerRef": "dlr1:9d0e4b7a1c2f3e58", "salt": newSalt()}},
		}},
		{"1M8GDM9AXKP042788", "ICE", "Coach", []step{
			{"DEALER_SALES", "/ownership-transfers", map[string]any{"saleDate": l.ago(200 * day), "odometerKm": 30, "useType": "fleet", "ownerRef": "dlr1:fleet-op-0007", "salt": newSalt()}},
			{"INSURER_CLAIMS", "/incidents", map[string]any{"date": l.ago(30 * day), "severity": "severe", "airbagDeployed": true, "structuralDamage": true, "claimRef": "CLM-2026-0815"}},
			{"INSURER_CLAIMS", "/title-brands", map[string]any{"brand": "salvage", "date": l.ago(25 * day), "claimRef": "CLM-2026-0815"}},
		}},
		{"5YJ3E1EA8KF317020", "BEV", "Volt One", []step{
			{"DEALER_SALES", "/ownership-transfers", map[string]any{"saleDate": l.ago(250 * day), "odometerKm": 5, "useType": "private", "ownerRef": "dlr1:0b1c2d3e4f5a6b7c", "salt": newSalt()}},
			{"OEM_TELEMATICS", "/battery-reports", map[string]any{"stateOfHealthPct": 98.2, "remainingCapacityKWh": 73.6, "cycleCount": 120, "status": "original", "reportedAt": l.ago(100 * day)}},
			{"OEM_TELEMATICS", "/battery-reports", map[string]any{"stateOfHealthPct": 96.9, "remainingCapacityKWh": 72.6, "cycleCount": 260, "status": "original", "reportedAt": l.ago(5 * day)}},
		}},
	}
	for _, c := range cars {
		created, err := l.register(c.vin, c.powertrain, c.model)
		if err != nil {
			return err
		}
		if !created {
			fmt.Printf("  %s already on the ledger, kept as it is (make network-clean, then make demo, for fresh data)\n", c.vin)
			continue
		}
		for _, s := range c.steps {
			if _, err := l.post(s.who, "/v1/vehicles/"+c.vin+s.path, s.body); err != nil {
				return err
			}
		}
		fmt.Printf("  %s %s (%s) loaded\n", c.vin, c.model, c.powertrain)
	}
	return nil
}
