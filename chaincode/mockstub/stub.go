package mockstub

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"time"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// ErrRichQuery is returned by GetQueryResult and its variants.
var ErrRichQuery = errors.New("mockstub: rich queries need CouchDB and are not re-validated at commit; use key ranges or composite keys")

// validationParameterKey is the metadata key Fabric stores key-level
// endorsement policies under.
const validationParameterKey = "VALIDATION_PARAMETER"

// compositeKeyNamespace starts every composite key; simple keys may not.
const compositeKeyNamespace = "\x00"

// emptyKeySubstitute replaces an empty range start so that a simple range
// never reaches composite keys, as in the shim.
const emptyKeySubstitute = "\x01"

type write struct {
	value []byte
	del   bool
	purge bool
}

func (w write) isDelete() bool { return w.del || w.purge || len(w.value) == 0 }

type rangeRead struct {
	collection, start, end string
	keys                   []string
	versions               []Height
}

// txStub is the shim.ChaincodeStubInterface one execution of a transaction sees.
type txStub struct {
	l         *Ledger
	txID      string
	ts        time.Time
	nonce     []byte
	creator   []byte
	peerOrg   string
	clientMSP string
	args      [][]byte
	transient map[string][]byte

	reads          map[string]*Height
	privReads      map[string]map[string]*Height
	ranges         []rangeRead
	writes         map[string]write
	metaWrites     map[string]map[string][]byte
	privWrites     map[string]map[string]write
	privMetaWrites map[string]map[string]map[string][]byte
	event          *peer.ChaincodeEvent

	writePerformed     bool
	paginatedPerformed bool
	pvtQueryPerformed  bool
}

var _ shim.ChaincodeStubInterface = (*txStub)(nil)

func (s *txStub) GetArgs() [][]byte {
	out := make([][]byte, len(s.args))
	for i, a := range s.args {
		out[i] = clone(a)
	}
	return out
}

func (s *txStub) GetStringArgs() []string {
	out := make([]string, len(s.args))
	for i, a := range s.args {
		out[i] = string(a)
	}
	return out
}

func (s *txStub) GetFunctionAndParameters() (string, []string) {
	args := s.GetStringArgs()
	if len(args) == 0 {
		return "", []string{}
	}
	return args[0], args[1:]
}

func (s *txStub) GetArgsSlice() ([]byte, error) {
	var out []byte
	for _, a := range s.args {
		out = append(out, a...)
	}
	return out, nil
}

func (s *txStub) GetTxID() string      { return s.txID }
func (s *txStub) GetChannelID() string { return s.l.channel }

func (s *txStub) InvokeChaincode(string, [][]byte, string) *peer.Response {
	return &peer.Response{Status: shim.ERROR, Message: "mockstub: chaincode-to-chaincode calls are not supported"}
}

// --- public state ---

func (s *txStub) GetState(key string) ([]byte, error) {
	if err := s.fault("", key); err != nil {
		return nil, err
	}
	v, ok := s.l.public.vals[key]
	if !ok {
		s.reads[key] = nil
		return nil, nil
	}
	h := v.ver
	s.reads[key] = &h
	return clone(v.value), nil
}

func (s *txStub) GetMultipleStates(keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetState(k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (s *txStub) checkWrite(key string) error {
	if s.paginatedPerformed {
		return fmt.Errorf("txid [%s]: unsupported transaction: it has already performed a paginated query, writes are not allowed", s.txID)
	}
	if s.pvtQueryPerformed {
		return fmt.Errorf("txid [%s]: unsupported transaction: it has already performed queries on private data, writes are not allowed", s.txID)
	}
	if !utf8.ValidString(key) {
		return fmt.Errorf("invalid key [%x]: not valid UTF-8", key)
	}
	s.writePerformed = true
	return nil
}

func (s *txStub) PutState(key string, value []byte) error {
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.writes[key] = write{value: clone(value)}
	return nil
}

func (s *txStub) DelState(key string) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	s.writes[key] = write{del: true}
	return nil
}

func (s *txStub) SetStateValidationParameter(key string, ep []byte) error {
	if err := s.checkWrite(key); err != nil {
		return err
	}
	if s.metaWrites[key] == nil {
		s.metaWrites[key] = map[string][]byte{}
	}
	s.metaWrites[key][validationParameterKey] = clone(ep)
	return nil
}

func (s *txStub) GetStateValidationParameter(key string) ([]byte, error) {
	if err := s.fault("", key); err != nil {
		return nil, err
	}
	return clone(s.l.public.vals[key].meta[validationParameterKey]), nil
}

func validateSimpleKeys(keys ...string) error {
	for _, k := range keys {
		if len(k) > 0 && k[0] == compositeKeyNamespace[0] {
			return fmt.Errorf("first character of the key [%s] contains a null character which is not allowed", k)
		}
	}
	return nil
}

func (s *txStub) GetStateByRange(startKey, endKey string) (shim.StateQueryIteratorInterface, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, err
	}
	if err := s.fault("", startKey); err != nil {
		return nil, err
	}
	kvs, _ := s.scan("", startKey, endKey, 0)
	return kvs, nil
}

