package fabric

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// Position is where an event stream starts: after transaction TxID of
// Block when TxID is set (a resume), otherwise at the start of Block.
type Position struct {
	Block uint64
	TxID  string
}

// EventID names one chaincode event, written "<block>-<txId>" (the SSE id
// and the webhook event id). It is unique because Fabric keeps one chaincode
// event per transaction and a transaction is in one block.
type EventID struct {
	Block uint64
	TxID  string
}

// EventIDOf is the id of ev.
func EventIDOf(ev *client.ChaincodeEvent) EventID {
	return EventID{Block: ev.BlockNumber, TxID: ev.TransactionID}
}

func (id EventID) String() string { return strconv.FormatUint(id.Block, 10) + "-" + id.TxID }

// ParseEventID reads an id written by EventID.String.
func ParseEventID(s string) (EventID, error) {
	b, tx, ok := strings.Cut(s, "-")
	n, err := strconv.ParseUint(b, 10, 64)
	if !ok || err != nil || tx == "" {
		return EventID{}, fmt.Errorf("%q is not an event id <block>-<transactionId>", s)
	}
	return EventID{Block: n, TxID: tx}, nil
}

// Next is where a stream resumes to deliver the events after id.
func (id EventID) Next() Position { return Position{Block: id.Block, TxID: id.TxID} }

// ResumeAt is where a stream kept by cursor resumes: after the cursor's
// event id; at the block number it holds when no event came yet; or, the
// first time (cursor ""), at the channel's current height, which mark
// records so that a restart before the first event resumes there too.
func ResumeAt(cursor string, height func() (uint64, error), mark func(block uint64) error) (Position, error) {
	if cursor == "" {
		h, err := height()
		if err != nil {
			return Position{}, err
		}
		if err := mark(h); err != nil {
			return Position{}, err
		}
		return Position{Block: h}, nil
	}
	if id, err := ParseEventID(cursor); err == nil {
		return id.Next(), nil
	}
	n, err := strconv.ParseUint(cursor, 10, 64)
	if err != nil {
		return Position{}, fmt.Errorf("bad event cursor %q: neither an event id nor a start block", cursor)
	}
	return Position{Block: n}, nil
}

// EventPayload is ev's payload as JSON: itself when it is JSON (our
// contracts emit JSON), else a JSON string of it.
func EventPayload(ev *client.ChaincodeEvent) json.RawMessage {
	if json.Valid(ev.Payload) {
		return json.RawMessage(ev.Payload)
	}
	q, _ := json.Marshal(string(ev.Payload))
	return q
}

// Height returns the channel's block height as pr's peer sees it: the
// number of the next block.
func (p *Pool) Height(ctx context.Context, pr auth.Principal) (uint64, error) {
	n, err := p.Network(pr)
	if err != nil {
		return 0, err
	}
	out, err := n.GetContract("qscc").EvaluateWithContext(ctx, "GetChainInfo", client.WithArguments(p.file.Channel))
	if err != nil {
		return 0, classify(err, "")
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(out, &info); err != nil {
		return 0, fmt.Errorf("decode chain info: %w", err)
	}
	return info.GetHeight(), nil
}

// Events streams the chaincode's events from pos, as pr. The stream ends
// (its channel closes) when ctx ends or the connection to the peer breaks;
// the caller resumes from the last event it delivered.
func (p *Pool) Events(ctx context.Context, pr auth.Principal, pos Position) (<-chan *client.ChaincodeEvent, error) {
	n, err := p.Network(pr)
	if err != nil {
		return nil, err
	}
	var opt client.ChaincodeEventsOption
	if pos.TxID != "" {
		cp := &client.InMemoryCheckpointer{}
		cp.CheckpointTransaction(pos.Block, pos.TxID)
		opt = client.WithCheckpoint(cp)
	} else {
		opt = client.WithStartBlock(pos.Block)
	}
	ch, err := n.ChaincodeEvents(ctx, p.file.Chaincode, opt)
	if err != nil {
		return nil, classify(err, "")
	}
	return ch, nil
}

// Follow reads a chaincode event stream until ctx ends, reopening it when
// it breaks: from position() each time (a cursor kept by the reader), with
// a pause that doubles from 250 ms to 5 s while opening fails and resets
// once a stream opens. accept takes each event; its error closes the
// stream, which is reopened from the cursor. warn hears why a stream
// ended or could not open.
func Follow(ctx context.Context, position func() (Position, error), open func(Position) (<-chan *client.ChaincodeEvent, error),
	accept func(*client.ChaincodeEvent) error, warn func(error)) {
	pause := followPause
	for ctx.Err() == nil {
		pos, err := position()
		if err == nil {
			var stream <-chan *client.ChaincodeEvent
			stream, err = open(pos)
			if err == nil {
				pause = followPause
				for ev := range stream {
					if err = accept(ev); err != nil {
						break
					}
				}
			}
		}
		if err != nil {
			warn(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(pause*2, followMaxPause)
	}
}

// The pauses between attempts to reopen a stream.
const (
	followPause    = 250 * time.Millisecond
	followMaxPause = 5 * time.Second
)
