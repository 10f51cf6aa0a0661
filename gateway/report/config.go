package report

import (
	"errors"
	"fmt"
	"slices"

	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// ChannelConfig is what a bundle needs of the channel's configuration: the
// MSPs of its member orgs and of its orderer orgs, and which orgs are the
// members (the application orgs, whose majority must endorse).
type ChannelConfig struct {
	MSPs    []verify.MSP
	Members []string
}

// Roots are the root certificates of every MSP of c, as GET /roots.json
// serves them.
func (c ChannelConfig) Roots() verify.Roots {
	out := verify.Roots{}
	for _, m := range c.MSPs {
		out[m.ID] = append(out[m.ID], m.RootCerts...)
	}
	return out
}

// Majority is how many distinct member orgs must endorse: strictly more
// than half, as Fabric's MAJORITY counts it.
func (c ChannelConfig) Majority() int { return len(c.Members)/2 + 1 }

// The config groups that hold the orgs.
const (
	applicationGroup = "Application"
	ordererGroup     = "Orderer"
	mspValue         = "MSP"
)

// ParseConfigBlock reads the member and orderer MSPs from a channel's
// configuration block, as cscc GetConfigBlock answers it (a marshalled
// common.Block): Block -> Envelope -> Payload -> ConfigEnvelope ->
// Config.ChannelGroup, whose Application and Orderer groups hold one group
// per org with the org's MSP value (an msp.MSPConfig of type 0, Fabric's
// X.509 MSP). MSPs come out sorted by ID, Members too, so that a bundle
// for the same configuration is the same.
func ParseConfigBlock(raw []byte) (ChannelConfig, error) {
	var block common.Block
	if err := proto.Unmarshal(raw, &block); err != nil {
		return ChannelConfig{}, fmt.Errorf("config block: %w", err)
	}
	data := block.GetData().GetData()
	if len(data) != 1 {
		return ChannelConfig{}, fmt.Errorf("config block: %d transactions, a config block has exactly 1", len(data))
	}
	var env common.Envelope
	if err := proto.Unmarshal(data[0], &env); err != nil {
		return ChannelConfig{}, fmt.Errorf("config block envelope: %w", err)
	}
	var payload common.Payload
	if err := proto.Unmarshal(env.GetPayload(), &payload); err != nil {
		return ChannelConfig{}, fmt.Errorf("config block payload: %w", err)
	}
	var ce common.ConfigEnvelope
	if err := proto.Unmarshal(payload.GetData(), &ce); err != nil {
		return ChannelConfig{}, fmt.Errorf("config envelope: %w", err)
	}
	root := ce.GetConfig().GetChannelGroup()
	if root == nil {
		return ChannelConfig{}, errors.New("config envelope: no channel group")
	}
	byID := map[string]*verify.MSP{}
	var members []string
	for _, g := range []string{applicationGroup, ordererGroup} {
		for name, org := range root.GetGroups()[g].GetGroups() {
			m, err := orgMSP(org)
			if err != nil {
				return ChannelConfig{}, fmt.Errorf("config group %s/%s: %w", g, name, err)
			}
			if prev, ok := byID[m.ID]; ok {
				m = *prev // an org in both groups is one MSP
			}
			if g == ordererGroup {
				m.Orderer = true
			} else if !slices.Contains(members, m.ID) {
				members = append(members, m.ID)
			}
			byID[m.ID] = &m
		}
	}
	if len(members) == 0 {
		return ChannelConfig{}, errors.New("config: the channel has no application orgs")
	}
	out := ChannelConfig{Members: members}
	for _, m := range byID {
		out.MSPs = append(out.MSPs, *m)
	}
	slices.Sort(out.Members)
	slices.SortFunc(out.MSPs, func(a, b verify.MSP) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// orgMSP reads one org group's MSP value.
func orgMSP(org *common.ConfigGroup) (verify.MSP, error) {
	v := org.GetValues()[mspValue]
	if v == nil {
		return verify.MSP{}, errors.New("no MSP value")
	}
	var mc msp.MSPConfig
	if err := proto.Unmarshal(v.GetValue(), &mc); err != nil {
		return verify.MSP{}, fmt.Errorf("MSP value: %w", err)
	}
	// Type 0 is Fabric's X.509 MSP (msp.ProviderTypeToString's FABRIC);
	// an idemix MSP has no certificates a verifier could chain to.
	if mc.GetType() != 0 {
		return verify.MSP{}, fmt.Errorf("MSP type %d is not Fabric's X.509 MSP (0)", mc.GetType())
	}
	var fc msp.FabricMSPConfig
	if err := proto.Unmarshal(mc.GetConfig(), &fc); err != nil {
		return verify.MSP{}, fmt.Errorf("Fabric MSP config: %w", err)
	}
	if fc.GetName() == "" {
		return verify.MSP{}, errors.New("the MSP has no name (MSP ID)")
	}
	return verify.MSP{
		ID:                fc.GetName(),
		RootCerts:         pems(fc.GetRootCerts()),
		IntermediateCerts: pems(fc.GetIntermediateCerts()),
		CRLs:              pems(fc.GetRevocationList()),
		PeerOU:            fc.GetFabricNodeOus().GetPeerOuIdentifier().GetOrganizationalUnitIdentifier(),
	}, nil
}

// pems are the config's certificates or CRLs, which it holds as PEM.
func pems(bs [][]byte) []string {
	out := make([]string, 0, len(bs))
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}