func (s *txStub) GetStateByRangeWithPagination(startKey, endKey string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, nil, err
	}
	return s.paged(startKey, endKey, pageSize, bookmark)
}

func (s *txStub) GetStateByPartialCompositeKey(objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	start, end, err := partialRange(objectType, keys)
	if err != nil {
		return nil, err
	}
	if err := s.fault("", start); err != nil {
		return nil, err
	}
	kvs, _ := s.scan("", start, end, 0)
	return kvs, nil
}

func (s *txStub) GetStateByPartialCompositeKeyWithPagination(objectType string, keys []string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	start, end, err := partialRange(objectType, keys)
	if err != nil {
		return nil, nil, err
	}
	return s.paged(start, end, pageSize, bookmark)
}

func (s *txStub) GetAllStatesCompositeKeyWithPagination(pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return s.paged(compositeKeyNamespace, compositeKeyNamespace+string(rune(utf8.MaxRune)), pageSize, bookmark)
}

func partialRange(objectType string, keys []string) (string, string, error) {
	k, err := shim.CreateCompositeKey(objectType, keys)
	if err != nil {
		return "", "", err
	}
	return k, k + string(rune(utf8.MaxRune)), nil
}

func (s *txStub) paged(start, end string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if s.writePerformed {
		return nil, nil, fmt.Errorf("txid [%s]: unsupported transaction: paginated queries are supported only in a read-only transaction", s.txID)
	}
	s.paginatedPerformed = true
	if bookmark != "" {
		start = bookmark
	}
	if err := s.fault("", start); err != nil {
		return nil, nil, err
	}
	it, next := s.scan("", start, end, int(pageSize))
	return it, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(it.items)), Bookmark: next}, nil
}

// scan reads committed keys in [start, end) of the public state or of a
// collection, at most limit of them (0: the peer's total query limit). It
// returns the key a next page would start at, "" when none is left.
func (s *txStub) scan(collection, start, end string, limit int) (*kvIterator, string) {
	st := s.l.public
	if collection != "" {
		st = s.l.private[collection]
		if st == nil || !s.l.collections[collection].isMember(s.peerOrg) {
			st = newStore() // a non-member peer holds no private data
		}
	}
	if limit <= 0 || limit > s.l.queryLimit {
		limit = s.l.queryLimit
	}
	keys := st.rangeKeys(start, end)
	next := ""
	if len(keys) > limit {
		next = keys[limit]
		keys = keys[:limit]
	}
	it := &kvIterator{items: make([]*queryresult.KV, len(keys))}
	rr := rangeRead{collection: collection, start: start, end: end, keys: keys, versions: make([]Height, len(keys))}
	for i, k := range keys {
		v := st.vals[k]
		it.items[i] = &queryresult.KV{Namespace: s.l.chaincode, Key: k, Value: clone(v.value)}
		rr.versions[i] = v.ver
	}
	s.ranges = append(s.ranges, rr)
	return it, next
}

func (s *txStub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	return shim.CreateCompositeKey(objectType, attributes)
}

func (s *txStub) SplitCompositeKey(compositeKey string) (string, []string, error) {
	return SplitCompositeKey(compositeKey)
}

// SplitCompositeKey splits a key made by shim.CreateCompositeKey into its
// object type and attributes.
func SplitCompositeKey(compositeKey string) (string, []string, error) {
	if len(compositeKey) == 0 || compositeKey[0] != compositeKeyNamespace[0] {
		return "", nil, fmt.Errorf("%q is not a composite key", compositeKey)
	}
	var parts []string
	from := 1
	for i := 1; i < len(compositeKey); i++ {
		if compositeKey[i] == 0 {
			parts = append(parts, compositeKey[from:i])
			from = i + 1
		}
	}
	if len(parts) == 0 {
		return "", nil, fmt.Errorf("%q is not a composite key", compositeKey)
	}
	return parts[0], parts[1:], nil
}

func (s *txStub) GetQueryResult(string) (shim.StateQueryIteratorInterface, error) {
	return nil, ErrRichQuery
}

func (s *txStub) GetQueryResultWithPagination(string, int32, string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	return nil, nil, ErrRichQuery
}

func (s *txStub) GetPrivateDataQueryResult(string, string) (shim.StateQueryIteratorInterface, error) {
	return nil, ErrRichQuery
}

