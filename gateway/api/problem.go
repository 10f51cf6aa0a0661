package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem detail. Code is the stable machine-readable
// code: the chaincode's own (NOT_FOUND, VIN_INVALID, ...) or the gateway's.
type Problem struct {
	Type          string             `json:"type"`
	Title         string             `json:"title"`
	Status        int                `json:"status"`
	Detail        string             `json:"detail,omitempty"`
	Code          string             `json:"code"`
	TransactionID string             `json:"transactionId,omitempty"`
	Errors        []ccerr.FieldError `json:"errors,omitempty"`
	RequestID     string             `json:"requestId,omitempty"`
}

// Gateway codes, for failures that are not the chaincode's.
const (
	CodeMalformed         = "MALFORMED_REQUEST"
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeRateLimited       = "RATE_LIMITED"
	CodeTooLarge          = "BODY_TOO_LARGE"
	CodeMediaType         = "UNSUPPORTED_MEDIA_TYPE"
	CodeHeadersTooLarge   = "HEADERS_TOO_LARGE"
	CodeUnavailable       = "UNAVAILABLE"
	CodeTimeout           = "TIMEOUT"
	CodeEndorsementPolicy = "ENDORSEMENT_POLICY_FAILURE"
	CodeConflict          = "MVCC_READ_CONFLICT"
	CodeInternal          = "INTERNAL"
	CodeIdempotencyReuse  = "IDEMPOTENCY_KEY_REUSED"
	CodeIdempotencyBusy   = "IDEMPOTENCY_KEY_IN_PROGRESS"
	CodeRouteNotFound     = "ROUTE_NOT_FOUND"
	CodeOrgNotServed      = "ORG_NOT_SERVED"
)

const problemJSON = "application/problem+json"

func problem(status int, code, detail string) *Problem {
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: code, Detail: detail}
}

// statusOfCategory maps a chaincode code's category to HTTP.
var statusOfCategory = map[ccerr.Code]int{
	ccerr.NotFound:           http.StatusNotFound,
	ccerr.AlreadyExists:      http.StatusConflict,
	ccerr.Conflict:           http.StatusConflict,
	ccerr.FailedPrecondition: http.StatusConflict,
	ccerr.Forbidden:          http.StatusForbidden,
	ccerr.InvalidArgument:    http.StatusUnprocessableEntity,
}

// problemOf maps any error of the gateway to the problem a client sees.
// Internal details are logged by the caller, never put in the problem.
func problemOf(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var ae *auth.Error
	if errors.As(err, &ae) {
		return problem(http.StatusUnauthorized, CodeUnauthenticated, ae.Reason)
	}
	if cc, ok := ccerr.From(err); ok {
		return chaincodeProblem(cc, "")
	}
	var fe *fabric.Error
	if !errors.As(err, &fe) {
		return problem(http.StatusInternalServerError, CodeInternal, "internal error; see the gateway log with the request ID")
	}
	switch fe.Kind {
	case fabric.Business:
		return chaincodeProblem(fe.Chaincode, fe.TxID)
	case fabric.Unavailable:
		return problem(http.StatusServiceUnavailable, CodeUnavailable, "the peer or orderer is unavailable; nothing was ordered, retry later")
	case fabric.Timeout:
		return problem(http.StatusGatewayTimeout, CodeTimeout, "the network did not answer in time; nothing was ordered")
	case fabric.AccessDenied:
		if fe.Collection != "" {
			return problem(http.StatusForbidden, string(ccerr.Forbidden), fmt.Sprintf(
				"your organisation may not %s the private data collection %s: it is not among the collection's members", fe.Access, fe.Collection))
		}
		return problem(http.StatusForbidden, string(ccerr.Forbidden), "the peer refused this identity")
	case fabric.EndorsementPolicy:
		p := problem(http.StatusBadGateway, CodeEndorsementPolicy, "the transaction was committed invalid: its endorsements do not satisfy the policy")
		p.TransactionID = fe.TxID
		return p
	case fabric.Conflict:
		code := CodeConflict
		if fe.Validation != "" {
			code = fe.Validation
		}
		detail := "concurrent updates kept conflicting; retry the request"
		if code == "ENDORSEMENT_MISMATCH" {
			detail = "the endorsing peers kept returning different results (one had not yet committed the latest block); retry the request"
		}
		p := problem(http.StatusConflict, code, detail)
		p.TransactionID = fe.TxID
		return p
	}
	p = problem(http.StatusInternalServerError, CodeInternal, "internal error; see the gateway log with the request ID")
	p.TransactionID = fe.TxID
	return p
}

func chaincodeProblem(cc *ccerr.Error, txID string) *Problem {
	status, ok := statusOfCategory[cc.Category()]
	if !ok {
		status = http.StatusConflict
	}
	return &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: string(cc.Code),
		Detail: cc.Message, Errors: cc.Fields, TransactionID: txID}
}

// fail writes err as a problem and logs what the client does not see.
func fail(c *gin.Context, err error) {
	p := problemOf(err)
	p.RequestID = c.GetString(requestIDKey)
	if p.Status >= 500 {
		logger(c).Error("request failed", "status", p.Status, "code", p.Code, "err", err)
	}
	if p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests {
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	writeProblem(c, p)
}

const retryAfterSeconds = 2

func writeProblem(c *gin.Context, p *Problem) {
	if p.RequestID == "" {
		p.RequestID = c.GetString(requestIDKey)
	}
	b, err := json.Marshal(p)
	if err != nil {
		b = []byte(`{"title":"Internal Server Error","status":500,"code":"INTERNAL"}`)
	}
	c.Set(answerKey, b)
	c.Abort()
	c.Data(p.Status, problemJSON, b)
}

func validationProblem(fields []ccerr.FieldError) *Problem {
	p := problem(http.StatusUnprocessableEntity, string(ccerr.InvalidArgument), fmt.Sprintf("%d field(s) failed validation", len(fields)))
	p.Errors = fields
	return p
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }
