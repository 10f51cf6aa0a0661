// Command gateway-keys writes a gateway configuration with one fresh API key
// per org and role of a network, and an env file holding the keys:
//
//	gateway-keys -connection test-network/run/connection.json \
//	  -config .autoledger/gateway.yaml -env .autoledger/demo.env
//
// With -tls-cert and -tls-key the configuration serves HTTPS with that key
// pair (paths as the gateway will see them) and the env file's
// AUTOLEDGER_URL is https://.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/demo"
)

func main() {
	conn := flag.String("connection", "test-network/run/connection.json", "the network's connection file")
	cfgPath := flag.String("config", ".autoledger/gateway.yaml", "configuration to write")
	envPath := flag.String("env", ".autoledger/demo.env", "env file of keys to write")
	listen := flag.String("listen", "127.0.0.1:8080", "gateway listen address")
	storePath := flag.String("store", ".autoledger/gateway.db", "gateway store file")
	var tls config.TLS
	flag.StringVar(&tls.CertFile, "tls-cert", "", "PEM server certificate: serve HTTPS (tls.certFile)")
	flag.StringVar(&tls.KeyFile, "tls-key", "", "PEM key of -tls-cert (tls.keyFile)")
	flag.StringVar(&tls.ClientCAFile, "tls-client-ca", "", "PEM CA that client certificates must chain to (tls.clientCAFile)")
	flag.BoolVar(&tls.RequireClientCert, "tls-require-client-cert", false, "refuse clients without a certificate (tls.requireClientCert)")
	flag.Parse()
	cfg, keys, err := demo.Generate(*conn, *listen, *storePath)
	if err == nil {
		cfg.TLS = tls
		err = cfg.Validate()
	}
	if err == nil {
		scheme := "http://"
		if tls.Enabled() {
			scheme = "https://"
		}
		err = demo.Write(cfg, keys, scheme+*listen, *cfgPath, *envPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway-keys:", err)
		os.Exit(1)
	}
}
