package mockstub_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder captures what the stub reports through testing.TB.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Error(args ...any) {
	r.errors = append(r.errors, fmt.Sprint(args...))
}

func TestDeterminismCheckCatchesDivergingEndorsements(t *testing.T) {
	// Every execution writes a different value, so the two endorsements
	// always differ: the check cannot pass by chance.
	calls := 0
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		calls++
		if err := stub.PutState("counter", fmt.Appendf(nil, "%d", calls)); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	})
	rec := &recorder{TB: t}
	ledger := mockstub.New(rec, cc)
	res := ledger.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "Count"})

	require.Len(t, rec.errors, 1)
	assert.Contains(t, rec.errors[0], "Count is not deterministic")
	assert.Contains(t, rec.errors[0], `write "counter"`)
	assert.False(t, res.Committed)
	assert.Nil(t, ledger.State("counter"))
	assert.Equal(t, 2, calls)
}

func TestDeterministicChaincodeRunsTwiceAndCommitsOnce(t *testing.T) {
	calls := 0
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		calls++
		_, args := stub.GetFunctionAndParameters()
		if err := stub.PutState(args[0], []byte(args[1])); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	})
	rec := &recorder{TB: t}
	ledger := mockstub.New(rec, cc)
	res := ledger.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "Put", Args: []string{"k", "v"}})
	assert.Empty(t, rec.errors)
	assert.True(t, res.Committed)
	assert.Equal(t, 2, calls)
	assert.Equal(t, uint64(1), ledger.BlockHeight())

	once := mockstub.New(t, cc, mockstub.WithoutDeterminismCheck())
	calls = 0
	once.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "Put", Args: []string{"k", "v"}})
	assert.Equal(t, 1, calls)
}

func TestIdentityWorksWithClientIdentity(t *testing.T) {
	var msp, role, ou string
	var hasRole bool
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		ci, err := cid.New(stub)
		if err != nil {
			return shim.Error(err.Error())
		}
		msp, _ = ci.GetMSPID()
		role, hasRole, _ = ci.GetAttributeValue("role")
		cert, _ := ci.GetX509Certificate()
		ou = strings.Join(cert.Subject.OrganizationalUnit, ",")
		return shim.Success(nil)
	})
	ledger := mockstub.New(t, cc)
	ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("InsurerMSP", mockstub.WithRole("claims")), Function: "Who"})
	assert.Equal(t, "InsurerMSP", msp)
	assert.True(t, hasRole)
	assert.Equal(t, "claims", role)
	assert.Equal(t, "client", ou)

	ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("DealerMSP", mockstub.WithOU("admin")), Function: "Who"})
	assert.False(t, hasRole)
	assert.Equal(t, "admin", ou)
}

func TestTimestampTxIDAndChannel(t *testing.T) {
	clock := mockstub.NewClock(time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	var seen time.Time
	var txID, channel string
	var signed *peer.SignedProposal
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		ts, _ := stub.GetTxTimestamp()
		seen = ts.AsTime()
		txID, channel = stub.GetTxID(), stub.GetChannelID()
		signed, _ = stub.GetSignedProposal()
		return shim.Success(nil)
	})
	ledger := mockstub.New(t, cc, mockstub.WithClock(clock), mockstub.WithChannel("cars"))
	id := mockstub.NewIdentity("OemMSP")
	r1 := ledger.Invoke(mockstub.Tx{Creator: id, Function: "T"})
	assert.Equal(t, clock.Now(), seen)
	assert.Equal(t, r1.TxID, txID)
	assert.Len(t, txID, 64)
	assert.Equal(t, "cars", channel)
	assert.NotEmpty(t, signed.GetProposalBytes())

	clock.Advance(time.Hour)
	r2 := ledger.Invoke(mockstub.Tx{Creator: id, Function: "T"})
	assert.Equal(t, time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), seen)
	assert.NotEqual(t, r1.TxID, r2.TxID)

	fixed := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ledger.Invoke(mockstub.Tx{Creator: id, Function: "T", Timestamp: fixed})
	assert.Equal(t, fixed, seen)
}

// run executes fn as one transaction and returns its error text.
func run(t *testing.T, ledger *mockstub.Ledger, fn func(shim.ChaincodeStubInterface) error) *mockstub.Result {
	t.Helper()
	return ledger.Invoke(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "f"})
}

