package ownerclient

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// LinkPath is where a gateway opens share links: LinkPath + "/" + token.
const LinkPath = "/r"

// ShareLinkResult is a link the owner made: the statement's outcome and
// the link's secret. Token and URL exist only here: the statement and the
// ledger name the token's hash.
type ShareLinkResult struct {
	Result
	Token string
	// URL is the link on the gateway that relayed it.
	URL      string
	Link     string
	NotAfter time.Time
}

// ShareLink makes a share link to the car's history report until
// notAfter (at most 90 days ahead): this computer draws the token, and the
// signed share-link statement names only its hash. Whoever holds the URL
// reads the report, until it expires, is revoked or the car is sold.
func (o *Owner) ShareLink(ctx context.Context, vin string, notAfter time.Time) (ShareLinkResult, error) {
	token, err := ownertypes.NewShareLinkToken()
	if err != nil {
		return ShareLinkResult{}, err
	}
	hash, err := ownertypes.ShareLinkHash(token)
	if err != nil {
		return ShareLinkResult{}, err
	}
	notAfter = notAfter.UTC().Truncate(time.Second)
	s, err := o.Prepare(ctx, vin, statement.ShareLink, map[string]string{"link": hash, "notAfter": statement.FormatTime(notAfter)})
	if err != nil {
		return ShareLinkResult{}, err
	}
	r, err := o.send(ctx, s, VehiclePath(vin, "share-links"), s.Envelope())
	if err != nil {
		return ShareLinkResult{}, err
	}
	return ShareLinkResult{Result: r, Token: token, URL: o.Client.LinkURL(token), Link: hash, NotAfter: notAfter}, nil
}

// RevokeShareLink ends a share link, named by its URL, its token or its
// hash (64 hex characters, as the ledger shows it).
func (o *Owner) RevokeShareLink(ctx context.Context, vin, link string) (Result, error) {
	hash, err := LinkHash(link)
	if err != nil {
		return Result{}, err
	}
	s, err := o.Prepare(ctx, vin, statement.UnshareLink, map[string]string{"link": hash})
	if err != nil {
		return Result{}, err
	}
	return o.send(ctx, s, VehiclePath(vin, "share-links/revocations"), s.Envelope())
}

// LinkURL is the address of the link with token on this client's gateway.
func (c *Client) LinkURL(token string) string {
	return c.base.String() + LinkPath + "/" + url.PathEscape(token)
}

var linkHashShape = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

// LinkHash is the ledger's name of a link given as a URL (.../r/TOKEN), a
// token or already a hash.
func LinkHash(link string) (string, error) {
	link = strings.TrimSpace(link)
	if linkHashShape.MatchString(link) {
		b, _ := hex.DecodeString(link)
		return hex.EncodeToString(b), nil
	}
	if u, err := url.Parse(link); err == nil && u.Scheme != "" {
		i := strings.LastIndex(u.Path, LinkPath+"/")
		if i < 0 {
			return "", fmt.Errorf("link %q: a share link's URL ends in %s/TOKEN", link, LinkPath)
		}
		link = strings.TrimSuffix(u.Path[i+len(LinkPath)+1:], "/")
	}
	hash, err := ownertypes.ShareLinkHash(link)
	if err != nil {
		return "", fmt.Errorf("link: not a share link's URL, token or hash")
	}
	return hash, nil
}
