package verifytest

import (
	"crypto/sha256"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/autoledger/autoledger/gateway/verify"
)

// Tx is one chaincode invocation to endorse.
type Tx struct {
	Channel   string
	Chaincode string // verify.Chaincode when empty
	Args      []string
	Timestamp time.Time
	Client    *Identity // the proposal's creator; the first member's client when nil
	Status    int32     // 200 when zero
	Payload   []byte    // the chaincode response payload
	Results   []byte    // a serialized rwset.TxReadWriteSet, or nil
	Endorsers []*Identity
	// SignedPayload, when set, gives the proposal response payload endorser
	// i signs instead of the one the envelope carries (a divergent peer).
	SignedPayload func(i int, prp []byte) []byte
}

// Endorse builds the transaction envelope fabric-gateway's Endorse()
// returns (Transaction.Bytes()): the proposal's header, the chaincode
// proposal payload, one proposal response payload and every endorsement
// over it, signed by the client. It returns the envelope and its tx ID.
func (n *Network) Endorse(tx Tx) ([]byte, string, error) {
	if tx.Client == nil {
		tx.Client = n.Members[0].Client
	}
	nonce := randomBytes(24)
	env, err := n.endorseNonce(tx, nonce)
	return env, TxID(nonce, tx.Client.Serialized()), err
}

func (n *Network) endorseNonce(tx Tx, nonce []byte) ([]byte, error) {
	if tx.Chaincode == "" {
		tx.Chaincode = verify.Chaincode
	}
	if tx.Status == 0 {
		tx.Status = 200
	}
	if tx.Client == nil {
		tx.Client = n.Members[0].Client
	}
	creator := tx.Client.Serialized()
	txID := TxID(nonce, creator)
	ccID := &peer.ChaincodeID{Name: tx.Chaincode}
	chdr := mustMarshal(&common.ChannelHeader{
		Type:      int32(common.HeaderType_ENDORSER_TRANSACTION),
		ChannelId: tx.Channel,
		TxId:      txID,
		Timestamp: timestamppb.New(tx.Timestamp),
		Extension: mustMarshal(&peer.ChaincodeHeaderExtension{ChaincodeId: ccID}),
	})
	shdr := mustMarshal(&common.SignatureHeader{Creator: creator, Nonce: nonce})
	args := make([][]byte, len(tx.Args))
	for i, a := range tx.Args {
		args[i] = []byte(a)
	}
	// The transaction carries the proposal payload without its transient
	// map; the proposal hash covers that form.
	cpp := mustMarshal(&peer.ChaincodeProposalPayload{Input: mustMarshal(&peer.ChaincodeInvocationSpec{
		ChaincodeSpec: &peer.ChaincodeSpec{Type: peer.ChaincodeSpec_GOLANG, ChaincodeId: ccID, Input: &peer.ChaincodeInput{Args: args}},
	})})
	h := sha256.New()
	h.Write(chdr)
	h.Write(shdr)
	h.Write(cpp)
	prp := mustMarshal(&peer.ProposalResponsePayload{
		ProposalHash: h.Sum(nil),
		Extension: mustMarshal(&peer.ChaincodeAction{
			Results:     tx.Results,
			Response:    &peer.Response{Status: tx.Status, Payload: tx.Payload},
			ChaincodeId: &peer.ChaincodeID{Name: tx.Chaincode, Version: "1.0"},
		}),
	})
	var ends []*peer.Endorsement
	for i, e := range tx.Endorsers {
		signed := prp
		if tx.SignedPayload != nil {
			signed = tx.SignedPayload(i, prp)
		}
		endorser := e.Serialized()
		ends = append(ends, &peer.Endorsement{Endorser: endorser, Signature: e.Sign(append(append([]byte{}, signed...), endorser...))})
	}
	cap := mustMarshal(&peer.ChaincodeActionPayload{
		ChaincodeProposalPayload: cpp,
		Action:                   &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp, Endorsements: ends},
	})
	payload := mustMarshal(&common.Payload{
		Header: &common.Header{ChannelHeader: chdr, SignatureHeader: shdr},
		Data:   mustMarshal(&peer.Transaction{Actions: []*peer.TransactionAction{{Header: shdr, Payload: cap}}}),
	})
	return mustMarshal(&common.Envelope{Payload: payload, Signature: tx.Client.Sign(payload)}), nil
}

// ReportFact is one entry of an attested report's facts.
type ReportFact struct {
	Seq        int64     `json:"seq"`
	Type       string    `json:"type"`
	TxID       string    `json:"txId"`
	RecordedAt time.Time `json:"recordedAt"`
	RecordedBy string    `json:"recordedBy"`
}

// AttestedReport is vehicle:AttestedReport's result shape; Report is the
// vehicle report, opaque here.
type AttestedReport struct {
	Format    string          `json:"format"`
	Channel   string          `json:"channel"`
	VIN       string          `json:"vin"`
	Challenge string          `json:"challenge"`
	AsOf      time.Time       `json:"asOf"`
	Report    json.RawMessage `json:"report"`
	Facts     []ReportFact    `json:"facts"`
}