func funcLedger(t *testing.T, opts ...mockstub.Option) (*mockstub.Ledger, *func(shim.ChaincodeStubInterface) error) {
	var body func(shim.ChaincodeStubInterface) error
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		if err := body(stub); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(nil)
	})
	return mockstub.New(t, cc, opts...), &body
}

func TestShimKeyRules(t *testing.T) {
	ledger, body := funcLedger(t)
	*body = func(s shim.ChaincodeStubInterface) error { return s.PutState("", []byte("x")) }
	assert.Contains(t, run(t, ledger, nil).Message, "key must not be an empty string")

	*body = func(s shim.ChaincodeStubInterface) error { _, err := s.GetStateByRange("\x00a", "b"); return err }
	assert.Contains(t, run(t, ledger, nil).Message, "null character")

	*body = func(s shim.ChaincodeStubInterface) error {
		_, err := s.CreateCompositeKey("a", []string{"b\x00"})
		return err
	}
	assert.Contains(t, run(t, ledger, nil).Message, "not allowed")

	*body = func(s shim.ChaincodeStubInterface) error {
		k, err := s.CreateCompositeKey("vehicle", []string{"V1", "event", "0001"})
		if err != nil {
			return err
		}
		typ, attrs, err := s.SplitCompositeKey(k)
		if err != nil {
			return err
		}
		if typ != "vehicle" || strings.Join(attrs, "|") != "V1|event|0001" {
			return fmt.Errorf("split %q %q", typ, attrs)
		}
		return s.PutState(k, []byte("x"))
	}
	require.True(t, run(t, ledger, nil).OK())

	// A simple range from "" never returns composite keys.
	*body = func(s shim.ChaincodeStubInterface) error {
		if err := s.PutState("plain", []byte("x")); err != nil {
			return err
		}
		return nil
	}
	run(t, ledger, nil)
	*body = func(s shim.ChaincodeStubInterface) error {
		it, err := s.GetStateByRange("", "")
		if err != nil {
			return err
		}
		var keys []string
		for it.HasNext() {
			kv, _ := it.Next()
			keys = append(keys, kv.Key)
		}
		if len(keys) != 1 || keys[0] != "plain" {
			return fmt.Errorf("keys %q", keys)
		}
		return nil
	}
	assert.True(t, run(t, ledger, nil).OK(), run(t, ledger, nil).Message)

	*body = func(s shim.ChaincodeStubInterface) error { _, err := s.GetQueryResult(`{"selector":{}}`); return err }
	assert.Contains(t, run(t, ledger, nil).Message, "rich queries")
}

func TestEmptyValueIsADelete(t *testing.T) {
	ledger, body := funcLedger(t)
	*body = func(s shim.ChaincodeStubInterface) error { return s.PutState("k", []byte("v")) }
	run(t, ledger, nil)
	*body = func(s shim.ChaincodeStubInterface) error { return s.PutState("k", nil) }
	run(t, ledger, nil)
	assert.Nil(t, ledger.State("k"))
	assert.Empty(t, ledger.Keys("", ""))
}

func TestPaginationBookmarkAndWriteAfterPage(t *testing.T) {
	ledger, body := funcLedger(t)
	*body = func(s shim.ChaincodeStubInterface) error {
		for _, k := range []string{"a", "b", "c"} {
			if err := s.PutState(k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}
	run(t, ledger, nil)
	var md *peer.QueryResponseMetadata
	*body = func(s shim.ChaincodeStubInterface) error {
		_, m, err := s.GetStateByRangeWithPagination("a", "", 3, "")
		md = m
		return err
	}
	ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "f"})
	assert.Equal(t, int32(3), md.FetchedRecordsCount)
	assert.Empty(t, md.Bookmark, "no bookmark once the range is exhausted")

	*body = func(s shim.ChaincodeStubInterface) error {
		if _, _, err := s.GetStateByRangeWithPagination("a", "", 1, ""); err != nil {
			return err
		}
		return s.PutState("d", []byte("d"))
	}
	res := run(t, ledger, nil)
	assert.Contains(t, res.Message, "paginated query")
	assert.False(t, res.Committed)
}

