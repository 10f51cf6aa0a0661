package payment

import (
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// txStub answers only what transientAmount asks: the transient data and
// the transaction ID, which a test chooses here (the mock stub derives it).
type txStub struct {
	shim.ChaincodeStubInterface
	txID, amount string
}

func (s txStub) GetTxID() string { return s.txID }
func (s txStub) GetTransient() (map[string][]byte, error) {
	return map[string][]byte{paymenttypes.AmountTransientKey: []byte(s.amount)}, nil
}

// The transaction ID is public: an amount salted with it (or part of it)
// has a hash anyone can reproduce, so it is refused.
func TestAmountSaltIsNotTheTransactionID(t *testing.T) {
	const txID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	amount := func(salt string) string {
		return `{"amountMinor":100,"currency":"CNY","salt":"` + salt + `"}`
	}
	for _, salt := range []string{txID, txID[:32], txID + "00"} {
		_, err := transientAmount(txStub{txID: txID, amount: amount(salt)})
		e, ok := ccerr.From(err)
		require.True(t, ok, salt)
		assert.Equal(t, ccerr.InvalidArgument, e.Code, salt)
		require.Len(t, e.Fields, 1, salt)
		assert.Equal(t, "salt_public", e.Fields[0].Rule, salt)
	}
	a, err := transientAmount(txStub{txID: txID, amount: amount(strings.Repeat("5a", 16))})
	require.NoError(t, err)
	assert.Equal(t, int64(100), a.AmountMinor)
}
