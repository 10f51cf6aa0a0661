package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"google.golang.org/protobuf/proto"
)

// facts checks that every fact of the bundle is one the endorsed report
// lists and, for each fact with a block, that the block proves it.
func (v *verifier) facts() (string, error) {
	if v.report == nil {
		return "", errNotChecked
	}
	listed := map[reportFact]bool{}
	for _, f := range v.report.Facts {
		listed[f] = true
	}
	proven := 0
	var errs []error
	for _, f := range v.b.Facts {
		if !listed[reportFact{Seq: f.Seq, Type: f.Type, TxID: f.TxID}] {
			errs = append(errs, fmt.Errorf("fact %d (%s, tx %s) is not in the endorsed report", f.Seq, f.Type, f.TxID))
			continue
		}
		if len(f.Block) == 0 {
			continue
		}
		if err := v.proveFact(f); err != nil {
			errs = append(errs, fmt.Errorf("fact %d (tx %s): %w", f.Seq, f.TxID, err))
			continue
		}
		proven++
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d proven by orderer-signed blocks, %d claims of the endorsed report", proven, len(v.b.Facts)-proven), nil
}

func (v *verifier) proveFact(f Fact) error {
	trust, err := v.trust()
	if err != nil {
		return err
	}
	var block common.Block
	if err := proto.Unmarshal(f.Block, &block); err != nil {
		return fmt.Errorf("common.Block: %w", err)
	}
	hdr := block.GetHeader()
	if hdr == nil {
		return errors.New("block has no header")
	}
	sum := sha256.Sum256(bytes.Join(block.GetData().GetData(), nil))
	if !bytes.Equal(sum[:], hdr.GetDataHash()) {
		return fmt.Errorf("block %d: the data hash does not match the block's transactions", hdr.GetNumber())
	}
	// Find the transaction first: its timestamp is when the orderer's and
	// the endorsers' certificates must have been valid.
	var tx *endorsedTx
	for _, env := range block.GetData().GetData() {
		t, err := parseEndorsedTx(env)
		if err == nil && t.txID == f.TxID {
			tx = t
			break
		}
	}
	if tx == nil {
		return fmt.Errorf("block %d holds no endorser transaction %s", hdr.GetNumber(), f.TxID)
	}
	if err := v.ordererSigned(&block, trust, tx); err != nil {
		return fmt.Errorf("block %d: %w", hdr.GetNumber(), err)
	}
	if tx.channel != v.b.Channel {
		return fmt.Errorf("transaction channel %q, want %q", tx.channel, v.b.Channel)
	}
	if err := tx.isSuccess(); err != nil {
		return err
	}
	orgs := map[string]bool{}
	for i, e := range tx.endorsements {
		if _, err := verifySignedBy(e.GetEndorser(), concat(tx.prpBytes, e.GetEndorser()), e.GetSignature()); err != nil {
			return fmt.Errorf("endorsement %d: %w", i, err)
		}
		id, err := trust.identity(e.GetEndorser(), roleEndorser, tx.timestamp)
		if err != nil {
			return fmt.Errorf("endorsement %d: %w", i, err)
		}
		orgs[id.mspID] = true
	}
	if need := len(trust.members)/2 + 1; len(orgs) < need {
		return fmt.Errorf("%d member orgs endorsed the transaction, a majority needs %d", len(orgs), need)
	}
	return v.wroteFact(tx, f)
}

// ordererSigned checks the SIGNATURES metadata: at least one signature by
// an orderer-org orderer over value || signature header || header bytes.
func (v *verifier) ordererSigned(block *common.Block, trust *trust, tx *endorsedTx) error {
	meta := block.GetMetadata().GetMetadata()
	if len(meta) <= int(common.BlockMetadataIndex_SIGNATURES) {
		return errors.New("no SIGNATURES metadata")
	}
	var md common.Metadata
	if err := proto.Unmarshal(meta[common.BlockMetadataIndex_SIGNATURES], &md); err != nil {
		return fmt.Errorf("SIGNATURES metadata: %w", err)
	}
	hdrBytes, err := blockHeaderBytes(block.GetHeader())
	if err != nil {
		return err
	}
	var errs []error
	for i, s := range md.GetSignatures() {
		if len(s.GetSignatureHeader()) == 0 {
			// Fabric 3's BFT signatures name the consenter instead; a Raft
			// orderer (Fabric 2.5) always writes the signature header.
			errs = append(errs, fmt.Errorf("signature %d has no signature header", i))
			continue
		}
		var sh common.SignatureHeader
		if err := proto.Unmarshal(s.GetSignatureHeader(), &sh); err != nil {
			errs = append(errs, fmt.Errorf("signature %d: common.SignatureHeader: %w", i, err))
			continue
		}
		if _, err := verifySignedBy(sh.GetCreator(), concat(md.GetValue(), s.GetSignatureHeader(), hdrBytes), s.GetSignature()); err != nil {
			errs = append(errs, fmt.Errorf("signature %d: %w", i, err))
			continue
		}
		if _, err := trust.identity(sh.GetCreator(), roleOrderer, tx.timestamp); err != nil {
			errs = append(errs, fmt.Errorf("signature %d: %w", i, err))
			continue
		}
		return nil
	}
	if len(errs) == 0 {
		return errors.New("no orderer signature")
	}
	return fmt.Errorf("no valid orderer signature: %w", errors.Join(errs...))
}

// blockHeaderBytes is Fabric's ASN.1 DER encoding of a block header:
// SEQUENCE { INTEGER number, OCTET STRING previousHash, OCTET STRING dataHash }.
func blockHeaderBytes(h *common.BlockHeader) ([]byte, error) {
	return asn1.Marshal(struct {
		Number       *big.Int
		PreviousHash []byte
		DataHash     []byte
	}{new(big.Int).SetUint64(h.GetNumber()), h.GetPreviousHash(), h.GetDataHash()})
}

// lifeEvent is what the verifier reads of a written life event.
type lifeEvent struct {
	VIN  string `json:"vin"`
	Seq  *int64 `json:"seq"`
	Type string `json:"type"`
	TxID string `json:"txId"`
}

// wroteFact checks that the transaction's write set, in the chaincode's
// namespace, writes the life event f under its key.
func (v *verifier) wroteFact(tx *endorsedTx, f Fact) error {
	var rws rwset.TxReadWriteSet
	if err := proto.Unmarshal(tx.action.GetResults(), &rws); err != nil {
		return fmt.Errorf("rwset.TxReadWriteSet: %w", err)
	}
	key := EventKey(v.b.VIN, f.Seq)
	for _, ns := range rws.GetNsRwset() {
		if ns.GetNamespace() != Chaincode {
			continue
		}
		var kv kvrwset.KVRWSet
		if err := proto.Unmarshal(ns.GetRwset(), &kv); err != nil {
			return fmt.Errorf("kvrwset.KVRWSet: %w", err)
		}
		for _, w := range kv.GetWrites() {
			if w.GetKey() != key || w.GetIsDelete() {
				continue
			}
			var ev lifeEvent
			if err := json.Unmarshal(w.GetValue(), &ev); err != nil {
				return fmt.Errorf("the write of %q is not a life event: %w", printableKey(key), err)
			}
			if ev.Seq == nil || *ev.Seq != f.Seq || ev.VIN != v.b.VIN || ev.Type != f.Type || ev.TxID != f.TxID {
				return fmt.Errorf("the write of %q is not life event %d (%s) of %s", printableKey(key), f.Seq, f.Type, v.b.VIN)
			}
			return nil
		}
	}
	return fmt.Errorf("the write set of %s does not write life event %d (key %q)", Chaincode, f.Seq, printableKey(key))
}

// EventKey is the vehicle contract's state key of a life event: Fabric's
// composite key of object type "vehicle~event" with attributes VIN and the
// seq as 12 decimal digits: U+0000 type U+0000 vin U+0000 seq U+0000.
func EventKey(vin string, seq int64) string {
	return fmt.Sprintf("\x00vehicle~event\x00%s\x00%012d\x00", vin, seq)
}

func printableKey(k string) string {
	return string(bytes.ReplaceAll([]byte(k), []byte{0}, []byte{'/'}))
}
