// Package collections defines the consortium's private data collections
// once: their names, member orgs, peer counts and endorsement policies. The
// contracts write to them by these names, the gateway picks endorsers from
// their members, and network/collections_config.json, the definition the
// peers get, is generated from them (ConfigJSON) and tested against them.
//
// The package imports neither the contract API nor the shim, so the gateway
// can use it without linking the chaincode.
package collections

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/autoledger/autoledger/chaincode/access"
)

// The collection names.
const (
	// Owners holds the links from a car's ownerships to the selling
	// dealer's customer references: the dealer writes them, the OEM reads
	// them to reach owners with safety recalls; no other org holds them.
	Owners = "owners"
	// OemSupplier holds the commercial terms of parts and the amounts of
	// orders the OEM places with a supplier.
	OemSupplier = "oemSupplier"
	// OemDealer holds the amounts of orders between the OEM and a dealer.
	OemDealer = "oemDealer"
	// DealerInsurer is reserved for data between a dealer and an insurer.
	DealerInsurer = "dealerInsurer"
	// OemInsurer holds the car data the OEM shares with the insurer while
	// the car's owner grants it (chaincode/consent).
	OemInsurer = "oemInsurer"
)

// Pair is an ordered buyer-seller pair of MSP IDs.
type Pair struct {
	Buyer, Seller string
}

// Share is a holder org that writes data about a car into a collection
// for a grantee org to read, only while the car's owner grants it.
type Share struct {
	Holder, Grantee string
}

// Collection is one private data collection.
type Collection struct {
	Name string
	// Members are the MSP IDs whose peers hold the data and whose members
	// may read and write it.
	Members []string
	// RequiredPeerCount is how many other members' peers an endorser must
	// disseminate the data to before it endorses; MaxPeerCount is how many
	// it tries.
	RequiredPeerCount int
	MaxPeerCount      int
	// BlockToLive is how many blocks the data lives; 0 is forever.
	BlockToLive uint64
	// Endorsers, when set, are the orgs whose peers must all endorse a
	// write to the collection (the collection-level endorsement policy),
	// instead of the chaincode's policy.
	Endorsers []string
	// Orders, when set, is the buyer-seller pair whose order amounts the
	// collection holds (see Pairs).
	Orders *Pair
	// Consent, when set, makes the collection carry owner-granted data
	// from Consent.Holder to Consent.Grantee (see ForShare).
	Consent *Share
}

// All lists every collection, in the order of collections_config.json.
var All = []Collection{
	{Name: Owners, Members: []string{access.OemMSP, access.DealerMSP}, MaxPeerCount: 1, Endorsers: []string{access.DealerMSP}},
	{Name: OemSupplier, Members: []string{access.OemMSP, access.SupplierMSP}, MaxPeerCount: 1,
		Endorsers: []string{access.OemMSP, access.SupplierMSP}, Orders: &Pair{Buyer: access.OemMSP, Seller: access.SupplierMSP}},
	{Name: OemDealer, Members: []string{access.OemMSP, access.DealerMSP}, MaxPeerCount: 1,
		Endorsers: []string{access.OemMSP, access.DealerMSP}, Orders: &Pair{Buyer: access.OemMSP, Seller: access.DealerMSP}},
	{Name: DealerInsurer, Members: []string{access.DealerMSP, access.InsurerMSP}, MaxPeerCount: 1,
		Endorsers: []string{access.DealerMSP, access.InsurerMSP}},
	// Only the holder endorses: the grantee cannot write what the owner's
	// car "said", nor keep a revocation's purge from being endorsed.
	{Name: OemInsurer, Members: []string{access.OemMSP, access.InsurerMSP}, MaxPeerCount: 1,
		Endorsers: []string{access.OemMSP}, Consent: &Share{Holder: access.OemMSP, Grantee: access.InsurerMSP}},
}