// BundleOptions says what bundle to build. Zero fields take defaults.
type BundleOptions struct {
	VIN       string    // "1G4AH59H45G118341"
	Challenge string    // 64 hex digits
	ProvedAt  time.Time // 2026-06-01T12:00:00.123456789Z
	// Report is the vehicle report JSON ({"vin":...,"odometerKm":42000}).
	Report json.RawMessage
	Facts  []verify.Fact
	// Result replaces the whole AttestedReport JSON when set.
	Result    []byte
	Endorsers []*Identity // MajorityPeers() when nil
	// SignedPayload as in Tx.
	SignedPayload func(i int, prp []byte) []byte
}

// Defaults of BundleOptions.
const (
	DefaultVIN       = "1G4AH59H45G118341"
	DefaultChallenge = "6a1f0c3e9b2d4f5a7c8e0b1d3f5a7c9e1b3d5f7a9c0e2b4d6f8a0c2e4b6d8f0a"
)

// DefaultProvedAt is BundleOptions' default proof time.
var DefaultProvedAt = time.Date(2026, 6, 1, 12, 0, 0, 123456789, time.UTC)

// Bundle builds a report bundle as the gateway would serve it.
func (n *Network) Bundle(o BundleOptions) (verify.Bundle, error) {
	if o.VIN == "" {
		o.VIN = DefaultVIN
	}
	if o.Challenge == "" {
		o.Challenge = DefaultChallenge
	}
	if o.ProvedAt.IsZero() {
		o.ProvedAt = DefaultProvedAt
	}
	if o.Report == nil {
		o.Report = json.RawMessage(fmt.Sprintf(`{"vin":%q,"odometerKm":42000}`, o.VIN))
	}
	if o.Endorsers == nil {
		o.Endorsers = n.MajorityPeers()
	}
	result := o.Result
	if result == nil {
		ar := AttestedReport{Format: verify.ReportFormat, Channel: n.Channel, VIN: o.VIN, Challenge: o.Challenge,
			AsOf: o.ProvedAt, Report: o.Report, Facts: []ReportFact{}}
		for _, f := range o.Facts {
			ar.Facts = append(ar.Facts, ReportFact{Seq: f.Seq, Type: f.Type, TxID: f.TxID, RecordedAt: Epoch, RecordedBy: n.Members[0].MSPID})
		}
		var err error
		if result, err = json.Marshal(ar); err != nil {
			return verify.Bundle{}, err
		}
	}
	env, _, err := n.Endorse(Tx{
		Channel:       n.Channel,
		Args:          []string{verify.Function, o.VIN, o.Challenge},
		Timestamp:     o.ProvedAt,
		Payload:       result,
		Endorsers:     o.Endorsers,
		SignedPayload: o.SignedPayload,
	})
	if err != nil {
		return verify.Bundle{}, err
	}
	facts := o.Facts
	if facts == nil {
		facts = []verify.Fact{}
	}
	return verify.Bundle{
		Format:    verify.Format,
		Channel:   n.Channel,
		Chaincode: verify.Chaincode,
		Function:  verify.Function,
		VIN:       o.VIN,
		Challenge: o.Challenge,
		ProvedAt:  o.ProvedAt,
		Envelope:  env,
		Result:    result,
		MSPs:      n.MSPs(),
		Members:   n.MemberIDs(),
		Facts:     facts,
	}, nil
}

// KV is one write of a write set.
type KV struct {
	Key   string
	Value []byte
}

// FactTx is a committed transaction that wrote a life event.
type FactTx struct {
	VIN       string // DefaultVIN when empty
	Seq       int64
	Type      string    // "odometer" when empty
	Timestamp time.Time // Epoch + 1 year when zero
	Endorsers []*Identity
	// Writes replace the life-event write when set; the function gets the tx ID.
	Writes func(txID string) []KV
}

