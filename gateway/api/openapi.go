package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
)

// openapiYAML is the API's contract; tests check that it and the router
// list the same routes.
//
//go:embed openapi.yaml
var openapiYAML []byte

var openapiJSON = func() []byte {
	doc, err := LoadOpenAPI()
	if err != nil {
		panic(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}()

// LoadOpenAPI parses and validates the embedded OpenAPI document.
func LoadOpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is invalid: %w", err)
	}
	return doc, nil
}

func (s *Server) openapi(c *gin.Context) { c.Data(http.StatusOK, "application/json", openapiJSON) }

var ginParam = regexp.MustCompile(`:([A-Za-z]+)`)

// openAPIPath turns gin's /vehicles/:vin into /vehicles/{vin}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }
