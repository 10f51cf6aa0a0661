package apitest

import "github.com/getkin/kin-openapi/openapi3filter"

// The owner portal's responses (the page, its style sheet and script, and
// the SVG charts) are text the checker holds to their documented media
// type; the OpenAPI library decodes only JSON and plain text by itself.
func init() {
	for _, ct := range []string{"text/html", "text/css", "text/javascript", "image/svg+xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}
