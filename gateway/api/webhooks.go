package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/gin-gonic/gin"
)

// SubscriptionRequest is the body of POST /v1/subscriptions.
type SubscriptionRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
	Party  string   `json:"party,omitempty"`
}

// SecretRequest is the body of POST /v1/subscriptions/{id}/secret.
type SecretRequest struct {
	Secret string `json:"secret"`
}

// Codes of the webhook answers.
const (
	CodeSubscriptionLimit = "SUBSCRIPTION_LIMIT"
	CodeQueueFull         = "QUEUE_FULL"
	CodeNotDead           = "NOT_DEAD"
)

func (s *Server) hub(c *gin.Context) bool {
	if s.Hub == nil {
		writeProblem(c, problem(http.StatusServiceUnavailable, CodeUnavailable, "webhooks are not enabled on this gateway"))
		return false
	}
	return true
}

// webhookFail answers a hub error: a refused field is 422 naming it,
// another org's or an unknown id 404, a reached cap 422 (subscriptions) or
// 429 (a full queue, which drains).
func webhookFail(c *gin.Context, err error, limitStatus int, limitCode string) {
	var fe *webhook.FieldError
	switch {
	case errors.As(err, &fe):
		writeProblem(c, validationProblem(fieldErr(fe.Field, "webhook", fe.Message)))
	case errors.Is(err, webhook.ErrNotFound):
		writeProblem(c, problem(http.StatusNotFound, "NOT_FOUND", err.Error()))
	case errors.Is(err, webhook.ErrNotDead):
		writeProblem(c, problem(http.StatusConflict, CodeNotDead, err.Error()))
	case errors.Is(err, webhook.ErrLimit):
		fail(c, problem(limitStatus, limitCode, err.Error()))
	default:
		fail(c, err)
	}
}

func (s *Server) subscribe(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	var req SubscriptionRequest
	if _, ok := decode(c, &req); !ok {
		return
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	pr := principal(c)
	sub := webhook.Subscription{ID: "sub-" + hex.EncodeToString(b), Client: pr.Client, Org: pr.Org, URL: req.URL,
		Events: req.Events, Secret: req.Secret, Party: req.Party, CreatedAt: time.Now().UTC()}
	if err := s.Hub.Subscribe(c.Request.Context(), sub); err != nil {
		webhookFail(c, err, http.StatusUnprocessableEntity, CodeSubscriptionLimit)
		return
	}
	c.Header("Location", "/v1/subscriptions")
	c.JSON(http.StatusCreated, sub.Public())
}

func (s *Server) subscriptions(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	subs, err := s.Hub.Subscriptions(principal(c).Org)
	if err != nil {
		fail(c, err)
		return
	}
	out := []webhook.Subscription{}
	for _, sub := range subs {
		out = append(out, sub.Public())
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) unsubscribe(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	if err := s.Hub.Unsubscribe(principal(c).Org, c.Param("id")); err != nil {
		webhookFail(c, err, http.StatusUnprocessableEntity, CodeSubscriptionLimit)
		return
	}
	c.Status(http.StatusNoContent)
}

// rotateSecret replaces a subscription's secret; the old one keeps
// signing, next to the new, for the grace period (docs/payments.md).
func (s *Server) rotateSecret(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	var req SecretRequest
	if _, ok := decode(c, &req); !ok {
		return
	}
	sub, err := s.Hub.RotateSecret(principal(c).Org, c.Param("id"), req.Secret)
	if err != nil {
		webhookFail(c, err, http.StatusUnprocessableEntity, CodeSubscriptionLimit)
		return
	}
	c.JSON(http.StatusOK, sub.Public())
}

func (s *Server) deadLetters(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	dead, err := s.Hub.DeadLetters(principal(c).Org)
	if err != nil {
		fail(c, err)
		return
	}
	if dead == nil {
		dead = []webhook.Notification{}
	}
	c.JSON(http.StatusOK, dead)
}

func (s *Server) replayDeadLetter(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	if err := s.Hub.Replay(principal(c).Org, c.Param("id")); err != nil {
		webhookFail(c, err, http.StatusTooManyRequests, CodeQueueFull)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": c.Param("id"), "state": webhook.Pending})
}
