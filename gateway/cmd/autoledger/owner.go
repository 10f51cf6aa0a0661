package main

import (
	"bufio"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

// Environment variables that give the global flags their defaults.
const (
	envGateway = "AUTOLEDGER_URL"
	envKey     = "AUTOLEDGER_OWNER_KEY"
)

// maxGrantDays is the longest grant: the ledger refuses a notAfter more
// than 366 days after the transaction time.
const maxGrantDays = 366

// globals are the flags every owner command shares.
type globals struct {
	gateway string
	key     string
	ca      string
	channel string
	json    bool
}

// cli is one run's state.
type cli struct {
	env
	g globals
	// started is set once a command's own work begins; an error before
	// it is the command line's (exit 2).
	started bool
}

func newRootCmd(e env) (*cobra.Command, *cli) {
	c := &cli{env: e}
	root := &cobra.Command{
		Use:           "autoledger",
		Short:         "AutoLedger's client for car owners",
		Long:          "autoledger is the car owner's independent client of an AutoLedger gateway: it keeps the owner's key\non this computer, builds and signs each owner statement here, and has the gateway relay it.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&c.g.gateway, "gateway", e.getenv(envGateway), "the gateway's base URL, e.g. https://gateway.example:8443 (env "+envGateway+")")
	pf.StringVar(&c.g.key, "key", e.getenv(envKey), "the owner key file, PEM (env "+envKey+")")
	pf.StringVar(&c.g.ca, "ca", "", "PEM certificates to trust for an https gateway instead of the system's")
	pf.StringVar(&c.g.channel, "channel", "", "sign only for this channel (default: the one the gateway names)")
	pf.BoolVar(&c.g.json, "json", false, "print the result as JSON")

	owner := &cobra.Command{
		Use:   "owner",
		Short: "Act as a car's owner: keys, claim, consent, sale, erasure",
		// NoArgs and a RunE make a mistyped subcommand an error, not help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	owner.AddCommand(c.keygenCmd(), c.pubkeyCmd(), c.claimCmd(), c.grantCmd(), c.revokeCmd(),
		c.signSaleCmd(), c.eraseCmd(), c.showCmd(), c.shareCmd(), c.unshareCmd())
	root.AddCommand(owner)
	root.AddCommand(c.verifyCmd())
	return root, c
}

// runE marks where a command's own work starts (see cli.started).
func (c *cli) runE(f func(cmd *cobra.Command) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		c.started = true
		return f(cmd)
	}
}

// flagError is a bad flag value, named as it is typed.
func flagError(name, format string, args ...any) error {
	return usageError{fmt.Errorf("--%s: %s", name, fmt.Sprintf(format, args...))}
}

func required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		if err := cmd.MarkFlagRequired(n); err != nil {
			panic(err) // a flag name typo in this file
		}
	}
}

// vinFlag reads --vin: upper case, a valid VIN.
func vinFlag(v string) (string, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if _, err := vin.Validate(v); err != nil {
		return "", flagError("vin", "%s", ruleMessage(err))
	}
	return v, nil
}

// ruleMessage is a field error's message without the field's name, which
// the caller replaces by the flag's.
func ruleMessage(err error) string {
	if cc, ok := ccerr.From(err); ok && len(cc.Fields) > 0 {
		return cc.Fields[0].Message
	}
	return err.Error()
}

