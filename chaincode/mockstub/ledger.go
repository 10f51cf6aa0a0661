package mockstub

import (
	"crypto/sha256"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Collection describes a private data collection as collections_config.json
// does: the member orgs whose peers hold the data, and whether only members
// may read or write it from a transaction.
type Collection struct {
	Name            string
	Members         []string
	MemberOnlyRead  bool
	MemberOnlyWrite bool
}

func (c Collection) isMember(msp string) bool { return slices.Contains(c.Members, msp) }

// DefaultTotalQueryLimit is the peer's ledger.state.totalQueryLimit default:
// a range query returns at most this many records, silently truncated.
const DefaultTotalQueryLimit = 100000

// Ledger is the committed state of one chaincode on one channel.
type Ledger struct {
	tb          testing.TB
	cc          shim.Chaincode
	channel     string
	chaincode   string
	clock       *Clock
	collections map[string]Collection
	determinism bool
	queryLimit  int
	readFault   ReadFault

	mu      sync.Mutex
	public  *store
	private map[string]*store
	hashes  map[string]map[string]versioned // collection -> key -> hash of value
	block   uint64
	nonce   uint64
}

// Option configures a Ledger.
type Option func(*Ledger)

// WithChannel sets the channel ID (default "autoledger").
func WithChannel(id string) Option { return func(l *Ledger) { l.channel = id } }

// WithChaincodeName sets the chaincode name in signed proposals (default "autoledger").
func WithChaincodeName(name string) Option { return func(l *Ledger) { l.chaincode = name } }

// WithClock sets the clock that stamps transactions (default: a clock at DefaultStart).
func WithClock(c *Clock) Option { return func(l *Ledger) { l.clock = c } }

// WithCollections declares private data collections. Using an undeclared
// collection fails, as on a peer.
func WithCollections(cs ...Collection) Option {
	return func(l *Ledger) {
		for _, c := range cs {
			l.collections[c.Name] = c
		}
	}
}

// WithTotalQueryLimit overrides DefaultTotalQueryLimit.
func WithTotalQueryLimit(n int) Option { return func(l *Ledger) { l.queryLimit = n } }

// WithoutDeterminismCheck executes each transaction once. Use it only for
// benchmarks, where the double execution would halve the figures.
func WithoutDeterminismCheck() Option { return func(l *Ledger) { l.determinism = false } }

// New returns an empty ledger running cc. Determinism failures are reported
// through tb.
func New(tb testing.TB, cc shim.Chaincode, opts ...Option) *Ledger {
	l := &Ledger{
		tb: tb, cc: cc, channel: "autoledger", chaincode: "autoledger",
		collections: map[string]Collection{}, determinism: true, queryLimit: DefaultTotalQueryLimit,
		public: newStore(), private: map[string]*store{}, hashes: map[string]map[string]versioned{},
	}
	for _, o := range opts {
		o(l)
	}
	if l.clock == nil {
		l.clock = NewClock(DefaultStart)
	}
	return l
}

// Clock returns the ledger's clock.
func (l *Ledger) Clock() *Clock { return l.clock }

// Height is a committed version: the block and the transaction within it.
type Height struct{ Block, Tx uint64 }

type versioned struct {
	value []byte
	ver   Height
	meta  map[string][]byte
}

type historyEntry struct {
	txID     string
	ts       time.Time
	value    []byte
	isDelete bool
}

type store struct {
	vals    map[string]versioned
	keys    []string // sorted live keys, for range scans
	history map[string][]historyEntry
}

func newStore() *store {
	return &store{vals: map[string]versioned{}, history: map[string][]historyEntry{}}
}

func (s *store) put(key string, v versioned) {
	if _, ok := s.vals[key]; !ok {
		i, _ := slices.BinarySearch(s.keys, key)
		s.keys = slices.Insert(s.keys, i, key)
	}
	s.vals[key] = v
}

func (s *store) del(key string) {
	if _, ok := s.vals[key]; !ok {
		return
	}
	delete(s.vals, key)
	if i, found := slices.BinarySearch(s.keys, key); found {
		s.keys = slices.Delete(s.keys, i, i+1)
	}
}

// rangeKeys returns the live keys in [start, end); end "" is unbounded.
func (s *store) rangeKeys(start, end string) []string {
	i, _ := slices.BinarySearch(s.keys, start)
	j := len(s.keys)
	if end != "" {
		j, _ = slices.BinarySearch(s.keys, end)
	}
	if j < i {
		return nil
	}
	return s.keys[i:j]
}

// State returns the committed value of a public key, or nil.
func (l *Ledger) State(key string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return clone(l.public.vals[key].value)
}

// PrivateData returns the committed value of a private key as a member
// peer holds it, or nil.
func (l *Ledger) PrivateData(collection, key string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.private[collection]; s != nil {
		return clone(s.vals[key].value)
	}
	return nil
}

// PrivateDataHash returns the SHA-256 of a private value as every peer of
// the channel holds it, or nil.
func (l *Ledger) PrivateDataHash(collection, key string) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return clone(l.hashes[collection][key].value)
}

