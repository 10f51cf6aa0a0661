package api_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/part/parttypes"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite the generated component schemas of openapi.yaml (make openapi)")

// requestBodies are the Go types behind the request-body schemas of
// openapi.yaml, by schema name. Their nested structs become schemas too.
var requestBodies = map[string]any{
	"RegisterRequest":      vehicletypes.RegisterRequest{},
	"DealerSaleRequest":    api.DealerSaleBody{},
	"ChallengeRequest":     api.ChallengeRequest{},
	"ClaimRequest":         api.ClaimBody{},
	"OwnerSaleRequest":     api.OwnerSaleBody{},
	"StatementEnvelope":    api.StatementBody{},
	"OdometerRequest":      vehicletypes.OdometerRequest{},
	"ClusterRequest":       vehicletypes.ClusterRequest{},
	"ServiceRequest":       vehicletypes.ServiceRequest{},
	"BatteryRequest":       vehicletypes.BatteryRequest{},
	"IncidentRequest":      vehicletypes.IncidentRequest{},
	"BrandRequest":         vehicletypes.BrandRequest{},
	"RegisterPartsRequest": parttypes.RegisterPartsRequest{},
	"AssembleRequest":      parttypes.AssembleRequest{},
	"ShipRequest":          parttypes.ShipRequest{},
	"ReceiveRequest":       parttypes.ReceiveRequest{},
	"InstallRequest":       parttypes.InstallRequest{},
	"ReasonRequest":        parttypes.ReasonRequest{},
	"RemoveRequest":        parttypes.RemoveRequest{},
	"RecallRequest":        parttypes.RecallRequest{},
	"Terms":                parttypes.Terms{},
	"PartyRequest":         paymenttypes.PartyRequest{},
	"PartyUpdate":          paymenttypes.PartyUpdate{},
	"CalendarRequest":      paymenttypes.CalendarRequest{},
	"ProposalRequest":      api.ProposalBody{},
	"OrderRequest":         paymenttypes.OrderRequest{},
	"Amount":               paymenttypes.Amount{},
	"DeliveryRequest":      paymenttypes.DeliveryRequest{},
	"OrderNote":            paymenttypes.OrderNote{},
	"PaymentRequest":       paymenttypes.PaymentRequest{},
	"ShareSplitRequest":    paymenttypes.ShareSplitRequest{},
	"ShareTransferRequest": paymenttypes.ShareTransferRequest{},
}

// prose are the keywords written by hand in openapi.yaml and kept when the
// schemas are generated: they explain, they do not constrain.
var prose = []string{"description", "examples", "format"}

// The component schemas of the request bodies are generated from the Go
// types and their validate tags (chaincode/rules), so the document cannot
// drift from what the gateway and the chaincode enforce. `make openapi`
// rewrites them.
func TestOpenAPISchemasFollowTheGoTypes(t *testing.T) {
	const path = "openapi.yaml"
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(text, &doc))
	written := doc.Components.Schemas

	gen := generate()
	require.Greater(t, len(gen), len(requestBodies), "nested schemas are generated too")
	out := string(text)
	for _, name := range sortedKeys(gen) {
		schema := gen[name]
		keepProse(schema, written[name])
		if !*updateOpenAPI {
			assert.Equal(t, normalise(t, schema), normalise(t, written[name]),
				"components.schemas.%s differs from the Go type's; run make openapi", name)
			continue
		}
		out = splice(out, name, emit(name, schema))
	}
	if *updateOpenAPI {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
		return
	}
	assert.Equal(t, string(text), out)
}

// sortedKeys is m's keys in order, so that nothing depends on map order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// orderKey holds the properties' order in a generated schema (Go field
// order); it is not part of the schema.
const orderKey = "\x00order"

// normalise makes both sides plain YAML values (ints as ints).
func normalise(t *testing.T, v any) any {
	t.Helper()
	if s, ok := v.(schema); ok {
		c := schema{}
		for k, x := range s {
			if k != orderKey {
				c[k] = x
			}
		}
		v = c
	}
	b, err := yaml.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, yaml.Unmarshal(b, &out))
	return out
}

