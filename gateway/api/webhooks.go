package api

import (
	"crypto/rand"
	"encoding/hex"
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

func (s *Server) hub(c *gin.Context) bool {
	if s.Hub == nil {
		writeProblem(c, problem(http.StatusServiceUnavailable, CodeUnavailable, "webhooks are not enabled on this gateway"))
		return false
	}
	return true
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
	if err := sub.Validate(); err != nil {
		writeProblem(c, validationProblem(fieldErr("subscription", "webhook", err.Error())))
		return
	}
	if err := s.Hub.Subscribe(sub); err != nil {
		fail(c, err)
		return
	}
	sub.Secret = ""
	c.Header("Location", "/v1/subscriptions")
	c.JSON(http.StatusCreated, sub)
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
		sub.Secret = ""
		out = append(out, sub)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) deadLetters(c *gin.Context) {
	if !s.hub(c) {
		return
	}
	dead, err := s.Hub.DeadLetters()
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
	if err := s.Hub.Replay(c.Param("id")); err != nil {
		writeProblem(c, problem(http.StatusNotFound, "NOT_FOUND", err.Error()))
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": c.Param("id"), "state": webhook.Pending})
}