// Keys returns the committed public keys in [start, end), sorted.
func (l *Ledger) Keys(start, end string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.public.rangeKeys(start, end))
}

// BlockHeight is the number of committed blocks (one transaction each).
func (l *Ledger) BlockHeight() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.block
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return slices.Clone(b)
}

func hashOf(v []byte) []byte {
	h := sha256.Sum256(v)
	return h[:]
}

// commit applies a successful transaction's writes in one new block.
func (l *Ledger) commit(tx *txStub) uint64 {
	l.block++
	ver := Height{Block: l.block}
	for _, key := range sortedKeys(tx.writes) {
		w := tx.writes[key]
		l.public.history[key] = append(l.public.history[key], historyEntry{txID: tx.txID, ts: tx.ts, value: w.value, isDelete: w.isDelete()})
		if w.isDelete() {
			l.public.del(key)
			continue
		}
		l.public.put(key, versioned{value: w.value, ver: ver, meta: l.public.vals[key].meta})
	}
	for _, key := range sortedKeys(tx.metaWrites) {
		v, ok := l.public.vals[key]
		if !ok { // Fabric ignores metadata for a key that does not exist
			continue
		}
		v.meta = mergeMeta(v.meta, tx.metaWrites[key])
		v.ver = ver
		l.public.vals[key] = v
	}
	for _, coll := range sortedKeys(tx.privWrites) {
		s := l.private[coll]
		if s == nil {
			s = newStore()
			l.private[coll] = s
		}
		if l.hashes[coll] == nil {
			l.hashes[coll] = map[string]versioned{}
		}
		for _, key := range sortedKeys(tx.privWrites[coll]) {
			w := tx.privWrites[coll][key]
			switch {
			case w.purge:
				s.del(key)
				delete(s.history, key)
				delete(l.hashes[coll], key)
			case w.isDelete():
				s.del(key)
				delete(l.hashes[coll], key)
			default:
				s.put(key, versioned{value: w.value, ver: ver, meta: s.vals[key].meta})
				l.hashes[coll][key] = versioned{value: hashOf(w.value), ver: ver}
			}
		}
	}
	for _, coll := range sortedKeys(tx.privMetaWrites) {
		s := l.private[coll]
		if s == nil {
			continue
		}
		for _, key := range sortedKeys(tx.privMetaWrites[coll]) {
			if v, ok := s.vals[key]; ok {
				v.meta = mergeMeta(v.meta, tx.privMetaWrites[coll][key])
				s.vals[key] = v
			}
		}
	}
	return l.block
}

func mergeMeta(old, upd map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(old)+len(upd))
	for k, v := range old {
		out[k] = v
	}
	for k, v := range upd {
		out[k] = v
	}
	return out
}

// sortedKeys is m's keys in order, so that nothing depends on map order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