// Fact builds a committed transaction that wrote a life event, in a block
// with one other transaction before it, signed by signer (the orderer org's
// orderer when nil) as Fabric 2.5's block writer signs. It returns the fact
// with its block.
func (n *Network) Fact(f FactTx, signer *Identity) (verify.Fact, error) {
	if f.VIN == "" {
		f.VIN = DefaultVIN
	}
	if f.Type == "" {
		f.Type = "odometer"
	}
	if f.Timestamp.IsZero() {
		f.Timestamp = Epoch.AddDate(6, 0, 0)
	}
	if f.Endorsers == nil {
		f.Endorsers = n.MajorityPeers()
	}
	if signer == nil {
		signer = n.Orderer.Peer
	}
	// The tx ID depends on the nonce, so the write set (which holds it)
	// is made inside the builder: endorse once for the ID, then again.
	client := n.Members[0].Client
	var txID string
	resultsFor := func(id string) []byte {
		writes := []KV{}
		if f.Writes != nil {
			writes = f.Writes(id)
		} else {
			ev, _ := json.Marshal(map[string]any{"schemaVersion": 1, "vin": f.VIN, "seq": f.Seq, "type": f.Type, "txId": id,
				"recordedAt": f.Timestamp, "recordedBy": n.Members[0].MSPID, "odometer": map[string]any{"km": 42000}})
			writes = append(writes, KV{Key: verify.EventKey(f.VIN, f.Seq), Value: ev})
		}
		kv := &kvrwset.KVRWSet{}
		for _, w := range writes {
			kv.Writes = append(kv.Writes, &kvrwset.KVWrite{Key: w.Key, Value: w.Value})
		}
		return mustMarshal(&rwset.TxReadWriteSet{DataModel: rwset.TxReadWriteSet_KV, NsRwset: []*rwset.NsReadWriteSet{
			{Namespace: "_lifecycle", Rwset: mustMarshal(&kvrwset.KVRWSet{Reads: []*kvrwset.KVRead{{Key: "namespaces/fields/autoledger/Sequence", Version: &kvrwset.Version{BlockNum: 3}}}})},
			{Namespace: verify.Chaincode, Rwset: mustMarshal(kv)},
		}})
	}
	env, err := n.endorseWithID(Tx{Channel: n.Channel, Args: []string{"vehicle:RecordOdometer", f.VIN, "{}"}, Timestamp: f.Timestamp,
		Client: client, Payload: []byte("{}"), Endorsers: f.Endorsers}, resultsFor, &txID)
	if err != nil {
		return verify.Fact{}, err
	}
	other, _, err := n.Endorse(Tx{Channel: n.Channel, Args: []string{"vehicle:Report", f.VIN}, Timestamp: f.Timestamp,
		Payload: []byte("{}"), Endorsers: f.Endorsers})
	if err != nil {
		return verify.Fact{}, err
	}
	block, err := SignedBlock(7, [][]byte{other, env}, signer)
	if err != nil {
		return verify.Fact{}, err
	}
	return verify.Fact{Seq: f.Seq, Type: f.Type, TxID: txID, Block: block}, nil
}

// endorseWithID endorses tx with the results resultsFor gives for its own tx ID.
func (n *Network) endorseWithID(tx Tx, resultsFor func(txID string) []byte, txID *string) ([]byte, error) {
	// The tx ID is fixed by the nonce and creator; make them first.
	nonce := randomBytes(24)
	*txID = TxID(nonce, tx.Client.Serialized())
	tx.Results = resultsFor(*txID)
	return n.endorseNonce(tx, nonce)
}

// SignedBlock makes block number with the envelopes as data, its data hash,
// and the orderer's signature in the SIGNATURES metadata: over
// metadata.value || signature header || ASN.1 block header, with value an
// OrdererBlockMetadata, as Fabric 2.5's block writer signs.
func SignedBlock(number uint64, envelopes [][]byte, signer *Identity) ([]byte, error) {
	var data []byte
	for _, e := range envelopes {
		data = append(data, e...)
	}
	dataHash := sha256.Sum256(data)
	hdr := &common.BlockHeader{Number: number, PreviousHash: randomBytes(32), DataHash: dataHash[:]}
	hdrBytes, err := HeaderBytes(hdr)
	if err != nil {
		return nil, err
	}
	value := mustMarshal(&common.OrdererBlockMetadata{LastConfig: &common.LastConfig{Index: 0},
		ConsenterMetadata: mustMarshal(&common.Metadata{})})
	sigHdr := mustMarshal(&common.SignatureHeader{Creator: signer.Serialized(), Nonce: randomBytes(24)})
	signed := append(append(append([]byte{}, value...), sigHdr...), hdrBytes...)
	meta := make([][]byte, len(common.BlockMetadataIndex_name))
	meta[common.BlockMetadataIndex_SIGNATURES] = mustMarshal(&common.Metadata{Value: value,
		Signatures: []*common.MetadataSignature{{SignatureHeader: sigHdr, Signature: signer.Sign(signed)}}})
	// Validity flags: written by the committing peer, not signed by anyone.
	meta[common.BlockMetadataIndex_TRANSACTIONS_FILTER] = make([]byte, len(envelopes))
	return mustMarshal(&common.Block{Header: hdr, Data: &common.BlockData{Data: envelopes},
		Metadata: &common.BlockMetadata{Metadata: meta}}), nil
}

// HeaderBytes is Fabric's ASN.1 encoding of a block header: SEQUENCE {
// INTEGER number, OCTET STRING previous hash, OCTET STRING data hash }.
func HeaderBytes(h *common.BlockHeader) ([]byte, error) {
	return asn1.Marshal(struct {
		Number       *big.Int
		PreviousHash []byte
		DataHash     []byte
	}{new(big.Int).SetUint64(h.GetNumber()), h.GetPreviousHash(), h.GetDataHash()})
}
