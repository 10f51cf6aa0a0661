package api_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validator is a request type: what the gateway and the contracts call.
type validator interface{ Validate() error }

// The generated schemas read the validate tags; Validate runs them. For
// every size, range and enum facet of a few request types' own properties,
// a value at the limit must pass Validate, one past it (or empty, or not
// in the enum) must fail on that very field: the schema and the code agree.
func TestOpenAPIFacetsAgreeWithValidate(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hash := strings.Repeat("ab", 32)
	bases := map[string]validator{
		"RegisterPartsRequest": parttypes.RegisterPartsRequest{PartNumber: "PN-1", Batch: "B1", Manufacturer: "Acme",
			ManufacturedAt: at, Serials: []string{"S1"}},
		"ReasonRequest": parttypes.ReasonRequest{Reason: "damaged"},
		"OrderRequest": paymenttypes.OrderRequest{OrderID: "O1", Seller: "SupplierMSP",
			Lines: []paymenttypes.Line{{PartNumber: "PN-1", Quantity: 1}}, PaymentTermsDays: 30, ExpectedDeliveryDate: at},
		"OdometerRequest": vehicletypes.OdometerRequest{Km: 1, Source: "service", ObservedAt: at},
		"ServiceRequest": vehicletypes.ServiceRequest{Type: "recall-remedy", OdometerKm: 1, DocumentHash: hash,
			PartSerials: []string{"S1"}, PerformedAt: at, RecallID: "R1"},
	}
	schemas := generate()
	checked := map[string]int{}
	for name, base := range bases {
		require.NoError(t, base.Validate(), "%s: the base value is valid", name)
		props, _ := schemas[name]["properties"].(schema)
		require.NotEmpty(t, props, name)
		for prop, p := range props {
			s, _ := p.(schema)
			for _, c := range boundaries(t, s) {
				v := with(t, base, prop, c.value)
				failed := fieldFailed(t, v.Validate(), prop)
				assert.Equal(t, !c.valid, failed, "%s.%s %s: the schema says valid=%v", name, prop, c.what, c.valid)
				checked[c.facet]++
			}
		}
	}
	for _, f := range []string{"maxLength", "minLength", "maximum", "minimum", "minItems", "maxItems", "enum"} {
		assert.Positive(t, checked[f], "no %s facet was checked", f)
	}
}

type boundary struct {
	facet, what string
	value       func(reflect.Type) reflect.Value
	valid       bool
}

// boundaries are the values at and past each facet of property schema s
// that this test knows to build (strings without a pattern, integers, and
// lists of strings).
func boundaries(t *testing.T, s schema) []boundary {
	var out []boundary
	n := func(k string) (int, bool) {
		switch v := s[k].(type) {
		case int64:
			return int(v), true
		case int:
			return v, true
		case float64:
			return int(v), true
		}
		return 0, false
	}
	// Characters, not bytes: ü is two bytes.
	text := func(k int) func(reflect.Type) reflect.Value {
		return func(reflect.Type) reflect.Value { return reflect.ValueOf(strings.Repeat("ü", k)) }
	}
	number := func(k int) func(reflect.Type) reflect.Value {
		return func(typ reflect.Type) reflect.Value { return reflect.ValueOf(k).Convert(typ) }
	}
	items, _ := s["items"].(schema)
	itemEnum, _ := items["enum"].([]string)
	list := func(k int) func(reflect.Type) reflect.Value {
		return func(typ reflect.Type) reflect.Value {
			l := reflect.MakeSlice(typ, k, k)
			for i := range k {
				// 64 hex digits: a code, a serial and a SHA-256 hash alike;
				// a list of an enum takes its values in turn.
				item := fmt.Sprintf("%064x", i+1)
				if len(itemEnum) > 0 {
					item = itemEnum[i%len(itemEnum)]
				}
				l.Index(i).Set(reflect.ValueOf(item))
			}
			return l
		}
	}
	switch s["type"] {
	case "string":
		if _, patterned := s["pattern"]; patterned {
			break
		}
		if hi, ok := n("maxLength"); ok {
			out = append(out, boundary{"maxLength", "at the limit", text(hi), true}, boundary{"maxLength", "one past", text(hi + 1), false})
		}
		if lo, ok := n("minLength"); ok && lo > 0 {
			out = append(out, boundary{"minLength", "at the limit", text(lo), true}, boundary{"minLength", "empty", text(0), false})
		}
		if enum, ok := s["enum"].([]string); ok {
			out = append(out, boundary{"enum", enum[0], func(reflect.Type) reflect.Value { return reflect.ValueOf(enum[0]) }, true},
				boundary{"enum", "not listed", func(reflect.Type) reflect.Value { return reflect.ValueOf("not-listed") }, false})
		}
	case "integer":
		if hi, ok := n("maximum"); ok {
			out = append(out, boundary{"maximum", "at the limit", number(hi), true}, boundary{"maximum", "one past", number(hi + 1), false})
		}
		if lo, ok := n("minimum"); ok {
			out = append(out, boundary{"minimum", "at the limit", number(lo), true}, boundary{"minimum", "one below", number(lo - 1), false})
		}
	case "array":
		if items["type"] != "string" {
			break
		}
		if hi, ok := n("maxItems"); ok {
			out = append(out, boundary{"maxItems", "at the limit", list(hi), true}, boundary{"maxItems", "one past", list(hi + 1), false})
		}
		if lo, ok := n("minItems"); ok && lo > 0 {
			out = append(out, boundary{"minItems", "at the limit", list(lo), true}, boundary{"minItems", "empty", list(0), false})
		}
	}
	return out
}

// with returns a copy of base whose JSON property prop is set by value.
func with(t *testing.T, base validator, prop string, value func(reflect.Type) reflect.Value) validator {
	t.Helper()
	v := reflect.New(reflect.TypeOf(base)).Elem()
	v.Set(reflect.ValueOf(base))
	// VisibleFields: an embedded struct's fields are the JSON object's own.
	for _, sf := range reflect.VisibleFields(v.Type()) {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == prop && !sf.Anonymous {
			f := v.FieldByIndex(sf.Index)
			f.Set(value(f.Type()))
			return v.Interface().(validator)
		}
	}
	t.Fatalf("%T has no property %s", base, prop)
	return nil
}

// fieldFailed reports whether err names field prop (or an item of it).
func fieldFailed(t *testing.T, err error, prop string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	e, ok := ccerr.From(err)
	require.True(t, ok, "%v", err)
	for _, f := range e.Fields {
		if f.Field == prop || strings.HasPrefix(f.Field, prop+"[]") {
			return true
		}
	}
	return false
}