// probe is a statement with the given action and parameters and
// placeholders for what the gateway's challenge will supply.
func probe(action statement.Action, params map[string]string) statement.Statement {
	return statement.Statement{Channel: "probe", VIN: "1G4AH59H45G118341", Action: action, Params: params,
		Nonce: strings.Repeat("0", 32), Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// checkParams checks an action's parameters by the statement format's own
// rules before anything is asked of the gateway, and names the flag a bad
// one came from.
func checkParams(action statement.Action, params map[string]string, flagOf map[string]string) error {
	return asFlagError(probe(action, params).Validate(), flagOf)
}

// asFlagError turns a field error about statement.params.<name> into one
// about the flag that gave the parameter.
func asFlagError(err error, flagOf map[string]string) error {
	if err == nil {
		return nil
	}
	if cc, ok := ccerr.From(err); ok && len(cc.Fields) > 0 {
		name := strings.TrimPrefix(cc.Fields[0].Field, "statement.params.")
		if flag, ok := flagOf[name]; ok {
			return flagError(flag, "%s", cc.Fields[0].Message)
		}
	}
	return usageError{err}
}

func (c *cli) client() (*ownerclient.Client, error) {
	if c.g.gateway == "" {
		return nil, flagError("gateway", "required: the gateway's URL (or set %s)", envGateway)
	}
	cl, err := ownerclient.New(c.g.gateway, ownerclient.Options{CAFile: c.g.ca})
	if err != nil {
		return nil, usageError{fmt.Errorf("--gateway: %w", err)}
	}
	return cl, nil
}

func (c *cli) loadKey() (*ecdsa.PrivateKey, error) {
	if c.g.key == "" {
		return nil, flagError("key", "required: the owner key file (or set %s); make one with autoledger owner keygen", envKey)
	}
	k, err := ownerclient.LoadKeyFile(c.g.key)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	return k, nil
}

func (c *cli) owner() (*ownerclient.Owner, error) {
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	k, err := c.loadKey()
	if err != nil {
		return nil, err
	}
	return &ownerclient.Owner{Client: cl, Key: k, Channel: c.g.channel}, nil
}

func (c *cli) now() time.Time {
	if c.env.now != nil {
		return c.env.now()
	}
	return time.Now()
}

func (c *cli) printf(format string, args ...any) { fmt.Fprintf(c.stdout, format, args...) }

// printJSON writes v indented.
func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonResult is what --json prints for a write.
type jsonResult struct {
	StatementID   string          `json:"statementId"`
	Statement     string          `json:"statement"`
	HTTPStatus    int             `json:"httpStatus"`
	Pending       bool            `json:"pending"`
	TransactionID string          `json:"transactionId,omitempty"`
	Result        json.RawMessage `json:"result,omitempty"`
	ClaimCode     string          `json:"claimCode,omitempty"`
}

// report prints a write's outcome: the statement ID and transaction, and
// whether the commit was seen.
func (c *cli) report(r ownerclient.Result, vinCode string, claimCode string, lines ...string) error {
	if c.g.json {
		return c.printJSON(jsonResult{StatementID: r.ID, Statement: string(r.Encoded), HTTPStatus: r.StatusCode,
			Pending: r.Pending(), TransactionID: r.TransactionID, Result: r.Result, ClaimCode: claimCode})
	}
	if r.Pending() {
		c.printf("submitted; the gateway has not seen the commit yet (transaction %s).\n", r.TransactionID)
		c.printf("check with: autoledger owner show --vin %s\n", vinCode)
	}
	for _, l := range lines {
		c.printf("%s\n", l)
	}
	c.printf("statement %s\n", r.ID)
	if r.TransactionID != "" && !r.Pending() {
		c.printf("transaction %s\n", r.TransactionID)
	}
	return nil
}

// ownershipOf reads the ownership a claim or sale answered with, either
// bare or inside a sale's result; zero if the answer has none.
func ownershipOf(result json.RawMessage) ownertypes.Ownership {
	var o ownertypes.Ownership
	if json.Unmarshal(result, &o) == nil && o.OwnerNo > 0 {
		return o
	}
	var wrapped struct {
		Ownership ownertypes.Ownership `json:"ownership"`
	}
	_ = json.Unmarshal(result, &wrapped)
	return wrapped.Ownership
}

func (c *cli) keygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out key.pem",
		Short: "Make a new owner key (P-256) in a file only you can read",
		Long: `keygen makes a new P-256 owner key and writes it as PKCS#8 PEM, mode 0600. It never overwrites a file.
Use one key per car you own: keys then link nothing across your cars. Keep the file safe and backed up:
a lost key is replaced only by an exception that a majority of the member orgs approve.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			if out == "" {
				out = c.g.key
			}
			if out == "" {
				return flagError("out", "required: the file to write the new key to")
			}
			k, err := ownerclient.GenerateKey()
			if err != nil {
				return err
			}
			if err := ownerclient.WriteKeyFile(out, k); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			pub, err := ownerclient.PublicKey(k)
			if err != nil {
				return err
			}
			if c.g.json {
				return c.printJSON(map[string]string{"keyFile": out, "fingerprint": pub.Fingerprint()})
			}
			c.printf("wrote %s (P-256, PKCS#8, mode 0600)\n", out)
			c.printf("fingerprint: %s\n", statement.FormatFingerprint(pub.Fingerprint()))
			return nil
		}),
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "the key file to create (default: --key)")
	return cmd
}

func (c *cli) pubkeyCmd() *cobra.Command {
	var out, format string
	cmd := &cobra.Command{
		Use:   "pubkey [--out buyer.pub]",
		Short: "Write the public half of --key, for a seller to name you as the buyer",
		Long: `pubkey writes the public half of the owner key (--key) as an SPKI, PEM or one line of base64, to --out
or standard output, and prints its fingerprint. A buyer gives it to the seller, whose sign-sale --buyer-key
names it; both compare the fingerprint.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			f := ownerclient.PublicKeyFormat(format)
			if f != ownerclient.FormatPEM && f != ownerclient.FormatBase64 {
				return flagError("format", "must be pem or base64, got %q", format)
			}
			k, err := c.loadKey()
			if err != nil {
				return err
			}
			pub, err := ownerclient.PublicKey(k)
			if err != nil {
				return err
			}
			fp := "fingerprint: " + statement.FormatFingerprint(pub.Fingerprint()) + "\n"
			if out == "" {
				b, err := ownerclient.EncodePublicKey(pub, f)
				if err != nil {
					return err
				}
				c.printf("%s", b)
				fmt.Fprint(c.stderr, fp)
				return nil
			}
			if err := ownerclient.WritePublicKeyFile(out, pub, f); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			c.printf("wrote %s\n%s", out, fp)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "the public key file to create (default: standard output)")
	cmd.Flags().StringVar(&format, "format", "pem", "pem or base64")
	return cmd
}

