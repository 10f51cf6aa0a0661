package fabric

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kind says what went wrong, in the terms an HTTP client acts on.
type Kind int

// Kinds of failure.
const (
	// Internal: a fault the client cannot fix; details are logged, not shown.
	Internal Kind = iota
	// Business: the chaincode refused; Error.Chaincode carries its code.
	Business
	// Unavailable: a peer or orderer could not be reached before anything
	// was ordered; safe to retry.
	Unavailable
	// Timeout: evaluate or endorse ran out of time; nothing was ordered.
	Timeout
	// AccessDenied: the peer refused the identity.
	AccessDenied
	// CommitUnknown: ordered, but the commit was not seen in time.
	CommitUnknown
	// EndorsementPolicy: the transaction was invalid for its endorsements.
	EndorsementPolicy
	// Conflict: MVCC or phantom read conflicts outlasted the retries.
	Conflict
	// InvalidTx: committed invalid for another validation code.
	InvalidTx
)

// Error is a classified Fabric failure.
type Error struct {
	Kind      Kind
	Chaincode *ccerr.Error
	TxID      string
	// Validation is Fabric's validation code name for an invalid transaction.
	Validation string
	// RefusedBy names the orgs whose peers failed the proposal, when the
	// peer's gateway said.
	RefusedBy []string
	Err       error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("fabric: kind %d %s", e.Kind, e.Validation)
}

func (e *Error) Unwrap() error { return e.Err }

// classify turns a fabric-gateway error into an *Error.
func classify(err error, txID string) *Error {
	e := &Error{Kind: Internal, TxID: txID, Err: err}
	if cc, ok := fabclient.ChaincodeError(err); ok {
		e.Kind, e.Chaincode, e.RefusedBy = Business, cc, fabclient.RefusingOrgs(err)
		return e
	}
	var commitErr *client.CommitStatusError
	if errors.As(err, &commitErr) {
		e.Kind = CommitUnknown
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		e.Kind = Timeout
		return e
	}
	st, ok := status.FromError(err)
	if !ok {
		var se interface{ GRPCStatus() *status.Status }
		if errors.As(err, &se) {
			st, ok = se.GRPCStatus(), true
		}
	}
	if ok {
		switch st.Code() {
		case codes.Unavailable:
			e.Kind = Unavailable
		case codes.FailedPrecondition:
			// The peer's gateway cannot find endorsers for the policy yet (a
			// peer just restarted and discovery has not caught up): transient,
			// and nothing was ordered.
			e.Kind = Unavailable
		case codes.DeadlineExceeded:
			e.Kind = Timeout
		case codes.PermissionDenied, codes.Unauthenticated:
			e.Kind = AccessDenied
		case codes.Aborted:
			// Endorsers returned different results: one peer had committed a
			// block the other had not yet. Nothing was ordered; a fresh
			// proposal a moment later agrees.
			e.Kind, e.Validation = Conflict, "ENDORSEMENT_MISMATCH"
		}
	}
	if e.Kind == Internal {
		for _, m := range fabclient.Messages(err) {
			if strings.Contains(m, "access denied") {
				e.Kind = AccessDenied
			}
		}
	}
	return e
}
