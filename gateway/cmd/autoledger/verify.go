package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

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
			want := verify.Expect{Channel: c.g.channel, VIN: vin, Challenge: challenge, Orderers: orderers}
			if vin == "" || challenge == "" {
				fmt.Fprintln(c.stderr, "autoledger: warning: without --vin and --challenge the bundle is checked against its own; "+
					"only your own fresh challenge shows the report is current")
			}
			r := verify.Verify(b, pinned, want)
			if c.g.json {
				if err := c.printJSON(r); err != nil {
					return err
				}
			} else {
				c.printf("%s", r)
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
	dec := json.NewDecoder(fh)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
