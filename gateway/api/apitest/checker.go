// Package apitest holds test helpers for the gateway's REST API, as
// net/http/httptest does for net/http: nothing here is linked into the
// gateway binary.
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Checker checks real responses against the OpenAPI document; the tests
// (unit and end-to-end) run every response they see through it.
type Checker struct {
	doc    *openapi3.T
	router routers.Router
}

// textTypes are the non-JSON media types the gateway answers with (the
// owner portal's page, style sheet, script and charts): their bodies are
// checked as strings, as text/plain is by default.
var textTypes = []string{"text/html", "text/css", "text/javascript", "image/svg+xml"}

func init() {
	for _, ct := range textTypes {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// NewChecker loads the gateway's embedded document.
func NewChecker() (*Checker, error) {
	doc, err := api.LoadOpenAPI()
	if err != nil {
		return nil, err
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi router: %w", err)
	}
	return &Checker{doc: doc, router: r}, nil
}

// Doc is the loaded document.
func (c *Checker) Doc() *openapi3.T { return c.doc }

// Check validates one response to req.
func (c *Checker) Check(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s is not in the OpenAPI document: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s -> %d does not match the OpenAPI document: %w", req.Method, req.URL.Path, status, err)
	}
	return nil
}
