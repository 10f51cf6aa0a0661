// Command gateway-keys writes a gateway configuration with one fresh API key
// per org and role of a network, and an env file holding the keys:
//
//	gateway-keys -connection test-network/run/connection.json \
//	  -config .autoledger/gateway.yaml -env .autoledger/demo.env
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/autoledger/autoledger/gateway/demo"
)

func main() {
	conn := flag.String("connection", "test-network/run/connection.json", "the network's connection file")
	cfgPath := flag.String("config", ".autoledger/gateway.yaml", "configuration to write")
	envPath := flag.String("env", ".autoledger/demo.env", "env file of keys to write")
	listen := flag.String("listen", "127.0.0.1:8080", "gateway listen address")
	storePath := flag.String("store", ".autoledger/gateway.db", "gateway store file")
	flag.Parse()
	cfg, keys, err := demo.Generate(*conn, *listen, *storePath)
	if err == nil {
		err = demo.Write(cfg, keys, "http://"+*listen, *cfgPath, *envPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway-keys:", err)
		os.Exit(1)
	}
}
