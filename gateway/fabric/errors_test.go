package fabric

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestClassify(t *testing.T) {
	cc := ccerr.New(ccerr.NotFound, "vehicle X is not registered")
	cases := []struct {
		err  error
		kind Kind
	}{
		{status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, "+cc.Error()), Business},
		{status.Error(codes.Unavailable, "connection refused"), Unavailable},
		{status.Error(codes.FailedPrecondition, "no combination of peers can be derived"), Unavailable},
		{status.Error(codes.DeadlineExceeded, "slow"), Timeout},
		{fmt.Errorf("wrapped: %w", context.DeadlineExceeded), Timeout},
		{status.Error(codes.PermissionDenied, "no"), AccessDenied},
		{status.Error(codes.Unknown, "access denied: channel [autoledger] creator org unknown"), AccessDenied},
		{status.Error(codes.Aborted, "ProposalResponsePayloads do not match"), Conflict},
		// How Fabric 2.5's gateway reports a peer's ACL refusal of the
		// creator on Evaluate (preProcess fails: FailedPrecondition).
		{status.Error(codes.FailedPrecondition, "evaluate call to endorser returned error: access denied: channel [autoledger] creator org unknown, creator is malformed"), AccessDenied},
		{errors.New("boom"), Internal},
	}
	for _, c := range cases {
		e := classify(c.err, "tx1")
		assert.Equal(t, c.kind, e.Kind, c.err.Error())
		assert.Equal(t, "tx1", e.TxID)
		assert.ErrorIs(t, e, c.err)
	}
	assert.Equal(t, ccerr.NotFound, classify(cases[0].err, "").Chaincode.Code)
	assert.True(t, isMismatch(classify(cases[7].err, "")))
}

func TestARefusalOnlyByAnotherOrgsPeerIsRetried(t *testing.T) {
	cc := ccerr.New(ccerr.NotFound, "vehicle X is not registered")
	e := classify(refusedBy(t, "DealerMSP", "InsurerMSP"), "tx1")
	assert.Equal(t, Business, e.Kind)
	assert.Equal(t, []string{"DealerMSP", "InsurerMSP"}, e.RefusedBy)
	assert.Equal(t, []string{"DealerMSP", "InsurerMSP"}, refusedElsewhere(e, "OemMSP"), "the OEM's own peer accepted: the others are behind")
	assert.Nil(t, refusedElsewhere(classify(refusedBy(t, "OemMSP"), ""), "OemMSP"), "the caller's own peer refused: that is the answer")
	assert.Nil(t, refusedElsewhere(classify(refusedBy(t, "DealerMSP", "OemMSP"), ""), "OemMSP"))
	assert.Nil(t, refusedElsewhere(classify(status.Error(codes.Unknown, "chaincode response 404, "+cc.Error()), ""), "OemMSP"),
		"no details: nothing says who refused")
	assert.Nil(t, refusedElsewhere(classify(status.Error(codes.Unavailable, "down"), ""), "OemMSP"))
}

// endorseFailure is the error Fabric 2.5's gateway returns from Endorse when
// the first endorser (the caller's org's peer) failed: Aborted, with each
// peer's message in the details (internal/pkg/gateway/endorse.go).
func endorseFailure(t *testing.T, msp, message string) error {
	st, err := status.New(codes.Aborted, "failed to endorse transaction, see attached details for more info").
		WithDetails(&gateway.ErrorDetail{Address: "peer0." + msp + ":7051", MspId: msp, Message: message})
	require.NoError(t, err)
	return st.Err()
}

// Only endorsers that returned different results are a transient
// conflict: every other Aborted endorsement is a refusal or a fault, and
// was answered 409 "retry" (ENDORSEMENT_MISMATCH) after useless retries.
func TestOnlyAGenuineEndorsementMismatchIsAConflict(t *testing.T) {
	st, err := status.New(codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info").
		WithDetails(&gateway.ErrorDetail{Address: "peer0.dealer:7051", MspId: "DealerMSP", Message: "ProposalResponsePayloads do not match"})
	require.NoError(t, err)
	assert.True(t, isMismatch(classify(st.Err(), "")), "the peer gateway's mismatch, in a detail")
	assert.True(t, isMismatch(classify(status.Error(codes.Aborted, "failed to assemble transaction: ProposalResponsePayloads do not match (base64): 'a' vs 'b'"), "")))

	uncoded := classify(endorseFailure(t, "OemMSP", `chaincode response 500, read "ORDER~O1": GET_STATE failed: couchdb unreachable`), "tx1")
	assert.Equal(t, Internal, uncoded.Kind, "a chaincode error without a code is a fault, not a conflict")
	assert.False(t, isMismatch(uncoded))
	crashed := classify(endorseFailure(t, "OemMSP", "error in simulation: failed to execute transaction tx1: chaincode stream terminated"), "")
	assert.Equal(t, Internal, crashed.Kind)
}

// The peer refuses a private data read or write by a creator outside the
// collection's member-only policy inside the chaincode's call to the shim
// (core/chaincode/handler.go); the chaincode returns that error uncoded.
func TestACollectionRefusalIsAccessDenied(t *testing.T) {
	write := `chaincode response 500, write "AMOUNT~O1" in amountsOemDealer: tx creator does not have write access permission on privatedata in chaincodeName:autoledger collectionName: amountsOemDealer`
	e := classify(endorseFailure(t, "InsurerMSP", write), "tx1")
	assert.Equal(t, AccessDenied, e.Kind)
	assert.Equal(t, "write", e.Access)
	assert.Equal(t, "amountsOemDealer", e.Collection)
	assert.Equal(t, []string{"InsurerMSP"}, e.RefusedBy)
	assert.False(t, isMismatch(e))
	assert.Nil(t, refusedElsewhere(e, "OemMSP"), "a refusal of the identity is not an endorser lagging behind")

	read := status.Error(codes.Unknown, `evaluate call to endorser returned error: chaincode response 500, read "AMOUNT~O1": tx creator does not have read access permission on privatedata in chaincodeName:autoledger collectionName: amountsOemDealer`)
	e = classify(read, "")
	assert.Equal(t, AccessDenied, e.Kind)
	assert.Equal(t, "read", e.Access)
	assert.Equal(t, "amountsOemDealer", e.Collection)
}

// A refusal is answered at once: neither a collection refusal nor an
// uncoded chaincode error from the caller's own peer is proposed again.
func TestSubmitDoesNotRetryARefusal(t *testing.T) {
	for _, err := range []error{
		endorseFailure(t, "OemMSP", "chaincode response 500, write \"k\" in c: tx creator does not have write access permission on privatedata in chaincodeName:autoledger collectionName: c"),
		endorseFailure(t, "OemMSP", "chaincode response 500, decode \"k\": unexpected end of JSON input"),
	} {
		f := newFakeNet()
		f.endorse = []error{err, err, err}
		s, _ := newSubmitter(t, f)
		_, got := s.Submit(context.Background(), Request{Principal: oem, Function: "SetAmount"})
		var fe *Error
		require.ErrorAs(t, got, &fe)
		assert.NotEqual(t, Conflict, fe.Kind)
		assert.Equal(t, 1, f.calls(), "not proposed again: %v", err)
	}
}

func TestJitterGrows(t *testing.T) {
	for n := range 3 {
		d := jitter(n)
		assert.GreaterOrEqual(t, d.Milliseconds(), int64(20*(n+1)))
		assert.Less(t, d.Milliseconds(), int64(70*(n+1)))
	}
}
