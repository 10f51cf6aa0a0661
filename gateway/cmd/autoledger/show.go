package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/autoledger/autoledger/chaincode/consent/consenttypes"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
)

// vehicleView is GET /v1/owner/vehicles/{vin}: owner:Get's view and
// consent:List's grants. It is read leniently (the owner view inline or
// under "owner", the grants as a list or as consent:List's object) so
// that a gateway adding fields does not break the client.
type vehicleView struct {
	ownertypes.OwnerView
	Owner  *ownertypes.OwnerView `json:"owner"`
	Grants json.RawMessage       `json:"grants"`
}

func (v vehicleView) owner() ownertypes.OwnerView {
	if v.Owner != nil {
		return *v.Owner
	}
	return v.OwnerView
}

func (v vehicleView) grants() []consenttypes.GrantView {
	var list []consenttypes.GrantView
	if json.Unmarshal(v.Grants, &list) == nil {
		return list
	}
	var obj consenttypes.GrantList
	_ = json.Unmarshal(v.Grants, &obj)
	return obj.Grants
}

// printView prints a car's ownerships and grants; mine is the fingerprint
// of --key, if one was given, to mark the ownership it is bound to.
func (c *cli) printView(body json.RawMessage, mine string) error {
	var v vehicleView
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("the gateway's answer is not a vehicle view: %w", err)
	}
	o := v.owner()
	c.printf("%s: %d ownership(s)\n", o.VIN, o.OwnerCount)
	for _, own := range o.Ownerships {
		c.printf("  %s\n", describeOwnership(own, mine, o.OwnerCount))
	}
	if mine != "" {
		switch cur := o.Current; {
		case cur != nil && cur.KeyFingerprint == mine:
			c.printf("your key (--key) is the current owner's\n")
		default:
			c.printf("your key (--key) is not the current owner's\n")
		}
	}
	// The gateway's public view says only that an exception is open; its
	// kind and approvals are the member orgs'.
	if ex := o.OpenException; ex != nil {
		if ex.Kind != "" {
			c.printf("open exception %s: %s, %d of %d approvals\n", ex.ID, ex.Kind, len(ex.Approvals), ex.Required)
		} else {
			c.printf("an exception awaiting the member orgs' approvals is open\n")
		}
	}
	grants := v.grants()
	if len(grants) == 0 {
		c.printf("no grants\n")
		return nil
	}
	c.printf("grants:\n")
	for _, g := range grants {
		state := "live"
		switch {
		case !g.RevokedAt.IsZero():
			state = "revoked " + statement.FormatTime(g.RevokedAt)
		case !g.Live:
			state = "not live"
		}
		c.printf("  %s\n    %s may read %s for %s until %s (ownership %d; %s)\n", g.ID, g.Grantee,
			strings.Join(g.Scopes, ","), g.Purpose, statement.FormatTime(g.NotAfter), g.OwnerNo, state)
	}
	return nil
}

func describeOwnership(own ownertypes.Ownership, mine string, current int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "no. %d, since %s: %s", own.OwnerNo, statement.FormatTime(own.Since), own.Status)
	if own.OwnerNo == current {
		b.WriteString(" (current)")
	}
	if own.KeyFingerprint != "" {
		fmt.Fprintf(&b, "\n      key %s", statement.FormatFingerprint(own.KeyFingerprint))
		if own.KeyFingerprint == mine {
			b.WriteString(" (yours)")
		}
	}
	if !own.EndedAt.IsZero() {
		fmt.Fprintf(&b, "\n      ended %s by %s", statement.FormatTime(own.EndedAt), own.EndedBy)
	}
	if !own.ErasedAt.IsZero() {
		fmt.Fprintf(&b, "\n      private records erased %s", statement.FormatTime(own.ErasedAt))
	}
	return b.String()
}