func (s *txStub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	if err := s.fault("", key); err != nil {
		return nil, err
	}
	entries := s.l.public.history[key]
	it := &historyIterator{}
	for i := len(entries) - 1; i >= 0 && len(it.items) < s.l.queryLimit; i-- {
		e := entries[i]
		it.items = append(it.items, &queryresult.KeyModification{
			TxId: e.txID, Value: clone(e.value), Timestamp: timestamppb.New(e.ts), IsDelete: e.isDelete,
		})
	}
	return it, nil
}

// --- private data ---

func (s *txStub) collection(name string) (Collection, error) {
	if name == "" {
		return Collection{}, errors.New("collection must not be an empty string")
	}
	c, ok := s.l.collections[name]
	if !ok {
		return Collection{}, fmt.Errorf("collection %s not defined for chaincode %s", name, s.l.chaincode)
	}
	return c, nil
}

func (s *txStub) readableCollection(name string) (Collection, error) {
	c, err := s.collection(name)
	if err != nil {
		return c, err
	}
	if c.MemberOnlyRead && !c.isMember(s.clientMSP) {
		return c, fmt.Errorf("tx creator does not have read access permission on privatedata in chaincodeName:%s collectionName: %s", s.l.chaincode, name)
	}
	return c, nil
}

func (s *txStub) writableCollection(name, key string) error {
	c, err := s.collection(name)
	if err != nil {
		return err
	}
	if c.MemberOnlyWrite && !c.isMember(s.clientMSP) {
		return fmt.Errorf("tx creator does not have write access permission on privatedata in chaincodeName:%s collectionName: %s", s.l.chaincode, name)
	}
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	return s.checkWrite(key)
}

func (s *txStub) GetPrivateData(collection, key string) ([]byte, error) {
	c, err := s.readableCollection(collection)
	if err != nil {
		return nil, err
	}
	if err := s.fault(collection, key); err != nil {
		return nil, err
	}
	hash, hashed := s.l.hashes[collection][key]
	if s.privReads[collection] == nil {
		s.privReads[collection] = map[string]*Height{}
	}
	if !hashed {
		s.privReads[collection][key] = nil
		return nil, nil
	}
	h := hash.ver
	s.privReads[collection][key] = &h
	if !c.isMember(s.peerOrg) {
		// The peer has the hash from the block but never received the value.
		return nil, fmt.Errorf("private data matching public hash version is not available. Public hash version = %d:%d, Private data version = <nil>", h.Block, h.Tx)
	}
	return clone(s.l.private[collection].vals[key].value), nil
}

func (s *txStub) GetMultiplePrivateData(collection string, keys ...string) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.GetPrivateData(collection, k)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (s *txStub) GetPrivateDataHash(collection, key string) ([]byte, error) {
	if _, err := s.collection(collection); err != nil {
		return nil, err
	}
	if err := s.fault(collection, key); err != nil {
		return nil, err
	}
	return clone(s.l.hashes[collection][key].value), nil
}

func (s *txStub) putPrivate(collection, key string, w write) error {
	if err := s.writableCollection(collection, key); err != nil {
		return err
	}
	if s.privWrites[collection] == nil {
		s.privWrites[collection] = map[string]write{}
	}
	s.privWrites[collection][key] = w
	return nil
}

func (s *txStub) PutPrivateData(collection, key string, value []byte) error {
	return s.putPrivate(collection, key, write{value: clone(value)})
}

func (s *txStub) DelPrivateData(collection, key string) error {
	return s.putPrivate(collection, key, write{del: true})
}

func (s *txStub) PurgePrivateData(collection, key string) error {
	return s.putPrivate(collection, key, write{purge: true})
}

func (s *txStub) SetPrivateDataValidationParameter(collection, key string, ep []byte) error {
	if err := s.writableCollection(collection, key); err != nil {
		return err
	}
	if s.privMetaWrites[collection] == nil {
		s.privMetaWrites[collection] = map[string]map[string][]byte{}
	}
	if s.privMetaWrites[collection][key] == nil {
		s.privMetaWrites[collection][key] = map[string][]byte{}
	}
	s.privMetaWrites[collection][key][validationParameterKey] = clone(ep)
	return nil
}

func (s *txStub) GetPrivateDataValidationParameter(collection, key string) ([]byte, error) {
	if _, err := s.readableCollection(collection); err != nil {
		return nil, err
	}
	if err := s.fault(collection, key); err != nil {
		return nil, err
	}
	if st := s.l.private[collection]; st != nil {
		return clone(st.vals[key].meta[validationParameterKey]), nil
	}
	return nil, nil
}

