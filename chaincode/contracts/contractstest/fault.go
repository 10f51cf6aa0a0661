package contractstest

import (
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/stretchr/testify/require"
)

// FailsInternally requires the transaction to fail with an error that
// carries no code (an internal fault, such as a failed ledger read made by
// mockstub's FailReads), that mentions cause, and to commit nothing: a
// failed read must never pass for NOT_FOUND or be written over.
func FailsInternally(t testing.TB, r *mockstub.Result, cause string) {
	t.Helper()
	require.False(t, r.OK(), "expected an internal fault (%s), transaction succeeded", cause)
	require.False(t, r.Committed, "a failed transaction committed")
	e, coded := ccerr.Decode(r.Message)
	require.False(t, coded, "a fault came back as a business error %v: %s", e, r.Message)
	require.Contains(t, r.Message, cause)
}