func TestTotalQueryLimitTruncatesLikeThePeer(t *testing.T) {
	ledger, body := funcLedger(t, mockstub.WithTotalQueryLimit(2))
	*body = func(s shim.ChaincodeStubInterface) error {
		for _, k := range []string{"a", "b", "c"} {
			if err := s.PutState(k, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	}
	run(t, ledger, nil)
	n := 0
	*body = func(s shim.ChaincodeStubInterface) error {
		n = 0 // the determinism check runs the body twice
		it, err := s.GetStateByRange("", "")
		for err == nil && it.HasNext() {
			_, err = it.Next()
			n++
		}
		return err
	}
	run(t, ledger, nil)
	assert.Equal(t, 2, n)
}

func TestPrivateDataRules(t *testing.T) {
	owners := mockstub.Collection{Name: "owners", Members: []string{"OemMSP", "DealerMSP"}, MemberOnlyRead: true, MemberOnlyWrite: true}
	ledger, body := funcLedger(t, mockstub.WithCollections(owners))
	dealer := mockstub.NewIdentity("DealerMSP")
	supplier := mockstub.NewIdentity("SupplierMSP")

	*body = func(s shim.ChaincodeStubInterface) error {
		t, _ := s.GetTransient()
		return s.PutPrivateData("owners", "car1", t["owner"])
	}
	res := ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "f", Transient: map[string][]byte{"owner": []byte("ref-1")}})
	require.True(t, res.Committed, res.Message)
	assert.Equal(t, []byte("ref-1"), ledger.PrivateData("owners", "car1"))
	assert.Len(t, ledger.PrivateDataHash("owners", "car1"), 32)

	res = ledger.Invoke(mockstub.Tx{Creator: supplier, PeerOrg: "DealerMSP", Function: "f", Transient: map[string][]byte{"owner": []byte("x")}})
	assert.Contains(t, res.Message, "does not have write access")

	*body = func(s shim.ChaincodeStubInterface) error { _, err := s.GetPrivateData("owners", "car1"); return err }
	res = ledger.Evaluate(mockstub.Tx{Creator: supplier, PeerOrg: "DealerMSP", Function: "f"})
	assert.Contains(t, res.Message, "does not have read access")

	*body = func(s shim.ChaincodeStubInterface) error { _, err := s.GetPrivateData("nope", "car1"); return err }
	assert.Contains(t, run(t, ledger, nil).Message, "collection nope not defined")

	// Private range queries are read-only, as on a peer.
	*body = func(s shim.ChaincodeStubInterface) error {
		if err := s.PutState("x", []byte("x")); err != nil {
			return err
		}
		_, err := s.GetPrivateDataByRange("owners", "", "")
		return err
	}
	assert.Contains(t, ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "f"}).Message, "read-only transaction")
	*body = func(s shim.ChaincodeStubInterface) error {
		if _, err := s.GetPrivateDataByPartialCompositeKey("owners", "o", nil); err != nil {
			return err
		}
		return s.PutState("x", []byte("x"))
	}
	assert.Contains(t, ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "f"}).Message, "queries on private data")

	// Purge removes the value and its hash.
	*body = func(s shim.ChaincodeStubInterface) error { return s.PurgePrivateData("owners", "car1") }
	require.True(t, ledger.Invoke(mockstub.Tx{Creator: dealer, Function: "f"}).Committed)
	assert.Nil(t, ledger.PrivateData("owners", "car1"))
	assert.Nil(t, ledger.PrivateDataHash("owners", "car1"))
}

func TestStateValidationParameter(t *testing.T) {
	ledger, body := funcLedger(t)
	*body = func(s shim.ChaincodeStubInterface) error {
		if err := s.PutState("k", []byte("v")); err != nil {
			return err
		}
		return s.SetStateValidationParameter("k", []byte("policy"))
	}
	run(t, ledger, nil)
	var got []byte
	*body = func(s shim.ChaincodeStubInterface) error {
		var err error
		got, err = s.GetStateValidationParameter("k")
		return err
	}
	run(t, ledger, nil)
	assert.Equal(t, []byte("policy"), got)
}

func TestEvaluateNeverCommits(t *testing.T) {
	ledger, body := funcLedger(t)
	*body = func(s shim.ChaincodeStubInterface) error { return s.PutState("k", []byte("v")) }
	res := ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "f"})
	assert.True(t, res.OK())
	assert.False(t, res.Committed)
	assert.Nil(t, ledger.State("k"))
}

