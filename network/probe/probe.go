// Package probe is the health check our container images run, since images
// built FROM scratch have no shell or curl: it calls an HTTPS health
// endpoint (optionally with a client certificate) or opens a TCP port.
package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// Check is one health check.
type Check struct {
	// URL is an http(s) URL that must answer 2xx; TCP is host:port that must accept.
	URL, TCP string
	// CACert, Cert and Key are PEM files for HTTPS.
	CACert, Cert, Key string
	Timeout           time.Duration
}

// Run performs c.
func (c Check) Run() error {
	if c.Timeout == 0 {
		c.Timeout = 3 * time.Second
	}
	if c.TCP != "" {
		conn, err := net.DialTimeout("tcp", c.TCP, c.Timeout)
		if err != nil {
			return err
		}
		return conn.Close()
	}
	if c.URL == "" {
		return errors.New("probe: give -url or -tcp")
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CACert != "" {
		pem, err := os.ReadFile(c.CACert)
		if err != nil {
			return err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no certificate in %s", c.CACert)
		}
	}
	if c.Cert != "" {
		kp, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{kp}
	}
	client := &http.Client{Timeout: c.Timeout, Transport: &http.Transport{TLSClientConfig: cfg}}
	res, err := client.Get(c.URL)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s answered %d", c.URL, res.StatusCode)
	}
	return nil
}
