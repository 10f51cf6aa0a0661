package kit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type note struct {
	Text string `json:"text"`
}

func (n note) Validate() error {
	if n.Text == "" {
		return ccerr.Field(ccerr.InvalidArgument, "text", "required", "is required")
	}
	return nil
}

// started is what writer.Write learned from kit.Begin.
type started struct {
	MSP  string    `json:"msp"`
	Role string    `json:"role"`
	Time time.Time `json:"time"`
}

type writer struct {
	contractapi.Contract
	cfg kit.Config
}

func (w *writer) Write(ctx contractapi.TransactionContextInterface, n note) (*started, error) {
	tx, err := w.cfg.Begin(ctx, n)
	if err != nil {
		return nil, err
	}
	if tx.Stub != ctx.GetStub() {
		return nil, errors.New("tx.Stub is not the transaction's stub")
	}
	return &started{MSP: tx.Caller.MSP, Role: tx.Caller.Role, Time: tx.Time}, nil
}

func TestBegin(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := mockstub.NewClock(now)
	cc, err := contractapi.NewChaincode(&writer{cfg: kit.NewConfig(kit.WithPeerClock(clock.Now))})
	require.NoError(t, err)
	ledger := mockstub.New(t, cc, mockstub.WithClock(clock))
	dealer := mockstub.NewIdentity("DealerMSP", mockstub.WithRole("sales"))
	write := func(n note, at time.Time) *mockstub.Result {
		return ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "Write", Args: []string{mockstub.JSON(n)}, Timestamp: at})
	}

	t.Run("gives the caller and the transaction time", func(t *testing.T) {
		res := write(note{Text: "hi"}, now.Add(-time.Minute))
		require.NoError(t, res.Err())
		var got started
		require.NoError(t, res.Decode(&got))
		assert.Equal(t, started{MSP: "DealerMSP", Role: "sales", Time: now.Add(-time.Minute)}, got)
	})
	t.Run("refuses a skewed timestamp before looking at the request", func(t *testing.T) {
		res := write(note{}, now.Add(kit.DefaultTolerance+time.Second))
		assert.Equal(t, ccerr.TimestampSkew, ccerr.CodeOf(res.Err()))
	})
	t.Run("runs the request's checks", func(t *testing.T) {
		res := write(note{}, now)
		assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(res.Err()))
	})
}