func TestRestOfTheStubInterface(t *testing.T) {
	owners := mockstub.Collection{Name: "owners", Members: []string{"OemMSP"}}
	ledger, body := funcLedger(t, mockstub.WithCollections(owners), mockstub.WithChaincodeName("cc"))
	*body = func(s shim.ChaincodeStubInterface) error {
		s.StartWriteBatch()
		k, _ := s.CreateCompositeKey("obj", []string{"1"})
		for _, err := range []error{
			s.PutState("a", []byte("1")), s.PutState("b", []byte("2")), s.PutState(k, []byte("c")),
			s.PutPrivateData("owners", "p", []byte("x")), s.PutPrivateData("owners", "q", []byte("y")),
		} {
			if err != nil {
				return err
			}
		}
		return s.FinishWriteBatch()
	}
	require.True(t, run(t, ledger, nil).Committed)

	*body = func(s shim.ChaincodeStubInterface) error {
		if r := s.InvokeChaincode("other", nil, ""); r.Status != shim.ERROR {
			return fmt.Errorf("InvokeChaincode status %d", r.Status)
		}
		vals, err := s.GetMultipleStates("a", "b", "missing")
		if err != nil || string(vals[0]) != "1" || string(vals[1]) != "2" || vals[2] != nil {
			return fmt.Errorf("GetMultipleStates %q %v", vals, err)
		}
		pv, err := s.GetMultiplePrivateData("owners", "p", "q")
		if err != nil || string(pv[0]) != "x" || string(pv[1]) != "y" {
			return fmt.Errorf("GetMultiplePrivateData %q %v", pv, err)
		}
		it, md, err := s.GetAllStatesCompositeKeyWithPagination(10, "")
		if err != nil || md.FetchedRecordsCount != 1 || !it.HasNext() {
			return fmt.Errorf("GetAllStatesCompositeKeyWithPagination %v %v", md, err)
		}
		if b, _ := s.GetBinding(); len(b) != 32 {
			return fmt.Errorf("binding %x", b)
		}
		if len(s.GetDecorations()) != 0 {
			return fmt.Errorf("decorations")
		}
		if a, _ := s.GetArgsSlice(); string(a) != "f" {
			return fmt.Errorf("args slice %q", a)
		}
		if _, _, err := s.GetQueryResultWithPagination("{}", 1, ""); err == nil {
			return fmt.Errorf("rich query with pagination accepted")
		}
		if _, err := s.GetPrivateDataQueryResult("owners", "{}"); err == nil {
			return fmt.Errorf("private rich query accepted")
		}
		return nil
	}
	res := ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP", mockstub.WithCommonName("alice")), Function: "f"})
	require.True(t, res.OK(), res.Message)

	*body = func(s shim.ChaincodeStubInterface) error {
		if err := s.SetPrivateDataValidationParameter("owners", "p", []byte("ep")); err != nil {
			return err
		}
		return s.DelPrivateData("owners", "q")
	}
	require.True(t, run(t, ledger, nil).Committed)
	assert.Nil(t, ledger.PrivateData("owners", "q"))
	*body = func(s shim.ChaincodeStubInterface) error {
		ep, err := s.GetPrivateDataValidationParameter("owners", "p")
		if err != nil || string(ep) != "ep" {
			return fmt.Errorf("private validation parameter %q %v", ep, err)
		}
		return nil
	}
	assert.True(t, run(t, ledger, nil).OK())
}

func TestResultDecodeAndClock(t *testing.T) {
	cc := mockstub.ChaincodeFunc(func(stub shim.ChaincodeStubInterface) *peer.Response {
		_, args := stub.GetFunctionAndParameters()
		if len(args) > 0 {
			return shim.Error(args[0])
		}
		return shim.Success([]byte(`{"n":3}`))
	})
	ledger := mockstub.New(t, cc)
	var v struct{ N int }
	require.NoError(t, ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "f"}).Decode(&v))
	assert.Equal(t, 3, v.N)
	res := ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "f", Args: []string{"boom"}})
	assert.EqualError(t, res.Decode(&v), "transaction failed: boom")
	assert.EqualError(t, res.Err(), "boom")
	assert.True(t, mockstub.ChaincodeFunc(nil).Init(nil).Status == shim.OK)

	c := ledger.Clock()
	c.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Equal(t, 2030, ledger.Clock().Now().Year())
}
