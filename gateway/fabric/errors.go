package fabric

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	// AccessDenied: the peer refused the identity, for the channel or (when
	// Error.Collection is set) for a private data collection.
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
	// Collection and Access ("read" or "write") name the private data
	// collection a peer refused the identity, for an AccessDenied.
	Collection, Access string
	Err                error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("fabric: kind %d %s", e.Kind, e.Validation)
}

func (e *Error) Unwrap() error { return e.Err }

// Classify is classify for the gateway's packages that make their own
// proposals through Pool.Gateway (the report's endorse-only proposals).
func Classify(err error, txID string) *Error { return classify(err, txID) }

// classify turns a fabric-gateway error into an *Error. Only what Fabric
// itself says is transient is classified so (Unavailable, an endorsement
// mismatch); every refusal keeps its meaning, so that nothing the client
// must change is answered "retry".
func classify(err error, txID string) *Error {
	e := &Error{Kind: Internal, TxID: txID, Err: err}
	if cc, ok := fabclient.ChaincodeError(err); ok {
		e.Kind, e.Chaincode, e.RefusedBy = Business, cc, fabclient.RefusingOrgs(err)
		return e
	}
	msgs := fabclient.Messages(err)
	if access, coll, ok := collectionRefusal(msgs); ok {
		e.Kind, e.Access, e.Collection, e.RefusedBy = AccessDenied, access, coll, fabclient.RefusingOrgs(err)
		return e
	}
	if slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, "access denied") }) {
		// The peer's ACL check refused the creator (preProcess): Fabric's
		// gateway reports it as FailedPrecondition, which otherwise means
		// "no endorsers yet".
		e.Kind = AccessDenied
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
	if !ok {
		return e
	}
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
		// Aborted is every failed endorsement, a chaincode's own error
		// included ("chaincode response 500, ..."). Only endorsers that
		// returned different results (one peer had committed a block the
		// other had not yet) are transient: a fresh proposal a moment later
		// agrees. Anything else stays Internal.
		if slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, mismatch) }) {
			e.Kind, e.Validation = Conflict, "ENDORSEMENT_MISMATCH"
		}
	}
	return e
}

// mismatch is how Fabric's gateway reports endorsers whose results differ
// (internal/pkg/gateway/endorsement.go, protoutil.CreateSignedTx).
const mismatch = "ProposalResponsePayloads do not match"

// collectionACL matches the peer's refusal of a private data read or write
// by a creator outside the collection's member-only policy
// (core/chaincode/handler.go), wrapped however the chaincode wrapped it.
var collectionACL = regexp.MustCompile(`tx creator does not have (read|write) access permission on privatedata in chaincodeName:\S* collectionName: ?(\S+)`)

// collectionRefusal finds a collection ACL refusal among msgs.
func collectionRefusal(msgs []string) (access, collection string, ok bool) {
	for _, m := range msgs {
		if g := collectionACL.FindStringSubmatch(m); g != nil {
			return g[1], strings.TrimRight(g[2], `"',;.)`), true
		}
	}
	return "", "", false
}
