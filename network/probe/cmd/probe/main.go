// Command probe is the container health check of AutoLedger's images:
//
//	probe -url https://127.0.0.1:9443/healthz -cacert ca.pem [-cert c.pem -key k.pem]
//	probe -tcp 127.0.0.1:9999
//
// It exits 0 when healthy, 1 otherwise.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/autoledger/autoledger/network/probe"
)

func main() {
	var c probe.Check
	flag.StringVar(&c.URL, "url", "", "http(s) URL that must answer 2xx")
	flag.StringVar(&c.TCP, "tcp", "", "host:port that must accept a connection")
	flag.StringVar(&c.CACert, "cacert", "", "PEM CA certificate for HTTPS")
	flag.StringVar(&c.Cert, "cert", "", "PEM client certificate")
	flag.StringVar(&c.Key, "key", "", "PEM client key")
	flag.DurationVar(&c.Timeout, "timeout", 3*time.Second, "timeout")
	flag.Parse()
	if err := c.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "unhealthy:", err)
		os.Exit(1)
	}
}
