package api

import (
	"encoding/json"
	"net/http"

	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/gin-gonic/gin"
)

// The handler shapes most routes share: read keys from the path, read and
// check a JSON body, then submit or evaluate one chaincode function.

// validator is a request type with the chaincode's rules.
type validator interface{ Validate() error }

// keyFunc reads and checks a path or query parameter, writing the problem
// itself when it is wrong.
type keyFunc func(*gin.Context) (string, bool)

// readBody decodes the JSON body into a T and checks it with the chaincode's
// rules; on failure the problem is written and ok is false. raw is the body
// as sent, for the idempotency fingerprint.
func readBody[T validator](c *gin.Context) (req T, raw []byte, ok bool) {
	raw, ok = decode(c, &req)
	return req, raw, ok && check(c, req)
}

// jsonArg is v as a chaincode argument. The request types marshal without
// error: they were just decoded from JSON.
func jsonArg(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// readKeys reads each key in order, stopping at the first that is wrong.
func readKeys(c *gin.Context, keys []keyFunc) ([]string, bool) {
	out := make([]string, 0, len(keys)+1)
	for _, key := range keys {
		k, ok := key(c)
		if !ok {
			return nil, false
		}
		out = append(out, k)
	}
	return out, true
}

// bodyWrite handles a POST that submits function(keys..., body): the keys
// from the path, then the JSON body of type T. location, if not nil, names
// the resource created (the Location header).
func bodyWrite[T validator](s *Server, function string, location func(T) string, keys ...keyFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		args, ok := readKeys(c, keys)
		if !ok {
			return
		}
		req, raw, ok := readBody[T](c)
		if !ok {
			return
		}
		loc := ""
		if location != nil {
			loc = location(req)
		}
		s.submit(c, raw, fabric.Request{Function: function, Args: append(args, jsonArg(req)),
			SuccessStatus: http.StatusCreated, Location: loc})
	}
}

// keyedWrite handles a POST that acts on the resource named in the path (a
// VIN, a serial, an order) with a JSON body of type T.
func keyedWrite[T validator](s *Server, function string, key keyFunc) gin.HandlerFunc {
	return bodyWrite[T](s, function, nil, key)
}

// step handles a body-less POST that submits function(key).
func (s *Server) step(function string, key keyFunc, status int) gin.HandlerFunc {
	return func(c *gin.Context) {
		if k, ok := key(c); ok {
			s.submit(c, nil, fabric.Request{Function: function, Args: []string{k}, SuccessStatus: status})
		}
	}
}

// query handles a GET that evaluates function(key).
func (s *Server) query(function string, key keyFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if k, ok := key(c); ok {
			s.evaluate(c, function, k)
		}
	}
}

// evaluate answers a query with the chaincode's JSON as it is.
func (s *Server) evaluate(c *gin.Context, function string, args ...string) {
	out, err := s.Ledger.Evaluate(c.Request.Context(), principal(c), function, args...)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json", out)
}

// evaluateInto evaluates function(args...) for the gateway's own use,
// decoding the answer into out; on failure the problem is written.
func (s *Server) evaluateInto(c *gin.Context, out any, function string, args ...string) bool {
	raw, err := s.Ledger.Evaluate(c.Request.Context(), principal(c), function, args...)
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		fail(c, err)
		return false
	}
	return true
}
