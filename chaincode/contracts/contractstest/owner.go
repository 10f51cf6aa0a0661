package contractstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/stretchr/testify/require"
)

// Channel is the channel the mock ledger runs on (mockstub's default,
// which New keeps): owner statements must name it.
const Channel = "autoledger"

// OwnerKey is a car owner's P-256 key pair, as the owner's device holds
// it: one per car ownership.
type OwnerKey struct {
	Private *ecdsa.PrivateKey
	Public  statement.PublicKey
}

// NewOwnerKey makes a fresh owner key.
func (l *Ledger) NewOwnerKey() *OwnerKey {
	l.T.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(l.T, err)
	raw, err := priv.PublicKey.Bytes()
	require.NoError(l.T, err)
	pub, err := statement.ParsePublicKey(raw)
	require.NoError(l.T, err)
	return &OwnerKey{Private: priv, Public: pub}
}

// SPKI is the key's public half as a client sends it: base64 of the SPKI.
func (k *OwnerKey) SPKI() string { return base64.StdEncoding.EncodeToString(k.Public.SPKI()) }

// Fingerprint is the key's fingerprint.
func (k *OwnerKey) Fingerprint() string { return k.Public.Fingerprint() }

// Sign encodes s and signs it as WebCrypto does (SHA-256, IEEE P1363
// r || s): the envelope a relay sends, with the signer's SPKI.
func (k *OwnerKey) Sign(l *Ledger, s statement.Statement) ownertypes.StatementEnvelope {
	l.T.Helper()
	msg, err := s.Encode()
	require.NoError(l.T, err)
	digest := sha256.Sum256(msg)
	r, sv, err := ecdsa.Sign(rand.Reader, k.Private, digest[:])
	require.NoError(l.T, err)
	sig := make([]byte, statement.SignatureSize)
	r.FillBytes(sig[:32])
	sv.FillBytes(sig[32:])
	return ownertypes.StatementEnvelope{Statement: string(msg), Signature: base64.StdEncoding.EncodeToString(sig), PublicKey: k.SPKI()}
}

// Statement is a statement for vinCode on the ledger's channel with a
// fresh nonce, expiring ten minutes after the ledger clock.
func (l *Ledger) Statement(vinCode string, action statement.Action, params map[string]string) statement.Statement {
	l.T.Helper()
	return statement.Statement{Channel: Channel, VIN: vinCode, Action: action, Params: params,
		Nonce: RandomHex(l.T, 16), Expires: l.Clock.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)}
}

// RandomHex is n random bytes in lower-case hex (a nonce, a salt).
func RandomHex(t require.TestingT, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// ClaimCode is a claim code and its salt as a dealer's system or a
// seller's device makes them off the chain.
type ClaimCode struct{ Code, Salt string }

// NewClaimCode makes a random claim code (160 bits) and salt.
func NewClaimCode(t require.TestingT) ClaimCode {
	return ClaimCode{Code: RandomHex(t, 20), Salt: RandomHex(t, 16)}
}

// Hash is the code's claim hash, the one the ledger holds.
func (c ClaimCode) Hash() string { return ownertypes.ClaimHash(c.Salt, c.Code) }

// SellFromStock sells a registered car from the dealer's stock (DealerMSP
// sales) at km, an hour before the clock, and returns the claim code the
// dealer hands the buyer.
func (l *Ledger) SellFromStock(vinCode string, km int64) ClaimCode {
	l.T.Helper()
	code := NewClaimCode(l.T)
	OK[ownertypes.SaleResult](l.T, l.Submit("DealerMSP", "sales", "owner:SellFromStock", vinCode, ownertypes.SaleRequest{
		SaleDate: l.Clock.Now().Add(-time.Hour), OdometerKm: km, UseType: "private", ClaimHash: code.Hash(), ClaimSalt: code.Salt}))
	return code
}

// ClaimTx is the owner:Claim transaction of key with code, relayed by the
// DealerMSP's owner-services.
func (l *Ledger) ClaimTx(vinCode, code string, key *OwnerKey) mockstub.Tx {
	l.T.Helper()
	env := key.Sign(l, l.Statement(vinCode, statement.Claim, map[string]string{"key": key.Fingerprint()}))
	b, err := json.Marshal(ownertypes.ClaimTransient{Code: code})
	require.NoError(l.T, err)
	return mockstub.Tx{Creator: l.As("DealerMSP", "owner-services"), Function: "owner:Claim", Args: Args(vinCode, env),
		Transient: map[string][]byte{ownertypes.ClaimTransientKey: b}}
}

// Claim binds key to the car's ownership that awaits code.
func (l *Ledger) Claim(vinCode, code string, key *OwnerKey) ownertypes.Ownership {
	l.T.Helper()
	return OK[ownertypes.Ownership](l.T, l.Invoke(l.ClaimTx(vinCode, code, key)))
}

// Owned sells a registered car from stock at km and has its buyer claim it
// with a new key, which it returns: a car with an owner.
func (l *Ledger) Owned(vinCode string, km int64) *OwnerKey {
	l.T.Helper()
	code := l.SellFromStock(vinCode, km)
	key := l.NewOwnerKey()
	l.Claim(vinCode, code.Code, key)
	return key
}

// Resell has seller release the car to a new key at km and relays the sale
// for useType (InsurerMSP's owner-services, any relay would do); it returns
// the buyer's key, bound at once.
func (l *Ledger) Resell(vinCode string, seller *OwnerKey, km int64, useType string) *OwnerKey {
	l.T.Helper()
	buyer := l.NewOwnerKey()
	env := seller.Sign(l, l.Statement(vinCode, statement.ReleaseSale, map[string]string{
		"buyer": "key:" + buyer.Fingerprint(), "odometerKm": strconv.FormatInt(km, 10)}))
	OK[ownertypes.SaleResult](l.T, l.Submit("InsurerMSP", "owner-services", "owner:Sell", vinCode, ownertypes.SellRequest{
		Envelope: env, SaleDate: l.Clock.Now().Add(-time.Minute), UseType: useType, BuyerPublicKey: buyer.SPKI()}))
	return buyer
}
