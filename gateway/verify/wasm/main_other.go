//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main says how this program is built: it runs only in a browser.
func main() {
	fmt.Fprintln(os.Stderr, "the in-page verifier runs in a browser: build it with `make wasm` (GOOS=js GOARCH=wasm); the autoledger CLI's `verify` checks bundles here")
	os.Exit(2)
}
