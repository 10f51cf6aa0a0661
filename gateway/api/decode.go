package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
)

// validate checks path and query parameters; request bodies are checked by
// the chaincode's own Validate methods, so each rule lives in one place.
var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// The VIN rule is chaincode/vin's, the same code the peer runs.
	_ = v.RegisterValidation("vin", func(fl validator.FieldLevel) bool {
		_, err := vin.Validate(fl.Field().String())
		return err == nil
	})
	return v
}()

func fieldErr(field, rule, msg string) []ccerr.FieldError {
	return []ccerr.FieldError{{Field: field, Rule: rule, Message: msg}}
}

// params validates a struct of path and query parameters.
func params(c *gin.Context, p any) bool {
	err := validate.Struct(p)
	if err == nil {
		return true
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		fail(c, err)
		return false
	}
	var fields []ccerr.FieldError
	for _, fe := range verrs {
		name := strings.ToLower(fe.Field()[:1]) + fe.Field()[1:]
		if fe.Tag() == "vin" {
			_, verr := vin.Validate(fmt.Sprint(fe.Value()))
			if e, ok := ccerr.From(verr); ok {
				fields = append(fields, e.Fields...)
				continue
			}
		}
		fields = append(fields, ccerr.FieldError{Field: name, Rule: fe.Tag(), Message: fmt.Sprintf("fails %s %s", fe.Tag(), fe.Param())})
	}
	writeProblem(c, validationProblem(fields))
	return false
}

type vinParam struct {
	VIN string `validate:"vin"`
}

// pathVIN reads and checks the {vin} path parameter.
func pathVIN(c *gin.Context) (string, bool) {
	p := vinParam{VIN: c.Param("vin")}
	return p.VIN, params(c, &p)
}

// decode reads the JSON body into v strictly: malformed JSON is 400, an
// unknown field or a wrong type is 422 naming the field, an oversize body 413.
// It returns the raw body for the idempotency fingerprint.
func decode(c *gin.Context, v any) ([]byte, bool) {
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

// check runs a request type's Validate (the chaincode's rules) and writes
// the field errors as a 422.
func check(c *gin.Context, req interface{ Validate() error }) bool {
	err := req.Validate()
	if err == nil {
		return true
	}
	e, ok := ccerr.From(err)
	if !ok {
		fail(c, err)
		return false
	}
	p := chaincodeProblem(e, "")
	p.Detail = fmt.Sprintf("%d field(s) failed validation", len(e.Fields))
	writeProblem(c, p)
	return false
}
