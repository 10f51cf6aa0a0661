package rules

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/vin"
	"github.com/go-playground/validator/v10"
)

// Field rules are declared as `validate:"..."` struct tags, read by
// go-playground/validator (deterministic: it walks fields in declaration
// order and keeps no state between calls, so endorsers agree). The same
// tags are what the gateway's OpenAPI schemas are generated from (Facets
// and Schema), so a limit is written once, next to its field. Cross-field
// and ledger-dependent rules stay in each type's Validate.
//
// Besides validator's own tags (required, min, max, unique, dive), these
// are ours: code, serial, iso3166, iso4217, sha256, salt, msp, vin, pagesize,
// and those the *types packages register (enumerations, ownerref).

// Tag is one of our named validations.
type Tag struct {
	// Rule is the rule name a failure reports (the API's errors[].rule).
	Rule string
	// Message explains a failure; %q is the value.
	Message string
	// Valid reports whether a value passes.
	Valid func(v reflect.Value) bool
	// Facets are the JSON Schema keywords the tag stands for.
	Facets map[string]any
	// Check, when set, is a validator with errors of its own (VIN_INVALID,
	// PERSONAL_DATA): they are reported instead of Rule and Message.
	Check func(string) error
}

var (
	validate = validator.New(validator.WithRequiredStructEnabled())
	tags     = map[string]Tag{}
)

func init() {
	// Errors name fields as the JSON does: birth.modelYear, not Birth.ModelYear.
	validate.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			return ""
		case name == "" && f.Anonymous:
			return embedded // its fields are the JSON object's own
		}
		return name
	})
	const codeMsg = "must be 1-64 characters of A-Z, a-z, 0-9 and ._:-"
	Register("code", Tag{Rule: "code", Message: codeMsg, Valid: str(IsCode), Facets: map[string]any{"pattern": CodePattern}})
	Register("serial", Tag{Rule: "serial", Message: "%q " + codeMsg, Valid: str(IsCode), Facets: map[string]any{"pattern": CodePattern}})
	Register("iso3166", Tag{Rule: "iso3166_alpha2", Message: "must be an ISO 3166-1 alpha-2 code such as DE, got %q",
		Valid: str(countryShape.MatchString), Facets: map[string]any{"pattern": CountryPattern}})
	Register("iso4217", Tag{Rule: "iso4217", Message: "must be an ISO 4217 code such as EUR",
		Valid: str(currencyShape.MatchString), Facets: map[string]any{"pattern": CurrencyPattern}})
	Register("sha256", Tag{Rule: "sha256_hex", Message: "must be a SHA-256 hash as 64 lower-case hex characters",
		Valid: str(hashShape.MatchString), Facets: map[string]any{"pattern": HashPattern}})
	Register("salt", Tag{Rule: "salt", Message: saltMessage, Valid: str(IsSalt), Facets: map[string]any{"pattern": SaltPattern}})
	Register("msp", Tag{Rule: "msp_id", Message: "must be a member's MSP ID such as OemMSP",
		Valid: str(mspShape.MatchString), Facets: map[string]any{"pattern": MSPPattern}})
	// The VIN's own errors (VIN_INVALID, length/charset/check_digit) are reported.
	Register("vin", Tag{Check: func(s string) error { _, err := vin.Validate(s); return err }, Facets: map[string]any{"pattern": vin.Pattern}})
	Register("pagesize", Tag{Rule: "range", Message: fmt.Sprintf("must be between %d and %d, got %%v", MinPageSize, MaxPageSize),
		Valid: func(v reflect.Value) bool {
			return v.CanInt() && v.Int() >= MinPageSize && v.Int() <= MaxPageSize
		},
		Facets: map[string]any{"minimum": MinPageSize, "maximum": MaxPageSize, "default": DefaultPageSize}})
}

func str(f func(string) bool) func(reflect.Value) bool {
	return func(v reflect.Value) bool { return v.Kind() == reflect.String && f(v.String()) }
}

// Register adds a named validation; it panics on a duplicate name, which
// is a programming error found at start-up.
func Register(name string, t Tag) {
	if _, dup := tags[name]; dup {
		panic("rules: tag " + name + " registered twice")
	}
	if t.Check != nil {
		t.Valid = str(func(s string) bool { return t.Check(s) == nil })
	}
	tags[name] = t
	if err := validate.RegisterValidation(name, func(fl validator.FieldLevel) bool { return t.Valid(fl.Field()) }); err != nil {
		panic(err)
	}
}

// Enum registers the tag name for a value among values (rule one_of) and
// returns values: the list is written once, as a Go variable, and both the
// validator and the schema read it.
func Enum(name string, values ...string) []string {
	Register(name, Tag{Rule: "one_of", Message: fmt.Sprintf("must be one of %v, got %%q", values),
		Valid: str(func(s string) bool { return slices.Contains(values, s) }), Facets: map[string]any{"enum": values}})
	return values
}

// Facets returns the JSON Schema keywords of one of our tags.
func Facets(name string) (map[string]any, bool) {
	t, ok := tags[name]
	return t.Facets, ok
}

// Var checks one value against a tag list, as a struct field would be.
func Var(v any, tag string) error { return validate.Var(v, tag) }

