// Package report serves a car's share links: the history report page that
// a buyer opens without a credential (GET /r/{token}) and the bundle that
// proves it (GET /r/{token}/bundle): vehicle:AttestedReport for the buyer's
// own challenge, endorsed by a majority of the channel's member orgs and
// never submitted, with the channel's MSPs from its configuration block
// and, on request, the blocks holding up to MaxFactProofs of its facts.
// docs/verification.md specifies the bundle; package verify checks it.
//
// The package holds no credential and no state but the channel's
// configuration, read once: it acts as the principal the caller gives it
// (the gateway's owner-services relay) through a Network.
package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
)

// Network is what the report needs of Fabric (FabricNetwork in
// production, a fake in tests). Its errors are classified (*fabric.Error)
// or chaincode errors (*ccerr.Error).
type Network interface {
	// Evaluate runs a query as pr on pr's org's peer.
	Evaluate(ctx context.Context, pr auth.Principal, function string, args ...string) ([]byte, error)
	// Endorse has the peers of endorsers endorse function(args) as pr and
	// returns the endorsed transaction. It never submits it.
	Endorse(ctx context.Context, pr auth.Principal, endorsers []string, function string, args ...string) (Endorsement, error)
	// ConfigBlock is the channel's latest configuration block (qscc
	// GetConfigBlock of cscc), a marshalled common.Block.
	ConfigBlock(ctx context.Context, pr auth.Principal) ([]byte, error)
	// BlockByTxID is the block holding txID (qscc GetBlockByTxID), a
	// marshalled common.Block.
	BlockByTxID(ctx context.Context, pr auth.Principal, txID string) ([]byte, error)
}

// Endorsement is an endorsed, unsubmitted transaction.
type Endorsement struct {
	TxID string
	// Envelope is the marshalled common.Envelope: the proposal's payload
	// with every endorsement, unsigned by the creator (it is never sent to
	// an orderer).
	Envelope []byte
	// Result is the chaincode's response payload.
	Result []byte
}

// Service answers for share links.
type Service struct {
	Net Network
	// Channel and Chaincode name what the bundle's proposal is for.
	Channel   string
	Chaincode string

	mu  sync.Mutex
	cfg *ChannelConfig
}

// LinkError is a share link that does not open: Status is 404 (no such
// link, or not a link token at all) or 410 (expired, revoked, or the car
// was sold since).
type LinkError struct {
	Status int
	Code   string
	Detail string
}

func (e *LinkError) Error() string { return e.Detail }

// The codes of a LinkError.
const (
	CodeLinkNotFound = "LINK_NOT_FOUND"
	CodeLinkGone     = "LINK_GONE"
)

var errUnknownLink = &LinkError{Status: http.StatusNotFound, Code: CodeLinkNotFound, Detail: "no such share link"}

// Link reads the link whose token this is, and answers it only when it is
// live. A malformed token is as unknown as an unused one: neither tells a
// guesser anything.
func (s *Service) Link(ctx context.Context, pr auth.Principal, token string) (ownertypes.ShareLinkView, error) {
	hash, err := ownertypes.ShareLinkHash(token)
	if err != nil {
		return ownertypes.ShareLinkView{}, errUnknownLink
	}
	raw, err := s.Net.Evaluate(ctx, pr, "owner:ShareLink", hash)
	if err != nil {
		if cc := chaincodeError(err); cc != nil && cc.Code == ccerr.NotFound {
			return ownertypes.ShareLinkView{}, errUnknownLink
		}
		return ownertypes.ShareLinkView{}, err
	}
	var v ownertypes.ShareLinkView
	if err := json.Unmarshal(raw, &v); err != nil {
		return ownertypes.ShareLinkView{}, fmt.Errorf("owner:ShareLink answer: %w", err)
	}
	if !v.Live {
		return v, &LinkError{Status: http.StatusGone, Code: CodeLinkGone, Detail: goneReason(v, time.Now())}
	}
	return v, nil
}

// goneReason says why a link no longer opens, as far as its record tells.
func goneReason(v ownertypes.ShareLinkView, now time.Time) string {
	switch {
	case !v.RevokedAt.IsZero():
		return "this share link was revoked by the car's owner"
	case !now.Before(v.NotAfter):
		return "this share link expired at " + v.NotAfter.UTC().Format(time.RFC3339)
	case strings.HasPrefix(v.CreatedBy, "grantee:"):
		// The chaincode's reason names the grant; the buyer needs only this.
		return "this share link ended: the car's owner withdrew the consent it was made under"
	}
	return "this share link ended when the car changed hands; ask its current owner for a new one"
}

// Config is the channel's configuration, read once with pr. A change of
// the channel's configuration (a new member, a renewed CA) is seen only
// after a restart of the gateway: refreshing it is not done yet.
func (s *Service) Config(ctx context.Context, pr auth.Principal) (ChannelConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg != nil {
		return *s.cfg, nil
	}
	raw, err := s.Net.ConfigBlock(ctx, pr)
	if err != nil {
		return ChannelConfig{}, err
	}
	cfg, err := ParseConfigBlock(raw)
	if err != nil {
		return ChannelConfig{}, err
	}
	s.cfg = &cfg
	return cfg, nil
}

// chaincodeError is the chaincode's refusal err carries, or nil.
func chaincodeError(err error) *ccerr.Error {
	var fe *fabric.Error
	if errors.As(err, &fe) && fe.Kind == fabric.Business && fe.Chaincode != nil {
		return fe.Chaincode
	}
	if cc, ok := ccerr.From(err); ok {
		return cc
	}
	return nil
}
