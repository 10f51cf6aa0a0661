package mockstub

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Tx is one transaction proposal.
type Tx struct {
	// Creator signs the proposal. Required.
	Creator *Identity
	// Function is the transaction name, such as "vehicle:Register".
	Function string
	// Args follow the function name. JSON(v) encodes a struct argument.
	Args []string
	// Transient is private input that never reaches the ledger.
	Transient map[string][]byte
	// PeerOrg is the MSP ID of the peer that executes the proposal; it
	// decides which private data is available. Default: Creator's MSP.
	PeerOrg string
	// Timestamp is the client-chosen transaction time. Default: the
	// ledger clock's Now.
	Timestamp time.Time
}

// Event is the chaincode event a transaction set.
type Event struct {
	Name    string
	Payload []byte
}

// Result is what the client of a transaction learns.
type Result struct {
	TxID      string
	Timestamp time.Time
	Status    int32
	Message   string
	Payload   []byte
	// Event is the last event the chaincode set, or nil.
	Event *Event
	// Committed is true when the transaction's writes are on the ledger.
	Committed bool
	// Block is the block that committed the transaction (0 when not).
	Block uint64
}

// OK reports whether the chaincode returned success.
func (r *Result) OK() bool { return r.Status == shim.OK }

// Err returns the chaincode's error message as an error, or nil on success.
func (r *Result) Err() error {
	if r.OK() {
		return nil
	}
	return errors.New(r.Message)
}

// Decode unmarshals the JSON payload into v.
func (r *Result) Decode(v any) error {
	if !r.OK() {
		return fmt.Errorf("transaction failed: %s", r.Message)
	}
	return json.Unmarshal(r.Payload, v)
}

// JSON encodes v as a transaction argument. It panics if v cannot be encoded,
// a programming error in the test.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("mockstub.JSON: %w", err))
	}
	return string(b)
}

// Invoke endorses tx and commits it when the chaincode succeeds, as a
// client's submit would.
func (l *Ledger) Invoke(tx Tx) *Result { return l.run(tx, true) }

// Evaluate executes tx without committing anything, as a client's evaluate
// (query) would.
func (l *Ledger) Evaluate(tx Tx) *Result { return l.run(tx, false) }

func (l *Ledger) run(tx Tx, submit bool) *Result {
	if l.tb != nil {
		l.tb.Helper()
	}
	if tx.Creator == nil {
		panic("mockstub: Tx.Creator is required")
	}
	l.mu.Lock()
	defer l.mu.Unlock()

	l.nonce++
	ts := tx.Timestamp
	if ts.IsZero() {
		ts = l.clock.Now()
	}
	nonceSum := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("mockstub-nonce"), l.nonce))
	nonce := nonceSum[:24]
	creator := tx.Creator.Serialized()
	txSum := sha256.Sum256(append(slices.Clone(nonce), creator...))
	peerOrg := tx.PeerOrg
	if peerOrg == "" {
		peerOrg = tx.Creator.MSPID
	}
	args := make([][]byte, 0, len(tx.Args)+1)
	args = append(args, []byte(tx.Function))
	for _, a := range tx.Args {
		args = append(args, []byte(a))
	}
	newStub := func() *txStub {
		return &txStub{
			l: l, txID: hex.EncodeToString(txSum[:]), ts: ts.UTC(), nonce: nonce, creator: creator,
			peerOrg: peerOrg, clientMSP: tx.Creator.MSPID, args: args, transient: tx.Transient,
			reads: map[string]*Height{}, privReads: map[string]map[string]*Height{},
			writes: map[string]write{}, metaWrites: map[string]map[string][]byte{},
			privWrites: map[string]map[string]write{}, privMetaWrites: map[string]map[string]map[string][]byte{},
		}
	}

	stub := newStub()
	resp := l.cc.Invoke(stub)
	if l.determinism {
		again := newStub()
		resp2 := l.cc.Invoke(again)
		if a, b := describe(stub, resp), describe(again, resp2); a != b {
			l.reportNondeterminism(tx.Function, a, b)
			return &Result{TxID: stub.txID, Timestamp: stub.ts, Status: shim.ERROR,
				Message: "mockstub: endorsements differ (non-deterministic chaincode)"}
		}
	}

	res := &Result{TxID: stub.txID, Timestamp: stub.ts, Status: resp.GetStatus(), Message: resp.GetMessage(), Payload: resp.GetPayload()}
	if stub.event != nil {
		res.Event = &Event{Name: stub.event.EventName, Payload: stub.event.Payload}
	}
	// Fabric treats any status below 400 as a successful endorsement.
	if submit && res.Status < shim.ERRORTHRESHOLD {
		res.Block = l.commit(stub)
		res.Committed = true
	}
	return res
}

func (l *Ledger) reportNondeterminism(fn, a, b string) {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			msg := fmt.Sprintf("mockstub: %s is not deterministic: two executions on the same state differ\n first:  %s\n second: %s", fn, x, y)
			if l.tb != nil {
				l.tb.Error(msg)
			} else {
				panic(msg)
			}
			return
		}
	}
}

// describe renders everything two endorsers must agree on, one fact a line,
// in a stable order.
func describe(s *txStub, resp *peer.Response) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "response status=%d message=%q payload=%q\n", resp.GetStatus(), resp.GetMessage(), resp.GetPayload())
	if s.event != nil {
		fmt.Fprintf(&b, "event %s %q\n", s.event.EventName, s.event.Payload)
	}
	for _, k := range sortedKeys(s.reads) {
		fmt.Fprintf(&b, "read %q %v\n", k, s.reads[k])
	}
	for _, r := range s.ranges {
		fmt.Fprintf(&b, "range %q [%q,%q) %q %v\n", r.collection, r.start, r.end, r.keys, r.versions)
	}
	for _, k := range sortedKeys(s.writes) {
		w := s.writes[k]
		fmt.Fprintf(&b, "write %q del=%v %q\n", k, w.isDelete(), w.value)
	}
	for _, k := range sortedKeys(s.metaWrites) {
		for _, m := range sortedKeys(s.metaWrites[k]) {
			fmt.Fprintf(&b, "meta %q %s %x\n", k, m, s.metaWrites[k][m])
		}
	}
	for _, c := range sortedKeys(s.privReads) {
		for _, k := range sortedKeys(s.privReads[c]) {
			fmt.Fprintf(&b, "pvtread %s %q %v\n", c, k, s.privReads[c][k])
		}
	}
	for _, c := range sortedKeys(s.privWrites) {
		for _, k := range sortedKeys(s.privWrites[c]) {
			w := s.privWrites[c][k]
			fmt.Fprintf(&b, "pvtwrite %s %q del=%v purge=%v %x\n", c, k, w.isDelete(), w.purge, hashOf(w.value))
		}
	}
	for _, c := range sortedKeys(s.privMetaWrites) {
		for _, k := range sortedKeys(s.privMetaWrites[c]) {
			fmt.Fprintf(&b, "pvtmeta %s %q %x\n", c, k, s.privMetaWrites[c][k][validationParameterKey])
		}
	}
	return b.String()
}
