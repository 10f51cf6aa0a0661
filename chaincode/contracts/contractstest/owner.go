package contractstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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

// ClaimCode is a claim code as a dealer's system or a seller's device
// makes it off the chain: the private half of a fresh claim key, which the
// ledger knows only by its public half.
type ClaimCode struct {
	// Code is the text the buyer is handed.
	Code string
	// Key is the claim key the code is.
	Key *OwnerKey
}

// NewClaimCode makes a fresh claim key and its code.
func NewClaimCode(t require.TestingT) ClaimCode {
	priv, err := statement.NewClaimKey()
	require.NoError(t, err)
	pub, err := statement.PublicKeyOf(priv)
	require.NoError(t, err)
	return ClaimCode{Code: statement.EncodeClaimCode(priv), Key: &OwnerKey{Private: priv, Public: pub}}
}

// PublicKey is the claim key's public half as a client sends it.
func (c ClaimCode) PublicKey() string { return c.Key.SPKI() }

// Fingerprint is the claim key's fingerprint, the one a release names
// (claim:<fingerprint>).
func (c ClaimCode) Fingerprint() string { return c.Key.Fingerprint() }

// SellFromStock sells a registered car from the dealer's stock (DealerMSP
// sales) at km, an hour before the clock, and returns the claim code the
// dealer hands the buyer.
func (l *Ledger) SellFromStock(vinCode string, km int64) ClaimCode {
	l.T.Helper()
	code := NewClaimCode(l.T)
	OK[ownertypes.SaleResult](l.T, l.Submit("DealerMSP", "sales", "owner:SellFromStock", vinCode, ownertypes.SaleRequest{
		SaleDate: l.Clock.Now().Add(-time.Hour), OdometerKm: km, UseType: "private", ClaimPublicKey: code.PublicKey()}))
	return code
}

// ClaimEnvelope is key's claim statement for vinCode, signed by key and,
// as claimSignature, by the claim key code is: what the buyer's device
// sends. The code itself goes nowhere.
func (l *Ledger) ClaimEnvelope(vinCode, code string, key *OwnerKey) ownertypes.StatementEnvelope {
	l.T.Helper()
	claimKey, err := statement.ParseClaimCode(code)
	require.NoError(l.T, err)
	env := key.Sign(l, l.Statement(vinCode, statement.Claim, map[string]string{"key": key.Fingerprint()}))
	sig, err := statement.Sign(claimKey, []byte(env.Statement))
	require.NoError(l.T, err)
	env.ClaimSignature = base64.StdEncoding.EncodeToString(sig)
	return env
}

// ClaimTx is the owner:Claim transaction of key with code, relayed by the
// DealerMSP's owner-services.
func (l *Ledger) ClaimTx(vinCode, code string, key *OwnerKey) mockstub.Tx {
	l.T.Helper()
	return mockstub.Tx{Creator: l.As("DealerMSP", "owner-services"), Function: "owner:Claim", Args: Args(vinCode, l.ClaimEnvelope(vinCode, code, key))}
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

// SaleParams are a release-sale statement's parameters: the buyer
// (key:<fp> or claim:<fp>), the odometer reading, the sale date and the
// use type.
func SaleParams(buyer string, km int64, saleDate time.Time, useType string) map[string]string {
	return map[string]string{"buyer": buyer, "odometerKm": strconv.FormatInt(km, 10),
		"saleDate": statement.FormatTime(saleDate), "useType": useType}
}

// Resell has seller release the car to a new key at km for useType, sold
// a minute before the clock, and relays the sale (InsurerMSP's
// owner-services, any relay would do); it returns the buyer's key, bound
// at once.
func (l *Ledger) Resell(vinCode string, seller *OwnerKey, km int64, useType string) *OwnerKey {
	l.T.Helper()
	buyer := l.NewOwnerKey()
	env := seller.Sign(l, l.Statement(vinCode, statement.ReleaseSale,
		SaleParams("key:"+buyer.Fingerprint(), km, l.Clock.Now().Add(-time.Minute), useType)))
	OK[ownertypes.SaleResult](l.T, l.Submit("InsurerMSP", "owner-services", "owner:Sell", vinCode, ownertypes.SellRequest{
		Envelope: env, BuyerPublicKey: buyer.SPKI()}))
	return buyer
}