func (c *cli) claimCmd() *cobra.Command {
	var vinArg, code string
	cmd := &cobra.Command{
		Use:   "claim --vin VIN --code CODE",
		Short: "Claim a car sold to you with the claim code the seller gave you",
		Long: `claim binds your key (--key) to the car: it signs a claim statement naming your key's fingerprint, with
your key and with the claim key the code is. The code itself never leaves this computer: the gateway and
the ledger see only the second signature. --code - reads the code from standard input (it then stays out
of the process list and the shell history). Compare the fingerprint printed with the one the seller shows.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			if code == "-" {
				line, err := bufio.NewReader(c.stdin).ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return fmt.Errorf("--code -: read standard input: %w", err)
				}
				code = line
			}
			if _, err := ownerclient.ParseClaimCode(code); err != nil {
				return flagError("code", "%s", ruleMessage(err))
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			r, err := o.Claim(cmd.Context(), v, code)
			if err != nil {
				return err
			}
			pub, _ := ownerclient.PublicKey(o.Key)
			line := fmt.Sprintf("claimed %s", v)
			if own := ownershipOf(r.Result); own.OwnerNo > 0 {
				line = fmt.Sprintf("claimed %s: you are its owner no. %d (%s)", v, own.OwnerNo, own.Status)
			}
			return c.report(r, v, "", line, "your key's fingerprint: "+statement.FormatFingerprint(pub.Fingerprint()))
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	cmd.Flags().StringVar(&code, "code", "", "the claim code, or - to read it from standard input")
	required(cmd, "vin", "code")
	return cmd
}

func (c *cli) grantCmd() *cobra.Command {
	var vinArg, grantee, scopes, purpose string
	var days int
	cmd := &cobra.Command{
		Use:   "grant --vin VIN --grantee MSP --scopes s1,s2 --purpose P --days N",
		Short: "Let one member org read some of the car's data for a purpose, for N days",
		Long: `grant signs a consent: the member org --grantee may read the --scopes of this car's data (driving,
odometer, service, battery, incidents) for --purpose until --days from now (at most 366). It prints the
grant's ID, which revoke takes. A sale of the car ends every grant of its owner.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			if days < 1 || days > maxGrantDays {
				return flagError("days", "must be 1-%d, got %d", maxGrantDays, days)
			}
			var list []string
			for s := range strings.SplitSeq(scopes, ",") {
				if s = strings.TrimSpace(s); s != "" {
					list = append(list, s)
				}
			}
			if len(list) == 0 {
				return flagError("scopes", "name at least one scope, e.g. driving,odometer")
			}
			notAfter := time.Now().UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
			terms := ownerclient.GrantTerms{Grantee: grantee, Scopes: list, Purpose: purpose, NotAfter: notAfter}
			// The statement format's rules, then the consent contract's
			// own (a member org, scopes of the vocabulary), so that a
			// typo is named here rather than refused after signing.
			params := map[string]string{"grantee": grantee, "notAfter": statement.FormatTime(notAfter),
				"purpose": purpose, "scopes": statement.FormatScopes(list)}
			flagOf := map[string]string{"grantee": "grantee", "purpose": "purpose", "scopes": "scopes", "notAfter": "days"}
			if err := checkParams(statement.Grant, params, flagOf); err != nil {
				return err
			}
			if _, err := consenttypes.TermsOf(probe(statement.Grant, params), time.Now()); err != nil {
				return asFlagError(err, flagOf)
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			r, err := o.Grant(cmd.Context(), v, terms)
			if err != nil {
				return err
			}
			return c.report(r, v, "",
				fmt.Sprintf("granted %s the scopes %s of %s for %s until %s", grantee, statement.FormatScopes(list), v, purpose, statement.FormatTime(notAfter)),
				"grant ID "+r.ID,
				fmt.Sprintf("revoke with: autoledger owner revoke --vin %s --grant %s", v, r.ID))
		}),
	}
	f := cmd.Flags()
	f.StringVar(&vinArg, "vin", "", "the car's VIN")
	f.StringVar(&grantee, "grantee", "", "the member org's MSP ID, e.g. InsurerMSP")
	f.StringVar(&scopes, "scopes", "", "comma-separated scopes: driving, odometer, service, battery, incidents")
	f.StringVar(&purpose, "purpose", "", "the purpose, lower-case words joined by -, e.g. usage-based-insurance")
	f.IntVar(&days, "days", 0, fmt.Sprintf("how many days the grant lasts, 1-%d", maxGrantDays))
	required(cmd, "vin", "grantee", "scopes", "purpose", "days")
	return cmd
}