// Get returns the collection named name.
func Get(name string) (Collection, bool) {
	i := slices.IndexFunc(All, func(c Collection) bool { return c.Name == name })
	if i < 0 {
		return Collection{}, false
	}
	return All[i], true
}

// MembersOf returns the member MSP IDs of the collection named name, or nil
// when there is none; callers pick endorsing peers from them.
func MembersOf(name string) []string {
	c, ok := Get(name)
	if !ok {
		return nil
	}
	return slices.Clone(c.Members)
}

// ForPair returns the name of the collection holding the amounts of orders
// that buyer places with seller; false when the pair has none (the amount
// then stays off chain).
func ForPair(buyer, seller string) (string, bool) {
	for _, c := range All {
		if c.Orders != nil && *c.Orders == (Pair{Buyer: buyer, Seller: seller}) {
			return c.Name, true
		}
	}
	return "", false
}

// ForShare returns the name of the collection through which holder shares
// owner-granted data with grantee; false when the pair has none.
func ForShare(holder, grantee string) (string, bool) {
	for _, c := range All {
		if c.Consent != nil && *c.Consent == (Share{Holder: holder, Grantee: grantee}) {
			return c.Name, true
		}
	}
	return "", false
}

// Pairs maps every [buyer, seller] pair that has a collection to its name.
func Pairs() map[[2]string]string {
	m := map[[2]string]string{}
	for _, c := range All {
		if c.Orders != nil {
			m[[2]string{c.Orders.Buyer, c.Orders.Seller}] = c.Name
		}
	}
	return m
}

// MemberPolicy is the collection's membership policy in Fabric's syntax.
func (c Collection) MemberPolicy() string { return policy("OR", c.Members, "member") }

// EndorsementPolicy is the collection-level signature policy, "" when the
// chaincode's policy applies.
func (c Collection) EndorsementPolicy() string {
	if len(c.Endorsers) == 0 {
		return ""
	}
	return policy("AND", c.Endorsers, "peer")
}

func policy(op string, msps []string, role string) string {
	ps := make([]string, len(msps))
	for i, m := range msps {
		ps[i] = fmt.Sprintf("'%s.%s'", m, role)
	}
	return op + "(" + strings.Join(ps, ", ") + ")"
}

// Config is one entry of a Fabric collection configuration file.
type Config struct {
	Name              string             `json:"name"`
	Policy            string             `json:"policy"`
	RequiredPeerCount int                `json:"requiredPeerCount"`
	MaxPeerCount      int                `json:"maxPeerCount"`
	BlockToLive       uint64             `json:"blockToLive"`
	MemberOnlyRead    bool               `json:"memberOnlyRead"`
	MemberOnlyWrite   bool               `json:"memberOnlyWrite"`
	Endorsement       *EndorsementConfig `json:"endorsementPolicy,omitempty"`
}

// EndorsementConfig is a collection-level endorsement policy.
type EndorsementConfig struct {
	SignaturePolicy string `json:"signaturePolicy"`
}

// Configs returns the collection configuration the peers get. Every
// collection is member-only for reads and writes: a non-member can neither
// read the data nor write it through its own peer.
func Configs() []Config {
	out := make([]Config, len(All))
	for i, c := range All {
		out[i] = Config{Name: c.Name, Policy: c.MemberPolicy(), RequiredPeerCount: c.RequiredPeerCount,
			MaxPeerCount: c.MaxPeerCount, BlockToLive: c.BlockToLive, MemberOnlyRead: true, MemberOnlyWrite: true}
		if p := c.EndorsementPolicy(); p != "" {
			out[i].Endorsement = &EndorsementConfig{SignaturePolicy: p}
		}
	}
	return out
}

// ConfigJSON returns Configs as the text of network/collections_config.json.
func ConfigJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// The policies quote MSP IDs with ' and hold no HTML; keep them readable.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Configs()); err != nil {
		return nil, fmt.Errorf("encode collections: %w", err)
	}
	return buf.Bytes(), nil
}
