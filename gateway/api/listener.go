package api

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// MaxHeaderBytes bounds a request's header section (the API server's
// http.Server.MaxHeaderBytes; net/http adds 4 KiB of slack). API keys and
// JWTs fit many times over.
const MaxHeaderBytes = 32 << 10

// Listener returns ln for the API's http.Server, whose MaxHeaderBytes must
// be MaxHeaderBytes. net/http answers a header section over that limit
// itself, before any handler runs, with a plain-text 431: the connections
// of this listener send that answer as problem+json instead, like every
// other error.
//
// With tc, TLS is terminated here, beneath that rewrite (serve with
// http.Server.Serve, not ServeTLS: below the TLS layer the answer is only
// ciphertext). The price is HTTP/1.1 only (net/http negotiates HTTP/2
// only on a *tls.Conn, and its HTTP/2 server answers 431 in HTML) and no
// Request.TLS in handlers; client certificates are still verified during
// the handshake as tc says. Failed handshakes are logged on log.
func Listener(ln net.Listener, tc *tls.Config, log *slog.Logger) net.Listener {
	if tc != nil {
		tc = tc.Clone()
		tc.NextProtos = []string{"http/1.1"}
	}
	if log == nil {
		log = slog.Default()
	}
	return &listener{Listener: ln, tls: tc, log: log}
}

type listener struct {
	net.Listener
	tls *tls.Config
	log *slog.Logger
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls == nil {
		return &conn{Conn: c}, nil
	}
	return &conn{Conn: tls.Server(c, l.tls), log: l.log}, nil
}

// conn rewrites net/http's plain-text 431 and, over TLS, completes the
// handshake on the first read (under the server's read deadline, as
// net/http does for its own TLS connections) so that a failure is logged.
type conn struct {
	net.Conn // a *net.TCPConn, or a *tls.Conn over one
	log      *slog.Logger
	once     sync.Once
}

// plain431 is exactly what net/http's conn.serve writes, in one Write, for
// a header section over the limit (net/http/server.go, errTooLarge). A
// handler's answer cannot be it: net/http adds a Date header to those. A
// test fails should a Go release change it.
var plain431 = []byte("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large")

var problem431 = rawProblem(problem(http.StatusRequestHeaderFieldsTooLarge, CodeHeadersTooLarge,
	fmt.Sprintf("the request's header section is over the limit of %d bytes", MaxHeaderBytes)))

// rawProblem is p as a complete HTTP/1.1 response that closes the connection.
func rawProblem(p *Problem) []byte {
	body, _ := json.Marshal(p) // strings and an int: cannot fail
	return []byte("HTTP/1.1 " + strconv.Itoa(p.Status) + " " + http.StatusText(p.Status) + "\r\nContent-Type: " + problemJSON +
		"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + string(body))
}

func (c *conn) Write(p []byte) (int, error) {
	if bytes.Equal(p, plain431) {
		if _, err := c.Conn.Write(problem431); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func (c *conn) Read(p []byte) (int, error) {
	if tc, ok := c.Conn.(*tls.Conn); ok {
		c.once.Do(func() { c.handshake(tc) })
	}
	return c.Conn.Read(p)
}

// handshake completes tc's handshake and logs a failure. The Read that
// follows returns the same error, and net/http closes the connection.
func (c *conn) handshake(tc *tls.Conn) {
	err := tc.Handshake()
	if err == nil {
		return
	}
	reason := err.Error()
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && rh.Conn != nil && looksLikeHTTP(rh.RecordHeader) {
		reason = "client sent an HTTP request to an HTTPS server"
		_, _ = rh.Conn.Write(rawProblem(problem(http.StatusBadRequest, CodeMalformed, "this is an HTTPS server: use https://")))
	}
	c.log.Info("TLS handshake failed", "remote", c.RemoteAddr().String(), "reason", reason)
}

// looksLikeHTTP reports whether a TLS record header is the start of a
// plain HTTP request instead.
func looksLikeHTTP(h [5]byte) bool {
	switch string(h[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH":
		return true
	}
	return false
}

// CloseWrite half-closes a TCP connection: net/http does so after an error
// answer (the 431 among them) so that the client reads it before the close.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