func (c *cli) revokeCmd() *cobra.Command {
	var vinArg, grant string
	cmd := &cobra.Command{
		Use:   "revoke --vin VIN --grant ID",
		Short: "End a grant; the grantee's copies of the data are purged",
		Args:  cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			grant = strings.ToLower(strings.TrimSpace(grant))
			if err := checkParams(statement.Revoke, map[string]string{"grant": grant}, map[string]string{"grant": "grant"}); err != nil {
				return err
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			r, err := o.Revoke(cmd.Context(), v, grant)
			if err != nil {
				return err
			}
			lines := []string{fmt.Sprintf("revoked grant %s of %s", grant, v)}
			if p := r.Purge; p != nil {
				// The purge is the gateway's follow-up: the revocation
				// stands even when it did not run; the detail says who
				// may run it.
				line := "purge of the grantee's copies: " + p.Status
				if p.Detail != "" {
					line += ": " + p.Detail
				}
				lines = append(lines, line)
			}
			return c.report(r, v, "", lines...)
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	cmd.Flags().StringVar(&grant, "grant", "", "the grant's ID (64 hex characters, as grant printed it)")
	required(cmd, "vin", "grant")
	return cmd
}

// parseSaleDate takes a date (2026-11-30, midnight UTC) or an RFC 3339
// time, in whole seconds. The statement signs it, and the ledger takes it
// only from statement.MaxLifetime before the transaction up to the
// transaction: a sale is signed the day it is made, and no one can
// backdate it later.
func parseSaleDate(s string, now time.Time) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, flagError("sale-date", "must be a date like 2026-11-30 (or an RFC 3339 time), got %q", s)
		}
	}
	t = t.UTC().Truncate(time.Second)
	if t.After(now) || t.Before(now.Add(-statement.MaxLifetime)) {
		return time.Time{}, flagError("sale-date", "must be within the %s before now (%s): the ledger records a sale signed when it is made, got %s",
			statement.MaxLifetime, statement.FormatTime(now), statement.FormatTime(t))
	}
	return t, nil
}

