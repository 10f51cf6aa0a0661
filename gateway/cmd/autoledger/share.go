package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/gateway/ownerclient"
)

// maxLinkDays is the longest share link: the ledger refuses a notAfter
// more than ownertypes.MaxShareLinkLifetime after the transaction.
var maxLinkDays = int(ownertypes.MaxShareLinkLifetime / (24 * time.Hour))

// shareJSON is what --json prints for a new link.
type shareJSON struct {
	jsonResult
	URL      string `json:"url"`
	Token    string `json:"token"`
	Link     string `json:"link"`
	NotAfter string `json:"notAfter"`
}

func (c *cli) shareCmd() *cobra.Command {
	var vinArg string
	var days int
	cmd := &cobra.Command{
		Use:   "share --vin VIN --days N",
		Short: "Make a link to the car's history report for a buyer, for N days",
		Long: fmt.Sprintf(`share makes a share link: whoever opens its URL reads the car's history report, and can check it
offline with autoledger verify, until --days from now (at most %d), until you unshare it, or until the car is sold.
This computer draws the link's secret token; the statement you sign and the ledger name only its hash. The URL is
printed once: keep it, or make a new link.`, maxLinkDays),
		Args: cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			if days < 1 || days > maxLinkDays {
				return flagError("days", "must be 1-%d, got %d", maxLinkDays, days)
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			notAfter := c.now().UTC().Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Second)
			r, err := o.ShareLink(cmd.Context(), v, notAfter)
			if err != nil {
				return err
			}
			if c.g.json {
				return c.printJSON(shareJSON{jsonResult: jsonResult{StatementID: r.ID, Statement: string(r.Encoded), HTTPStatus: r.StatusCode,
					Pending: r.Pending(), TransactionID: r.TransactionID, Result: r.Response.Result}, URL: r.URL, Token: r.Token, Link: r.Link,
					NotAfter: statement.FormatTime(r.NotAfter)})
			}
			return c.report(r.Result, v, "",
				"share link: "+r.URL,
				"valid until "+statement.FormatTime(r.NotAfter)+"; anyone with the URL reads the car's history report",
				"link hash "+r.Link,
				fmt.Sprintf("revoke with: autoledger owner unshare --vin %s --link %s", v, r.Link))
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	cmd.Flags().IntVar(&days, "days", 0, fmt.Sprintf("how many days the link works, 1-%d", maxLinkDays))
	required(cmd, "vin", "days")
	return cmd
}

func (c *cli) unshareCmd() *cobra.Command {
	var vinArg, link string
	cmd := &cobra.Command{
		Use:   "unshare --vin VIN --link URL|TOKEN|HASH",
		Short: "Revoke a share link: it answers 410 Gone from then on",
		Args:  cobra.NoArgs,
		RunE: c.runE(func(cmd *cobra.Command) error {
			v, err := vinFlag(vinArg)
			if err != nil {
				return err
			}
			hash, err := ownerclient.LinkHash(link)
			if err != nil {
				return flagError("link", "must be the link's URL, its token or its hash (64 hex characters)")
			}
			o, err := c.owner()
			if err != nil {
				return err
			}
			r, err := o.RevokeShareLink(cmd.Context(), v, hash)
			if err != nil {
				return err
			}
			return c.report(r, v, "", fmt.Sprintf("revoked share link %s of %s", hash, v))
		}),
	}
	cmd.Flags().StringVar(&vinArg, "vin", "", "the car's VIN")
	cmd.Flags().StringVar(&link, "link", "", "the link's URL, token or hash")
	required(cmd, "vin", "link")
	return cmd
}
