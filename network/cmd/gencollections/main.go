// Command gencollections writes network/collections_config.json, the
// private data collections the peers get, from package collections, where
// the contracts and the gateway read them. network/collections_test.go fails
// when the committed file differs; regenerate with
//
//	go generate ./network/cmd/gencollections
package main

//go:generate go run . -out ../../collections_config.json

import (
	"flag"
	"fmt"
	"os"

	"github.com/autoledger/autoledger/chaincode/collections"
)

func main() {
	out := flag.String("out", "", "file to write (default: standard output)")
	flag.Parse()
	b, err := collections.ConfigJSON()
	if err == nil {
		if *out == "" {
			_, err = os.Stdout.Write(b)
		} else {
			err = os.WriteFile(*out, b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencollections:", err)
		os.Exit(1)
	}
}