func (c *cli) signSaleCmd() *cobra.Command {
	var vinArg, buyerKey, saleDate, useType string
	var newCode bool
	var km int64
	cmd := &cobra.Command{
		Use:   "sign-sale --vin VIN (--buyer-key buyer.pub | --new-claim-code) --odometer-km N --sale-date YYYY-MM-DD --use-type private",
		Short: "Release the car to a buyer, named by their public key or by a new claim code",
		Long: `sign-sale signs your release of the car (--key) to its buyer, with the odometer reading, the sale date and
the car's use after the sale: all of it is in the signed statement, so no one relaying it can change it.
The sale date must be within the last 24 hours (the ledger's window). Name the buyer by the public key they
gave you (--buyer-key, from their autoledger owner pubkey) and the car is theirs at once; or have a claim
code made here (--new-claim-code): the statement names only its claim key's fingerprint, and the code is
printed once, for you to hand to the buyer, who claims the car with it.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			if km < 0 || km > 10_000_000 {
				return flagError("odometer-km", "must be 0-10,000,000, got %d", km)
			}
			date, err := parseSaleDate(saleDate, c.now())
			if err != nil {
				return err
			}
			if !slices.Contains(vehicletypes.UseTypes, useType) {
				return flagError("use-type", "must be one of %s, got %q", strings.Join(vehicletypes.UseTypes, ", "), useType)
			}
			var buyer statement.PublicKey
			if buyerKey != "" {
				if buyer, err = ownerclient.ReadPublicKeyFile(buyerKey); err != nil {
					return flagError("buyer-key", "%s", ruleMessage(err))
				}
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			terms := ownerclient.SaleTerms{SaleDate: date, UseType: useType, OdometerKm: km}
			if !newCode {
				if own, _ := ownerclient.PublicKey(o.Key); own.Fingerprint() == buyer.Fingerprint() {
					return flagError("buyer-key", "is your own key (--key); name the buyer's")
				}
				r, err := o.SellToKey(cmd.Context(), v, buyer, terms)
				if err != nil {
					return err
				}
				return c.report(r, v, "", fmt.Sprintf("released %s to the buyer's key %s", v, statement.FormatFingerprint(buyer.Fingerprint())),
					fmt.Sprintf("odometer %d km, sale date %s, use %s", km, date.Format(time.DateOnly), useType))
			}
			r, code, err := o.SellToClaimCode(cmd.Context(), v, terms)
			if err != nil {
				var p *ownerclient.Problem
				if code.Code != "" && r.ID != "" && !errors.As(err, &p) {
					// The request went out and no answer came: the sale may
					// have committed, and then only this code claims the car.
					fmt.Fprintf(c.stderr, "the outcome is unknown; if autoledger owner show --vin %s shows the sale, the buyer's claim code is:\n%s\n", v, code.Code)
				}
				return err
			}
			return c.report(r, v, code.Code,
				fmt.Sprintf("released %s to whoever redeems this claim code (odometer %d km, sale date %s, use %s)", v, km, date.Format(time.DateOnly), useType),
				"",
				"claim code for the buyer, shown only this once: hand it over privately",
				"  "+code.Code,
				fmt.Sprintf("the buyer runs: autoledger owner claim --vin %s --code -", v),
				"")
		}),
	}
	f := cmd.Flags()
	f.StringVar(&vinArg, "vin", "", "the car's VIN")
	f.StringVar(&buyerKey, "buyer-key", "", "the buyer's public key file (PEM or base64 SPKI)")
	f.BoolVar(&newCode, "new-claim-code", false, "make a claim code for the buyer and print it once")
	f.Int64Var(&km, "odometer-km", 0, "the odometer reading at the sale, km")
	f.StringVar(&saleDate, "sale-date", "", "the sale's date (midnight UTC), e.g. 2026-11-30, or an RFC 3339 time; within the last 24 hours")
	f.StringVar(&useType, "use-type", "", "the car's use after the sale: "+strings.Join(vehicletypes.UseTypes, ", "))
	required(cmd, "vin", "odometer-km", "sale-date", "use-type")
	cmd.MarkFlagsMutuallyExclusive("buyer-key", "new-claim-code")
	cmd.MarkFlagsOneRequired("buyer-key", "new-claim-code")
	return cmd
}

func (c *cli) eraseCmd() *cobra.Command {
	var vinArg string
	var ownerNo int
	cmd := &cobra.Command{
		Use:   "erase --vin VIN --owner-no N",
		Short: "Purge the private records of a past ownership of yours",
		Long: `erase signs an erasure of the car's N-th ownership, a past one whose key --key is: the members purge
its private records (the dealer's customer reference, data shared under its grants). The public record
keeps that the ownership existed, with its dates.`,
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			if ownerNo < 1 {
				return flagError("owner-no", "must be 1 or more, got %d", ownerNo)
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			r, err := o.Erase(cmd.Context(), v, ownerNo)
			if err != nil {
				return err
			}
			return c.report(r, v, "", fmt.Sprintf("erased the private records of ownership %d of %s", ownerNo, v))
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	cmd.Flags().IntVar(&ownerNo, "owner-no", 0, "which ownership: 1 for the first owner, ...")
	required(cmd, "vin", "owner-no")
	return cmd
}

func (c *cli) showCmd() *cobra.Command {
	var vinArg string
	cmd := &cobra.Command{
		Use:   "show --vin VIN",
		Short: "Show the car's ownerships and grants, and whether --key is its owner's",
		Args:  cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			// The key is optional here: with one, show says whether it is
			// the current owner's.
			var mine string
			if c.g.key != "" {
				k, err := c.loadKey()
				if err != nil {
					return err
				}
				pub, err := ownerclient.PublicKey(k)
				if err != nil {
					return err
				}
				mine = pub.Fingerprint()
			}
			body, err := cl.Vehicle(cmd.Context(), v)
			if err != nil {
				return err
			}
			if c.g.json {
				return c.printJSON(body)
			}
			return c.printView(body, mine)
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	required(cmd, "vin")
	return cmd
}
