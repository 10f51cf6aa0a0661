package consenttypes

import "github.com/autoledger/autoledger/chaincode/owner/ownertypes"

// StatementEnvelope carries one signed owner statement: consent:Grant and
// consent:Revoke take the owner contract's envelope, so that clients send
// every owner statement in one shape. Its publicKey is not used here: the
// key that must have signed is the one the ledger binds to the ownership.
type StatementEnvelope = ownertypes.StatementEnvelope
