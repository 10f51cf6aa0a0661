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

// Observe is a write of something seen at seen, stored under key; Seen
// reads it back, NOT_FOUND when it is not there.
func (w *writer) Observe(ctx contractapi.TransactionContextInterface, key string, seen time.Time) error {
	tx, err := w.cfg.BeginObserved(ctx, "seenAt", seen)
	if err != nil {
		return err
	}
	return kit.PutJSON(tx.Stub, key, note{Text: seen.Format(time.RFC3339)})
}

func (w *writer) Seen(ctx contractapi.TransactionContextInterface, key string) (*note, error) {
	return kit.MustGet[note](ctx.GetStub(), key, func() error { return ccerr.New(ccerr.NotFound, "nothing seen under %s", key) })
}

// Keep takes a note as transient data and keeps it in collection "notes".
func (w *writer) Keep(ctx contractapi.TransactionContextInterface, key string) error {
	var n note
	if err := kit.TransientJSON(ctx.GetStub(), "note", &n); err != nil {
		return err
	}
	return kit.PutPrivateJSON(ctx.GetStub(), "notes", key, n)
}

// Kept reads a note from collection "notes".
func (w *writer) Kept(ctx contractapi.TransactionContextInterface, key string) (*note, error) {
	var n note
	found, err := kit.GetPrivateJSON(ctx.GetStub(), "notes", key, &n)
	if err != nil || !found {
		return nil, err
	}
	return &n, nil
}

func TestTransientAndPrivateJSON(t *testing.T) {
	cc, err := contractapi.NewChaincode(&writer{cfg: kit.NewConfig()})
	require.NoError(t, err)
	ledger := mockstub.New(t, cc, mockstub.WithCollections(mockstub.Collection{Name: "notes", Members: []string{"DealerMSP"}}))
	dealer := mockstub.NewIdentity("DealerMSP")
	keep := func(transient map[string][]byte) error {
		return ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "Keep", Args: []string{"k1"}, Transient: transient}).Err()
	}

	err = keep(nil)
	assert.Equal(t, ccerr.MissingTransient, ccerr.CodeOf(err))
	assert.Contains(t, err.Error(), `send the note as transient data under \"note\"`)
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(keep(map[string][]byte{"note": []byte("{")})))
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(keep(map[string][]byte{"note": []byte(`{"text":""}`)})), "the value's own checks run")
	require.NoError(t, keep(map[string][]byte{"note": []byte(`{"text":"private"}`)}))

	res := ledger.Evaluate(mockstub.Tx{Creator: dealer, Function: "Kept", Args: []string{"k1"}})
	require.NoError(t, res.Err())
	assert.JSONEq(t, `{"text":"private"}`, string(res.Payload))
	res = ledger.Evaluate(mockstub.Tx{Creator: dealer, Function: "Kept", Args: []string{"k2"}})
	require.NoError(t, res.Err())
	assert.Empty(t, res.Payload, "a missing key is not found, not an error")
}

// clockedWriter is a ledger with the writer contract, whose peer clock and
// the ledger's read now.
func clockedWriter(t *testing.T, now time.Time) *mockstub.Ledger {
	clock := mockstub.NewClock(now)
	cc, err := contractapi.NewChaincode(&writer{cfg: kit.NewConfig(kit.WithPeerClock(clock.Now))})
	require.NoError(t, err)
	return mockstub.New(t, cc, mockstub.WithClock(clock))
}

func TestBegin(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ledger := clockedWriter(t, now)
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

func TestBeginObservedAndMustGet(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ledger := clockedWriter(t, now)
	dealer := mockstub.NewIdentity("DealerMSP")
	observe := func(key string, seen time.Time) error {
		return ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "Observe", Args: []string{key, seen.Format(time.RFC3339)}, Timestamp: now}).Err()
	}

	err := observe("later", now.Add(time.Second))
	assert.Equal(t, ccerr.InvalidArgument, ccerr.CodeOf(err), "an observation after the transaction is refused")
	assert.Contains(t, err.Error(), "seenAt")
	require.NoError(t, observe("then", now))

	res := ledger.Evaluate(mockstub.Tx{Creator: dealer, Function: "Seen", Args: []string{"then"}})
	require.NoError(t, res.Err())
	assert.JSONEq(t, `{"text":"2026-03-02T10:00:00Z"}`, string(res.Payload))
	res = ledger.Evaluate(mockstub.Tx{Creator: dealer, Function: "Seen", Args: []string{"later"}})
	assert.Equal(t, ccerr.NotFound, ccerr.CodeOf(res.Err()))
	assert.Contains(t, res.Err().Error(), "nothing seen under later")
}

// A read that fails is an error of MustGet and GetPrivateJSON, never
// NOT_FOUND or "not found".
func TestFailedReadIsAnErrorNotAbsence(t *testing.T) {
	cc, err := contractapi.NewChaincode(&writer{cfg: kit.NewConfig()})
	require.NoError(t, err)
	ledger := mockstub.New(t, cc, mockstub.WithCollections(mockstub.Collection{Name: "notes", Members: []string{"DealerMSP"}}))
	dealer := mockstub.NewIdentity("DealerMSP")
	down := errors.New("state database unreachable")
	ledger.FailReads(func(string, string) error { return down })

	for _, fn := range []string{"Seen", "Kept"} {
		res := ledger.Evaluate(mockstub.Tx{Creator: dealer, Function: fn, Args: []string{"k1"}})
		require.False(t, res.OK(), fn)
		assert.Equal(t, ccerr.Code(""), ccerr.CodeOf(res.Err()), fn)
		assert.Contains(t, res.Message, down.Error(), fn)
	}
}
