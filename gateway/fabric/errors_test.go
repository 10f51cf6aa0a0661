package fabric

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/stretchr/testify/assert"
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

func TestJitterGrows(t *testing.T) {
	for n := range 3 {
		d := jitter(n)
		assert.GreaterOrEqual(t, d.Milliseconds(), int64(20*(n+1)))
		assert.Less(t, d.Milliseconds(), int64(70*(n+1)))
	}
}
