// Package serve runs the gateway's HTTP listeners: the API over plain HTTP
// or, given a certificate and key, HTTPS (TLS 1.2 or later, optionally
// requiring client certificates from a configured CA); and, when
// metricsListen is set, GET /metrics on a plain-HTTP listener of its own
// instead of the API's.
package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/config"
)

// Servers are the gateway's listening HTTP servers.
type Servers struct {
	api, metrics     *http.Server // metrics is nil when /metrics is served by api
	apiLn, metricsLn net.Listener
	https            bool
}

// Listen builds the API's router from d and opens cfg's listeners. Nothing
// is served until Serve.
func Listen(cfg config.Config, d api.Deps) (*Servers, error) {
	d.MetricsElsewhere = cfg.MetricsListen != ""
	errLog := slog.NewLogLogger(d.Log.Handler(), slog.LevelInfo) // e.g. failed TLS handshakes
	s := &Servers{api: newServer(api.New(d).Handler(), errLog), https: cfg.TLS.Enabled()}
	if s.https {
		tc, err := TLSConfig(cfg.TLS)
		if err != nil {
			return nil, err
		}
		s.api.TLSConfig = tc
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	// The API answers a header section over api.MaxHeaderBytes itself, as
	// problem+json; net/http's own, plain-text limit sits far above it.
	s.api.MaxHeaderBytes = api.ServerMaxHeaderBytes
	s.apiLn = ln
	if cfg.MetricsListen != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler())
		s.metrics = newServer(mux, errLog)
		if s.metricsLn, err = net.Listen("tcp", cfg.MetricsListen); err != nil {
			s.apiLn.Close()
			return nil, fmt.Errorf("listen on %s (metricsListen): %w", cfg.MetricsListen, err)
		}
	}
	return s, nil
}

func newServer(h http.Handler, errLog *log.Logger) *http.Server {
	return &http.Server{Handler: h, ErrorLog: errLog, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
}

// TLSConfig is the API listener's TLS configuration: t's key pair, TLS 1.2
// at least, and client certificates verified against t.ClientCAFile when
// given (required when t.RequireClientCert, otherwise checked if sent).
func TLSConfig(t config.TLS) (*tls.Config, error) {
	kp, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls.certFile and tls.keyFile: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{kp}}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.clientCAFile: %w", err)
		}
		tc.ClientCAs = x509.NewCertPool()
		if !tc.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.clientCAFile %s holds no PEM certificate", t.ClientCAFile)
		}
		tc.ClientAuth = tls.VerifyClientCertIfGiven
		if t.RequireClientCert {
			tc.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	return tc, nil
}

// Addr is the API listener's address.
func (s *Servers) Addr() string { return s.apiLn.Addr().String() }

// MetricsAddr is the metrics listener's address, or "" when /metrics is
// served on the API's.
func (s *Servers) MetricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// HTTPS reports whether the API listener serves TLS.
func (s *Servers) HTTPS() bool { return s.https }

// Serve serves until Shutdown and returns the first listener's failure;
// after Shutdown it returns nil.
func (s *Servers) Serve() error {
	n := 1
	errc := make(chan error, 2)
	go func() {
		if s.https {
			errc <- s.api.ServeTLS(s.apiLn, "", "") // the key pair is in s.api.TLSConfig
			return
		}
		errc <- s.api.Serve(s.apiLn)
	}()
	if s.metrics != nil {
		n++
		go func() { errc <- s.metrics.Serve(s.metricsLn) }()
	}
	for range n {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// Shutdown stops both listeners, letting in-flight requests finish until
// ctx ends.
func (s *Servers) Shutdown(ctx context.Context) error {
	err := s.api.Shutdown(ctx)
	if s.metrics != nil {
		err = errors.Join(err, s.metrics.Shutdown(ctx))
	}
	return err
}
