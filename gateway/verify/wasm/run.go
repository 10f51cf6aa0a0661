// Command wasm is the in-page verifier: gateway/verify compiled to
// WebAssembly (`make wasm` writes gateway/report/static/verify.wasm). In a
// browser it defines the global function
//
//	autoledgerVerify(bundleJSON, rootsJSON, expectJSON) -> resultJSON
//
// bundleJSON is a verify.Bundle, rootsJSON verify.Roots and expectJSON
// verify.Expect ({"channel", "vin", "challenge"}), each as JSON text.
// resultJSON is verify.Result ({"ok", "checks": [{"name", "ok",
// "detail"}]}) plus "summary", Result.String() as the CLI prints it, and
// "error" when an input is not JSON of its type (then "ok" is false and no
// check ran). The page's script (gateway/report/static/report.js) calls it.
package main

import (
	"encoding/json"
	"fmt"

	"github.com/autoledger/autoledger/gateway/verify"
)

// output is what autoledgerVerify answers.
type output struct {
	verify.Result
	Summary string `json:"summary"`
	Error   string `json:"error,omitempty"`
}

// run decodes the three inputs, verifies and encodes the outcome. It never
// fails: a bad input is an answer with Error set.
func run(bundleJSON, rootsJSON, expectJSON string) string {
	var (
		b      verify.Bundle
		roots  verify.Roots
		expect verify.Expect
	)
	for _, in := range []struct {
		name string
		text string
		into any
	}{{"bundle", bundleJSON, &b}, {"roots", rootsJSON, &roots}, {"expect", expectJSON, &expect}} {
		if err := json.Unmarshal([]byte(in.text), in.into); err != nil {
			return encode(output{Error: fmt.Sprintf("%s: not JSON of its kind: %v", in.name, err)})
		}
	}
	r := verify.Verify(b, roots, expect)
	return encode(output{Result: r, Summary: r.String()})
}

func encode(o output) string {
	if o.Error != "" {
		o.Summary = "FAIL: " + o.Error + "\n"
	}
	out, err := json.Marshal(o)
	if err != nil { // strings and booleans always encode
		return `{"ok":false,"error":"the verifier could not encode its result"}`
	}
	return string(out)
}
