package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/gin-gonic/gin"
)

// TxView is how a transaction is shown: the answer to a submit and to
// GET /v1/transactions/{txId}.
type TxView struct {
	TransactionID  string          `json:"transactionId"`
	Status         string          `json:"status"`
	ValidationCode string          `json:"validationCode,omitempty"`
	BlockNumber    uint64          `json:"blockNumber,omitempty"`
	Result         json.RawMessage `json:"result,omitempty"`
	StatusURL      string          `json:"statusUrl"`
	SubmittedAt    time.Time       `json:"submittedAt"`
	CommittedAt    *time.Time      `json:"committedAt,omitempty"`
	RetriedAs      string          `json:"retriedAs,omitempty"`
}

func view(r store.Receipt) TxView {
	v := TxView{TransactionID: r.TxID, Status: r.Status, ValidationCode: r.ValidationCode, BlockNumber: r.BlockNumber,
		StatusURL: "/v1/transactions/" + r.TxID, SubmittedAt: r.SubmittedAt, RetriedAs: r.RetriedAs}
	if r.Status == store.Committed {
		v.Result = r.Result
	}
	if !r.CommittedAt.IsZero() {
		t := r.CommittedAt
		v.CommittedAt = &t
	}
	return v
}

func preferAsync(c *gin.Context) bool {
	for _, p := range c.Request.Header.Values("Prefer") {
		for _, part := range strings.Split(p, ",") {
			if strings.EqualFold(strings.TrimSpace(part), "respond-async") {
				return true
			}
		}
	}
	return false
}

// submit runs req for the caller, honouring Idempotency-Key and
// Prefer: respond-async. body is the raw request, for the key's fingerprint.
func (s *Server) submit(c *gin.Context, body []byte, req fabric.Request) {
	pr := principal(c)
	req.Principal = pr
	key := c.GetHeader("Idempotency-Key")
	if key != "" {
		if len(key) > 255 {
			writeProblem(c, validationProblem(fieldErr("Idempotency-Key", "max_length", "must be at most 255 characters")))
			return
		}
		sum := sha256.Sum256(append([]byte(c.Request.Method+" "+c.Request.URL.Path+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		existing, err := s.Store.Reserve(idemScope(pr), key, hash)
		if err != nil {
			fail(c, err)
			return
		}
		if existing != nil {
			s.replay(c, key, hash, existing)
			return
		}
		defer func() { s.settleKey(c, key, hash) }()
	}
	r, err := s.Submitter.Submit(c.Request.Context(), req)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(txKey, r.TxID)
	s.answer(c, r.TxID, preferAsync(c))
}

const txKey = "txId"

// idemScope is whose Idempotency-Keys a key is among: the caller (issuer,
// subject) acting for its org. An issuer may assert several orgs for one
// subject; each org's requests are its own.
func idemScope(pr auth.Principal) string { return pr.Caller() + " " + strconv.Quote(pr.Org) }

// settleKey records the outcome of a reserved key: the transaction, a
// final business answer, or nothing at all when the failure is worth
// retrying with the same key (nothing was ordered).
func (s *Server) settleKey(c *gin.Context, key, hash string) {
	pr := principal(c)
	status := c.Writer.Status()
	var err error
	switch txID := c.GetString(txKey); {
	case txID != "":
		err = s.Store.CompleteIdem(idemScope(pr), key, store.Idem{BodyHash: hash, TxID: txID})
	case status >= 500 || status == http.StatusTooManyRequests:
		err = s.Store.ReleaseIdem(idemScope(pr), key)
	default:
		b, _ := c.Get(answerKey)
		body, _ := b.([]byte)
		err = s.Store.CompleteIdem(idemScope(pr), key, store.Idem{BodyHash: hash, Status: status, ContentType: problemJSON, Body: body})
	}
	if err != nil {
		logger(c).Error("record idempotency key", "err", err)
	}
}

const answerKey = "answerBody"

// quotedKeyMax is how much of a client's Idempotency-Key an answer quotes.
const quotedKeyMax = 64

// quoteKey is key as an answer quotes it: Go-quoted, so no character of it
// (a quote, a control character) can alter the problem's text, and cut to
// quotedKeyMax bytes (a key may be 255), marked with "..." when cut.
func quoteKey(key string) string {
	if len(key) > quotedKeyMax {
		return strconv.Quote(key[:quotedKeyMax]) + "..."
	}
	return strconv.Quote(key)
}

func (s *Server) replay(c *gin.Context, key, hash string, e *store.Idem) {
	c.Header("Idempotent-Replayed", "true")
	switch {
	case e.BodyHash != hash:
		writeProblem(c, problem(http.StatusUnprocessableEntity, CodeIdempotencyReuse, "Idempotency-Key "+quoteKey(key)+" was used with a different request"))
	case e.InProgress:
		c.Header("Retry-After", "1")
		writeProblem(c, problem(http.StatusConflict, CodeIdempotencyBusy, "a request with Idempotency-Key "+quoteKey(key)+" is still in progress"))
	case e.TxID != "":
		// As GET /v1/transactions/{txId}: only the org that submitted it
		// learns a transaction's outcome.
		if r, err := s.Store.Receipt(e.TxID); err == nil && r.Org != principal(c).Org {
			writeProblem(c, problem(http.StatusUnprocessableEntity, CodeIdempotencyReuse, "Idempotency-Key "+quoteKey(key)+" was used with a different request"))
			return
		}
		s.answer(c, e.TxID, preferAsync(c))
	default:
		c.Data(e.Status, e.ContentType, e.Body)
	}
}

// answer waits (unless async) for txID's commit and writes the outcome.
func (s *Server) answer(c *gin.Context, txID string, async bool) {
	var r store.Receipt
	var err error
	if async {
		r, err = s.Store.Receipt(txID)
	} else {
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.SyncWait)
		r, err = s.Submitter.Wait(ctx, txID)
		cancel()
	}
	if err != nil {
		fail(c, err)
		return
	}
	if r.Status == store.Pending {
		c.Header("Location", "/v1/transactions/"+r.TxID)
		if async {
			c.Header("Preference-Applied", "respond-async")
		}
		c.JSON(http.StatusAccepted, view(r))
		return
	}
	if err := fabric.Outcome(r); err != nil {
		fail(c, err)
		return
	}
	if r.Location != "" {
		c.Header("Location", r.Location)
	}
	c.JSON(r.SuccessStatus, view(r))
}

// transaction answers GET /v1/transactions/{txId}: the caller's org only.
func (s *Server) transaction(c *gin.Context) {
	r, err := s.Store.Receipt(c.Param("txId"))
	if err != nil || r.Org != principal(c).Org {
		writeProblem(c, problem(http.StatusNotFound, "NOT_FOUND", "no transaction "+c.Param("txId")+" submitted by your org through this gateway"))
		return
	}
	c.JSON(http.StatusOK, view(r))
}