func (s *txStub) privateQuery(collection string) error {
	if _, err := s.readableCollection(collection); err != nil {
		return err
	}
	if s.writePerformed {
		return fmt.Errorf("txid [%s]: unsupported transaction: queries on private data are supported only in a read-only transaction", s.txID)
	}
	s.pvtQueryPerformed = true
	return nil
}

func (s *txStub) GetPrivateDataByRange(collection, startKey, endKey string) (shim.StateQueryIteratorInterface, error) {
	if startKey == "" {
		startKey = emptyKeySubstitute
	}
	if err := validateSimpleKeys(startKey, endKey); err != nil {
		return nil, err
	}
	return s.privateScan(collection, startKey, endKey)
}

func (s *txStub) GetPrivateDataByPartialCompositeKey(collection, objectType string, keys []string) (shim.StateQueryIteratorInterface, error) {
	start, end, err := partialRange(objectType, keys)
	if err != nil {
		return nil, err
	}
	return s.privateScan(collection, start, end)
}

// privateScan is a range read of a private collection, refused or failed
// as the peer would.
func (s *txStub) privateScan(collection, start, end string) (shim.StateQueryIteratorInterface, error) {
	if err := s.privateQuery(collection); err != nil {
		return nil, err
	}
	if err := s.fault(collection, start); err != nil {
		return nil, err
	}
	it, _ := s.scan(collection, start, end, 0)
	return it, nil
}

// --- proposal ---

func (s *txStub) GetCreator() ([]byte, error) { return clone(s.creator), nil }

func (s *txStub) GetTransient() (map[string][]byte, error) {
	out := make(map[string][]byte, len(s.transient))
	for k, v := range s.transient {
		out[k] = clone(v)
	}
	return out, nil
}

// GetBinding returns SHA-256(nonce || creator || epoch), as Fabric computes it.
func (s *txStub) GetBinding() ([]byte, error) {
	epoch := make([]byte, 8)
	binary.LittleEndian.PutUint64(epoch, 0)
	h := sha256.New()
	h.Write(s.nonce)
	h.Write(s.creator)
	h.Write(epoch)
	return h.Sum(nil), nil
}

func (s *txStub) GetDecorations() map[string][]byte { return map[string][]byte{} }

func (s *txStub) GetSignedProposal() (*peer.SignedProposal, error) {
	chdr, err := proto.Marshal(&common.ChannelHeader{
		Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: s.l.channel, TxId: s.txID,
		Timestamp: timestamppb.New(s.ts),
	})
	if err != nil {
		return nil, err
	}
	shdr, err := proto.Marshal(&common.SignatureHeader{Creator: s.creator, Nonce: s.nonce})
	if err != nil {
		return nil, err
	}
	hdr, err := proto.Marshal(&common.Header{ChannelHeader: chdr, SignatureHeader: shdr})
	if err != nil {
		return nil, err
	}
	input, err := proto.Marshal(&peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type: peer.ChaincodeSpec_GOLANG, ChaincodeId: &peer.ChaincodeID{Name: s.l.chaincode},
		Input: &peer.ChaincodeInput{Args: s.GetArgs()},
	}})
	if err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(&peer.ChaincodeProposalPayload{Input: input, TransientMap: maps.Clone(s.transient)})
	if err != nil {
		return nil, err
	}
	prop, err := proto.Marshal(&peer.Proposal{Header: hdr, Payload: payload})
	if err != nil {
		return nil, err
	}
	return &peer.SignedProposal{ProposalBytes: prop}, nil
}

func (s *txStub) GetTxTimestamp() (*timestamppb.Timestamp, error) { return timestamppb.New(s.ts), nil }

func (s *txStub) SetEvent(name string, payload []byte) error {
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.event = &peer.ChaincodeEvent{ChaincodeId: s.l.chaincode, TxId: s.txID, EventName: name, Payload: clone(payload)}
	return nil
}

// Write batching only changes how writes reach the peer, not what commits.
func (s *txStub) StartWriteBatch()        {}
func (s *txStub) FinishWriteBatch() error { return nil }

// --- iterators ---

// sliceIterator walks a slice: the state iterator (T *queryresult.KV) and
// the history iterator (T *queryresult.KeyModification) of the shim.
type sliceIterator[T any] struct {
	items []T
	i     int
}

type (
	kvIterator      = sliceIterator[*queryresult.KV]
	historyIterator = sliceIterator[*queryresult.KeyModification]
)

func (it *sliceIterator[T]) HasNext() bool { return it.i < len(it.items) }
func (it *sliceIterator[T]) Close() error  { return nil }
func (it *sliceIterator[T]) Next() (T, error) {
	if !it.HasNext() {
		var zero T
		return zero, errors.New("no such key")
	}
	it.i++
	return it.items[it.i-1], nil
}
