//go:build js && wasm

package main

import "syscall/js"

// main exposes the verifier to the page as
// autoledgerVerify(bundleJSON, rootsJSON, expectJSON) -> resultJSON and
// then waits for calls: the page calls it once per bundle.
func main() {
	js.Global().Set("autoledgerVerify", js.FuncOf(func(_ js.Value, args []js.Value) any {
		in := make([]string, 3)
		for i := range in {
			if i < len(args) && args[i].Type() == js.TypeString {
				in[i] = args[i].String()
			}
		}
		return run(in[0], in[1], in[2])
	}))
	select {}
}
