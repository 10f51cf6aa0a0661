// Package mockstub runs contract-api chaincode in memory, the way a Fabric
// peer would, so that what passes a unit test also passes on the channel.
//
// A Ledger holds committed state. Each Invoke is one transaction: it reads
// committed state only (Fabric does not let a transaction read its own
// writes, range scans included), its writes are committed only when the
// chaincode succeeds, and it gets one chaincode event (the last SetEvent
// call wins). Paginated and private-data range queries are refused in a
// transaction that writes, with the peer's rule; private data is visible only
// on a peer of a member org; history is kept per key, newest first.
//
// Determinism is checked by default: each transaction is executed twice on
// the same committed state, as two endorsing peers would, and the test fails
// when the responses, events or read/write sets differ.
//
// Rich queries (GetQueryResult) need CouchDB and are not re-validated at
// commit; AutoLedger does not use them, and the stub refuses them.
package mockstub