// Struct checks v's tagged fields and records each failure.
func (c *Checker) Struct(v any) {
	err := validate.Struct(v)
	if err == nil {
		return
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		c.Fail("", "invalid", "%v", err)
		return
	}
	root := reflect.TypeOf(v)
	for _, fe := range verrs {
		c.fieldError(root, fe)
	}
}

var index = regexp.MustCompile(`\[[^\]]*\]`)

// embedded names an embedded struct in validator's namespaces.
const embedded = "~"

func (c *Checker) fieldError(root reflect.Type, fe validator.FieldError) {
	// "RegisterPartsRequest.materials[2].country" -> "materials[].country"
	_, field, _ := strings.Cut(fe.Namespace(), ".")
	field = strings.ReplaceAll(index.ReplaceAllString(field, "[]"), embedded+".", "")
	val := fe.Value()
	if t, ok := tags[fe.Tag()]; ok {
		if t.Check != nil {
			c.Add(t.Check(fmt.Sprint(val)))
			return
		}
		msg := t.Message
		if strings.Contains(msg, "%") {
			msg = fmt.Sprintf(msg, val)
		}
		c.Fail(field, t.Rule, "%s", msg)
		return
	}
	kind := fe.Kind()
	if kind == reflect.Pointer {
		kind = fe.Type().Elem().Kind()
	}
	lo, hi := Bounds(tagOf(root, fe.StructNamespace()))
	switch {
	case fe.Tag() == "required" && fe.Type() == reflect.TypeFor[time.Time]():
		c.Fail(field, "required", "is required (RFC 3339 time)")
	case fe.Tag() == "required":
		c.Fail(field, "required", "is required")
	case fe.Tag() == "unique":
		if dup, ok := duplicate(reflect.ValueOf(val)); ok {
			c.Fail(field, "unique", "lists %q twice", fmt.Sprint(dup))
		} else {
			c.Fail(field, "unique", "lists a value twice")
		}
	case kind == reflect.String && lo != "" && hi != "":
		c.Fail(field, "length", "must be %s-%s characters, got %d", lo, hi, len([]rune(fmt.Sprint(val))))
	case kind == reflect.String && fe.Tag() == "max":
		c.Fail(field, "max_length", "must be at most %s characters, got %d", hi, len([]rune(fmt.Sprint(val))))
	case kind == reflect.String && fe.Tag() == "min":
		c.Fail(field, "min_length", "must be at least %s characters", lo)
	case (kind == reflect.Slice || kind == reflect.Array) && lo != "" && hi != "":
		c.Fail(field, "count", "must list %s to %s items, got %d", lo, hi, reflect.ValueOf(val).Len())
	case kind == reflect.Slice && fe.Tag() == "max":
		c.Fail(field, "max_items", "must list at most %s items, got %d", hi, reflect.ValueOf(val).Len())
	case kind == reflect.Slice && fe.Tag() == "min":
		c.Fail(field, "min_items", "must list at least %s items", lo)
	case lo != "" && hi != "":
		c.Fail(field, "range", "must be between %s and %s, got %v", lo, hi, val)
	default:
		c.Fail(field, fe.Tag(), "fails %s %s", fe.Tag(), fe.Param())
	}
}

// duplicate returns the first item of list that an earlier item equals,
// so a refusal names the value to remove; ok is false when there is none
// or the items cannot be compared (unique on a struct's field).
func duplicate(list reflect.Value) (dup any, ok bool) {
	if list.Kind() != reflect.Slice && list.Kind() != reflect.Array {
		return nil, false
	}
	seen := map[any]bool{}
	for i := range list.Len() {
		v := list.Index(i)
		if !v.Type().Comparable() {
			return nil, false
		}
		if seen[v.Interface()] {
			return v.Interface(), true
		}
		seen[v.Interface()] = true
	}
	return nil, false
}

// tagOf finds the validate tag of the field at a struct namespace such as
// "OrderRequest.Lines[0].Quantity", for messages that name both bounds.
// It returns only the part that applies at that level: for a slice
// element, the part after "dive".
func tagOf(t reflect.Type, ns string) string {
	parts := strings.Split(ns, ".")[1:]
	tag := ""
	for _, p := range parts {
		name, _, dived := strings.Cut(p, "[")
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		f, ok := t.FieldByName(name)
		if !ok {
			return ""
		}
		t = f.Type
		tag = f.Tag.Get("validate")
		if dived {
			_, tag, _ = strings.Cut(tag, "dive,")
			t = t.Elem()
		} else {
			tag, _, _ = strings.Cut(","+tag, ",dive")
			tag = strings.TrimPrefix(tag, ",")
		}
	}
	return tag
}

// Bounds reads min= and max= (or len=) of a tag, "" when absent; for a
// slice, the bounds before "dive" (the list's own).
func Bounds(tag string) (lo, hi string) {
	tag, _, _ = strings.Cut(","+tag, ",dive")
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "min", "gte":
			lo = v
		case "max", "lte":
			hi = v
		case "len":
			lo, hi = v, v
		}
	}
	if _, err := strconv.ParseFloat(lo, 64); err != nil {
		lo = ""
	}
	if _, err := strconv.ParseFloat(hi, 64); err != nil {
		hi = ""
	}
	return lo, hi
}
