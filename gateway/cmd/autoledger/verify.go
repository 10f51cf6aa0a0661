package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/autoledger/autoledger/gateway/verify"
)

// maxBundleBytes bounds what verify reads: a bundle with ten fact blocks is
// a few megabytes; anything far larger is not a bundle.
const maxBundleBytes = 64 << 20

// errVerifyFailed is the exit-1 error of a bundle that did not verify; the
// result itself is already on stdout.
var errVerifyFailed = errors.New("the bundle did not verify")

// verifyCmd checks a report bundle offline, against roots the buyer got
// from the consortium's publication, never from the gateway that served
// the bundle. It makes no network access at all.
func (c *cli) verifyCmd() *cobra.Command {
	var roots, vin, challenge string
	var orderers []string
	cmd := &cobra.Command{
		Use:   "verify --roots ROOTS.json [--vin VIN --challenge HEX] BUNDLE.json",
		Short: "Verify a report bundle offline against the consortium's published root certificates",
		Long: "verify checks that a majority of the channel's member orgs endorsed the attested report in BUNDLE.json\n" +
			"for your VIN and your challenge, with peer certificates that chain to the pinned roots in ROOTS.json,\n" +
			"and that each fact proof's block was signed by the orderer org. It prints PASS or FAIL and one line per\n" +
			"check; exit status 0 on PASS, 1 on FAIL. It needs no network. docs/verification.md describes every check.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.started = true
			var b verify.Bundle
			if err := readJSONFile(args[0], &b); err != nil {
				return fmt.Errorf("bundle: %w", err)
			}
			var pinned verify.Roots
			if err := readJSONFile(roots, &pinned); err != nil {
				return fmt.Errorf("roots: %w", err)
			}
			var missing []string
			for name, v := range map[string]string{"--vin": vin, "--challenge": challenge, "--channel": c.g.channel} {
				if v == "" {
					missing = append(missing, name)
				}
			}
			if len(missing) > 0 {
				slices.Sort(missing)
				return usageError{fmt.Errorf("verify needs %s: only your own VIN, channel and fresh challenge show the report is the one you asked for, now",
					strings.Join(missing, ", "))}
			}
			want := verify.Expect{Channel: c.g.channel, VIN: vin, Challenge: challenge, Orderers: orderers}
			r := verify.Verify(b, pinned, want)
			if c.g.json {
				if err := c.printJSON(r); err != nil {
					return err
				}
			} else {
				c.printf("%s", r)
				if r.OK {
					c.printf("%s", verifiedSummary(b))
				}
			}
			if !r.OK {
				return errVerifyFailed
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&roots, "roots", "", "the consortium's published roots: JSON {MSP ID: [PEM root certificates]}")
	f.StringVar(&vin, "vin", "", "the VIN you asked about")
	f.StringVar(&challenge, "challenge", "", "the challenge you chose (lower-case hex)")
	f.StringSliceVar(&orderers, "orderer", []string{"OrdererMSP"},
		"the orderer org(s) the consortium publishes with its roots; the bundle must name exactly these (empty: not compared)")
	_ = cmd.MarkFlagRequired("roots")
	return cmd
}

func readJSONFile(path string, v any) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > maxBundleBytes {
		return fmt.Errorf("%s: %d bytes, more than %d", path, fi.Size(), maxBundleBytes)
	}
	raw, err := io.ReadAll(fh)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, ok := v.(*verify.Bundle); ok {
		if err := exactKeys(raw, bundleKeys); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	// Strict: one JSON value, no field the format lacks.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: more than one JSON value", path)
	}
	return nil
}

// bundleKeys are the bundle's top-level keys, spelled exactly.
var bundleKeys = []string{"format", "channel", "chaincode", "function", "vin", "challenge", "provedAt",
	"envelope", "result", "msps", "members", "facts"}

// exactKeys refuses a top-level object whose keys are not spelled as in
// keys or repeat one: Go's decoder would match "RESULT" to result and keep
// the last of two, so a viewer and the verifier could read different
// values from one file.
func exactKeys(raw []byte, keys []string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		if !slices.Contains(keys, k) {
			return fmt.Errorf("unknown key %q", k)
		}
		if seen[k] {
			return fmt.Errorf("key %q appears twice", k)
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// verifiedSummary is what the endorsed report says, from the very bytes
// the checks verified: a page showing the report is the serving member's
// rendering, this is the consortium's.
func verifiedSummary(b verify.Bundle) string {
	var a struct {
		AsOf   time.Time `json:"asOf"`
		Report struct {
			VIN          string `json:"vin"`
			Manufacturer string `json:"manufacturer"`
			Model        string `json:"model"`
			ModelYear    int    `json:"modelYear"`
			OwnerCount   int    `json:"ownerCount"`
			Odometer     struct {
				LatestTotalKm     int64 `json:"latestTotalKm"`
				RollbackSuspected bool  `json:"rollbackSuspected"`
			} `json:"odometer"`
			TitleBrands []struct {
				Brand string `json:"brand"`
			} `json:"titleBrands"`
			OpenRecalls []string `json:"openRecalls"`
			Alerts      []string `json:"alerts"`
		} `json:"report"`
	}
	if err := json.Unmarshal(b.Result, &a); err != nil {
		return "the endorsed report could not be read: " + err.Error() + "\n"
	}
	r := a.Report
	brands := make([]string, len(r.TitleBrands))
	for i, tb := range r.TitleBrands {
		brands[i] = tb.Brand
	}
	none := func(xs []string) string {
		if len(xs) == 0 {
			return "none"
		}
		return strings.Join(xs, ", ")
	}
	return fmt.Sprintf("\nThe endorsed report (proved at %s, as of %s):\n  %s %s %s %d\n  owners: %d\n  latest odometer: %d km (rollback suspected: %t)\n  title brands: %s\n  open recalls: %s\n  alerts: %s\n",
		b.ProvedAt.UTC().Format(time.RFC3339), a.AsOf.UTC().Format(time.RFC3339), r.VIN, r.Manufacturer, r.Model, r.ModelYear,
		r.OwnerCount, r.Odometer.LatestTotalKm, r.Odometer.RollbackSuspected, none(brands), none(r.OpenRecalls), none(r.Alerts))
}