type schema = map[string]any

// generate returns every request-body schema, the schemas of the structs
// they nest, and PageSize, the one page-size rule.
func generate() map[string]schema {
	out := map[string]schema{}
	var todo []reflect.Type
	names := map[reflect.Type]string{}
	for name, v := range requestBodies {
		t := reflect.TypeOf(v)
		names[t] = name
		todo = append(todo, t)
	}
	for len(todo) > 0 {
		t := todo[0]
		todo = todo[1:]
		name := names[t]
		if _, done := out[name]; done {
			continue
		}
		out[name] = object(t, func(nested reflect.Type) string {
			if _, ok := names[nested]; !ok {
				names[nested] = nested.Name()
			}
			todo = append(todo, nested)
			return names[nested]
		})
	}
	page, _ := rules.Facets("pagesize")
	out["PageSize"] = schema{"type": "integer", "minimum": page["minimum"], "maximum": page["maximum"], "default": page["default"]}
	return out
}

type fieldInfo struct {
	name string
	f    reflect.StructField
}

// fields lists t's JSON fields in order, those of embedded structs inline.
func fields(t reflect.Type) []fieldInfo {
	var out []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			out = append(out, fields(f.Type)...)
		case name == "-" || !f.IsExported():
		default:
			if name == "" {
				name = f.Name
			}
			out = append(out, fieldInfo{name, f})
		}
	}
	return out
}

func object(t reflect.Type, ref func(reflect.Type) string) schema {
	props := schema{}
	var required []string
	for _, fi := range fields(t) {
		tag := fi.f.Tag.Get("validate")
		own, elem, _ := strings.Cut(","+tag, ",dive")
		own, elem = strings.TrimPrefix(own, ","), strings.TrimPrefix(elem, ",")
		props[fi.name] = typeSchema(fi.f.Type, own, elem, ref)
		if refusesZero(fi.f.Type, own) {
			required = append(required, fi.name)
		}
	}
	var order []string
	for _, fi := range fields(t) {
		order = append(order, fi.name)
	}
	s := schema{"type": "object", "additionalProperties": false, "properties": props, orderKey: order}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// refusesZero reports whether a field's rules refuse its zero value, which
// a missing JSON field decodes to: such a field is required.
func refusesZero(t reflect.Type, tag string) bool {
	zero := reflect.Zero(t).Interface()
	if t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]() {
		var c rules.Checker
		c.Struct(zero)
		return c.Err() != nil
	}
	return tag != "" && rules.Var(zero, tag) != nil
}

