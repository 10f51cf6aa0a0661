package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/verify"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/proto"
)

// MaxFactProofs bounds the blocks one bundle carries: each is a ledger
// read and can be large, and a buyer doubts a few facts, not all.
const MaxFactProofs = 10

// maxEndorserSets bounds how many sets of endorsing orgs one bundle tries
// when a set's peers cannot be reached.
const maxEndorserSets = 4

// factFetchers is how many blocks are read at once.
const factFetchers = 4

var txIDShape = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseFacts reads the facts query parameter: comma-separated transaction
// ids (64 lower-case hex), at most MaxFactProofs, duplicates dropped.
func ParseFacts(q string) ([]string, error) {
	var out []string
	for id := range strings.SplitSeq(q, ",") {
		id = strings.TrimSpace(id)
		if id == "" || slices.Contains(out, id) {
			continue
		}
		if !txIDShape.MatchString(id) {
			return nil, ccerr.Field(ccerr.InvalidArgument, "facts", "txid", "each fact is a transaction id: 64 lower-case hex characters")
		}
		out = append(out, id)
	}
	if len(out) > MaxFactProofs {
		return nil, ccerr.Field(ccerr.InvalidArgument, "facts", "max", "at most %d facts per bundle, got %d", MaxFactProofs, len(out))
	}
	return out, nil
}

// Bundle builds the proof of vin's report for the buyer's challenge: a
// majority of the member orgs endorse vehicle:AttestedReport(vin,
// challenge) as pr, and the endorsed transaction is put in the bundle as
// it is, never submitted. proofs are transaction ids of the report's facts
// whose blocks the bundle adds; one that is not a fact of this report is
// refused (the route reads no other car's blocks).
func (s *Service) Bundle(ctx context.Context, pr auth.Principal, vin, challenge string, proofs []string) (verify.Bundle, error) {
	if err := vehicletypes.ValidateChallenge(challenge); err != nil {
		return verify.Bundle{}, err
	}
	if len(proofs) > MaxFactProofs {
		return verify.Bundle{}, ccerr.Field(ccerr.InvalidArgument, "facts", "max", "at most %d facts per bundle, got %d", MaxFactProofs, len(proofs))
	}
	cfg, err := s.Config(ctx, pr)
	if err != nil {
		return verify.Bundle{}, err
	}
	end, err := s.endorse(ctx, pr, cfg, vin, challenge)
	if err != nil {
		return verify.Bundle{}, err
	}
	var ar vehicletypes.AttestedReport
	if err := json.Unmarshal(end.Result, &ar); err != nil {
		return verify.Bundle{}, fmt.Errorf("vehicle:AttestedReport answer: %w", err)
	}
	if ar.VIN != vin || ar.Challenge != challenge {
		return verify.Bundle{}, fmt.Errorf("vehicle:AttestedReport answered for VIN %q and challenge %q, not the ones asked", ar.VIN, ar.Challenge)
	}
	provedAt, err := proposalTime(end.Envelope)
	if err != nil {
		return verify.Bundle{}, err
	}
	b := verify.Bundle{
		Format: verify.Format, Channel: s.Channel, Chaincode: s.chaincode(), Function: verify.Function,
		VIN: vin, Challenge: challenge, ProvedAt: provedAt, Envelope: end.Envelope, Result: end.Result,
		MSPs: cfg.MSPs, Members: cfg.Members, Facts: make([]verify.Fact, len(ar.Facts)),
	}
	at := map[string][]int{}
	for i, f := range ar.Facts {
		b.Facts[i] = verify.Fact{Seq: f.Seq, Type: f.Type, TxID: f.TxID}
		at[f.TxID] = append(at[f.TxID], i)
	}
	for _, id := range proofs {
		if _, ok := at[id]; !ok {
			return verify.Bundle{}, ccerr.Field(ccerr.InvalidArgument, "facts", "fact", "transaction %s recorded none of this car's facts", id)
		}
	}
	blocks := make([][]byte, len(proofs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(factFetchers)
	for i, id := range proofs {
		g.Go(func() error {
			raw, err := s.Net.BlockByTxID(gctx, pr, id)
			if err != nil {
				return fmt.Errorf("block of transaction %s: %w", id, err)
			}
			blocks[i] = raw
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return verify.Bundle{}, err
	}
	for i, id := range proofs {
		// One transaction may record several facts (a sale and its
		// odometer reading): each names the same block.
		for _, j := range at[id] {
			b.Facts[j].Block = blocks[i]
		}
	}
	return b, nil
}

func (s *Service) chaincode() string {
	if s.Chaincode != "" {
		return s.Chaincode
	}
	return verify.Chaincode
}

// endorse has a majority of the members endorse the attested report. The
// endorsing orgs are chosen explicitly, since the peer's gateway would
// pick only as many as the chaincode's policy needs, in an order of its
// own: the first majority of the members (in the configuration's order),
// then, when a set's peers cannot be reached, the next set. A refusal by
// the chaincode ends the attempts: every set would answer the same.
func (s *Service) endorse(ctx context.Context, pr auth.Principal, cfg ChannelConfig, vin, challenge string) (Endorsement, error) {
	var last error
	for _, set := range majoritySets(cfg.Members, cfg.Majority(), maxEndorserSets) {
		end, err := s.Net.Endorse(ctx, pr, set, verify.Function, vin, challenge)
		if err == nil {
			return end, nil
		}
		if chaincodeError(err) != nil && !refusedElsewhere(err, pr.Org) || ctx.Err() != nil {
			return Endorsement{}, err
		}
		last = err
	}
	return Endorsement{}, last
}

// refusedElsewhere reports whether a chaincode refusal came only from
// other orgs' peers than the caller's, which may lag a block behind.
func refusedElsewhere(err error, org string) bool {
	var fe *fabric.Error
	return errors.As(err, &fe) && len(fe.RefusedBy) > 0 && !slices.Contains(fe.RefusedBy, org)
}

// majoritySets are up to limit sets of k of members, in lexicographic
// order of their positions: the first k members first.
func majoritySets(members []string, k, limit int) [][]string {
	if k > len(members) {
		return nil
	}
	var out [][]string
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	for len(out) < limit {
		set := make([]string, k)
		for i, j := range idx {
			set[i] = members[j]
		}
		out = append(out, set)
		// The next combination: bump the rightmost index that can move.
		i := k - 1
		for i >= 0 && idx[i] == len(members)-k+i {
			i--
		}
		if i < 0 {
			break
		}
		idx[i]++
		for j := i + 1; j < k; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
	return out
}

// proposalTime is the timestamp of the envelope's channel header: the time
// the proposal was made, which the endorsers checked their certificates at.
func proposalTime(envelope []byte) (time.Time, error) {
	var env common.Envelope
	var payload common.Payload
	var ch common.ChannelHeader
	if err := proto.Unmarshal(envelope, &env); err != nil {
		return time.Time{}, fmt.Errorf("endorsed envelope: %w", err)
	}
	if err := proto.Unmarshal(env.GetPayload(), &payload); err != nil {
		return time.Time{}, fmt.Errorf("endorsed envelope's payload: %w", err)
	}
	if err := proto.Unmarshal(payload.GetHeader().GetChannelHeader(), &ch); err != nil {
		return time.Time{}, fmt.Errorf("endorsed envelope's channel header: %w", err)
	}
	if ch.GetTimestamp() == nil {
		return time.Time{}, errors.New("endorsed envelope's channel header has no timestamp")
	}
	return ch.GetTimestamp().AsTime().UTC(), nil
}
