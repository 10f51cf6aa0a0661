package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/gin-gonic/gin"
)

func fieldErr(field, rule, msg string) []ccerr.FieldError {
	return []ccerr.FieldError{{Field: field, Rule: rule, Message: msg}}
}

// params validates a struct of path and query parameters with the same
// tagged rules (chaincode/rules) the request bodies use.
func params(c *gin.Context, p any) bool {
	var ch rules.Checker
	ch.Struct(p)
	return valid(c, ch.Err())
}

// valid is true when err is nil; otherwise it answers err's field errors
// with the checker's own code, as for a body (VIN_INVALID for a bad VIN).
func valid(c *gin.Context, err error) bool {
	if err == nil {
		return true
	}
	if e, ok := coded(c, err); ok {
		p := chaincodeProblem(e, "")
		p.Detail = fmt.Sprintf("%d field(s) failed validation", len(e.Fields))
		writeProblem(c, p)
	}
	return false
}

// coded is err as a coded chaincode error; an error without a code is
// answered as a failure, and ok is false.
func coded(c *gin.Context, err error) (*ccerr.Error, bool) {
	e, ok := ccerr.From(err)
	if !ok {
		fail(c, err)
	}
	return e, ok
}

type vinParam struct {
	VIN string `json:"vin" validate:"vin"`
}

// pathVIN reads and checks the {vin} path parameter.
func pathVIN(c *gin.Context) (string, bool) {
	p := vinParam{VIN: c.Param("vin")}
	return p.VIN, params(c, &p)
}

// decode reads the JSON body into v strictly: a Content-Type other than
// JSON is 415, malformed JSON or invalid UTF-8 is 400, an unknown field or
// a wrong type is 422 naming the field, an oversize body 413. It returns
// the raw body for the idempotency fingerprint.
func decode(c *gin.Context, v any) ([]byte, bool) {
	if ct := c.GetHeader("Content-Type"); ct != "" && !isJSON(ct) {
		writeProblem(c, problem(http.StatusUnsupportedMediaType, CodeMediaType,
			fmt.Sprintf("Content-Type %q is not JSON: send application/json (UTF-8)", ct)))
		return nil, false
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeProblem(c, problem(http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("request body over %d bytes", mbe.Limit)))
			return nil, false
		}
		writeProblem(c, problem(http.StatusBadRequest, CodeMalformed, "could not read the request body"))
		return nil, false
	}
	// encoding/json replaces invalid UTF-8 with U+FFFD without an error:
	// the ledger would keep text the client never sent.
	if !utf8.Valid(body) {
		writeProblem(c, problem(http.StatusBadRequest, CodeMalformed, "the request body is not valid UTF-8"))
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			writeProblem(c, validationProblem(fieldErr(typeErr.Field, "type", "must be a JSON "+typeErr.Type.Kind().String())))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			writeProblem(c, validationProblem(fieldErr(name, "unknown_field", "is not a field of this request")))
		case strings.Contains(err.Error(), "parsing time"):
			writeProblem(c, validationProblem(fieldErr("", "rfc3339", err.Error())))
		default:
			writeProblem(c, problem(http.StatusBadRequest, CodeMalformed, "malformed JSON: "+err.Error()))
		}
		return nil, false
	}
	if dec.More() {
		writeProblem(c, problem(http.StatusBadRequest, CodeMalformed, "malformed JSON: more than one value"))
		return nil, false
	}
	return body, true
}

// isJSON reports whether the media type ct is JSON in UTF-8:
// application/json or a +json type, without a charset or with utf-8
// (RFC 8259 JSON is UTF-8; the parameter has no meaning but is common).
func isJSON(ct string) bool {
	mt, ps, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// check runs a request type's Validate (the chaincode's rules) and writes
// the field errors as a 422.
func check(c *gin.Context, req validator) bool { return valid(c, req.Validate()) }