func typeSchema(t reflect.Type, tag, elemTag string, ref func(reflect.Type) string) schema {
	s := schema{}
	lo, hi := rules.Bounds(tag)
	num := func(v string) any {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	has := func(k string) bool { return slices.Contains(strings.Split(tag, ","), k) }
	// bounds sets a string's or an array's size limits: min and max, and
	// required alone means not empty.
	bounds := func(minKey, maxKey string) {
		if lo != "" {
			s[minKey] = num(lo)
		} else if has("required") {
			s[minKey] = int64(1)
		}
		if hi != "" {
			s[maxKey] = num(hi)
		}
	}
	switch {
	case t == reflect.TypeFor[time.Time]():
		s["type"], s["format"] = "string", "date-time"
	case t == reflect.TypeFor[json.RawMessage]():
		s["type"] = "object" // a JSON value the request's own rules check (a proposal's value)
	case t.Kind() == reflect.String:
		s["type"] = "string"
		bounds("minLength", "maxLength")
	case t.Kind() == reflect.Bool:
		s["type"] = "boolean"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s["type"] = "integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s["type"] = "number"
	case t.Kind() == reflect.Slice:
		s["type"] = "array"
		bounds("minItems", "maxItems")
		if has("unique") {
			s["uniqueItems"] = true
		}
		s["items"] = typeSchema(t.Elem(), elemTag, "", ref)
		return s
	case t.Kind() == reflect.Struct:
		return schema{"$ref": "#/components/schemas/" + ref(t)}
	default:
		panic(fmt.Sprintf("no schema for %s", t))
	}
	if s["type"] == "integer" || s["type"] == "number" {
		if lo != "" {
			s["minimum"] = num(lo)
		}
		if hi != "" {
			s["maximum"] = num(hi)
		}
	}
	for _, name := range strings.Split(tag, ",") {
		if f, ok := rules.Facets(name); ok {
			for k, v := range f {
				s[k] = v
			}
		}
	}
	return s
}

// keepProse copies the hand-written keywords of the written schema into
// the generated one, property by property.
func keepProse(gen schema, written map[string]any) {
	if written == nil {
		return
	}
	for _, k := range prose {
		if _, ok := gen[k]; !ok && written[k] != nil {
			gen[k] = written[k]
		}
	}
	for _, sub := range []string{"properties", "items"} {
		g, _ := gen[sub].(schema)
		w, _ := written[sub].(map[string]any)
		if g == nil || w == nil {
			continue
		}
		if sub == "items" {
			keepProse(g, w)
			continue
		}
		for name, p := range g {
			wp, _ := w[name].(map[string]any)
			keepProse(p.(schema), wp)
		}
	}
}

// keyOrder is the order keywords are written in.
var keyOrder = []string{"$ref", "type", "format", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "default",
	"minItems", "maxItems", "uniqueItems", "items", "required", "additionalProperties", "properties", "description", "examples"}

// emit writes one component schema as openapi.yaml has them: the schema's
// own keywords as a block, each property on one line in flow style.
func emit(name string, s schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    %s:\n", name)
	for _, k := range keyOrder {
		v, ok := s[k]
		if !ok {
			continue
		}
		if k != "properties" {
			fmt.Fprintf(&b, "      %s: %s\n", k, flow(v))
			continue
		}
		b.WriteString("      properties:\n")
		props := v.(schema)
		for _, p := range s[orderKey].([]string) {
			fmt.Fprintf(&b, "        %s: %s\n", p, flow(props[p]))
		}
	}
	return b.String()
}

func flow(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return flowMap(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = scalar(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []any:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = flow(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return scalar(v)
	default:
		return fmt.Sprint(v)
	}
}

func flowMap(m map[string]any) string {
	var parts []string
	for _, k := range keyOrder {
		if v, ok := m[k]; ok {
			parts = append(parts, scalar(k)+": "+flow(v))
		}
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(keyOrder, k) && k != orderKey {
			parts = append(parts, scalar(k)+": "+flow(m[k]))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// scalar writes s plain when YAML reads it back as the same string in a
// flow collection, else double-quoted.
func scalar(s string) string {
	var back any
	plain := s != "" && !strings.ContainsAny(s, ":#{}[],&*!|>'\"%@`") && strings.TrimSpace(s) == s && !strings.HasPrefix(s, "-") &&
		yaml.Unmarshal([]byte(s), &back) == nil && back == s
	if plain {
		return s
	}
	return strconv.Quote(s)
}

// splice replaces the component schema name in the document's text with
// block, or adds it at the end of components.schemas.
func splice(text, name, block string) string {
	lines := strings.SplitAfter(text, "\n")
	start := slices.Index(lines, "  schemas:\n")
	if start < 0 {
		panic("openapi.yaml has no components.schemas")
	}
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if indent(lines[i]) <= 2 {
			end = i
			break
		}
	}
	for i := start + 1; i < end; i++ {
		if lines[i] != "    "+name+":\n" {
			continue
		}
		j := i + 1
		for j < end && indent(lines[j]) > 4 {
			j++
		}
		return strings.Join(lines[:i], "") + block + strings.Join(lines[j:], "")
	}
	return strings.Join(lines[:end], "") + block + strings.Join(lines[end:], "")
}

func indent(line string) int {
	if strings.TrimSpace(line) == "" {
		return 1 << 10 // blank lines belong to the block they are in
	}
	return len(line) - len(strings.TrimLeft(line, " "))
}
