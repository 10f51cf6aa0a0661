package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// MaxHeaderBytes bounds a request's header section (request line and
// headers): API keys and JWTs fit many times over. A larger one is answered
// 431 problem+json before authentication.
const MaxHeaderBytes = 32 << 10

// ServerMaxHeaderBytes is the http.Server's own limit: what net/http reads
// before it gives up and answers 431 itself, in plain text, before any
// handler runs. It is set well above MaxHeaderBytes so that every header
// section the API refuses is refused here, as problem+json; only one over
// a mebibyte gets net/http's plain answer.
const ServerMaxHeaderBytes = 1 << 20

// headerBytes is the size of r's header section as the client sent it,
// give or take a few bytes of whitespace: net/http has parsed it away.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	n += len("Host: ") + len(r.Host) + 2 // net/http moves Host out of r.Header
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}

// limitHeaders refuses a header section over MaxHeaderBytes and closes the
// connection, as net/http does for its own limit.
func limitHeaders(c *gin.Context) {
	if n := headerBytes(c.Request); n > MaxHeaderBytes {
		c.Header("Connection", "close")
		writeProblem(c, problem(http.StatusRequestHeaderFieldsTooLarge, CodeHeadersTooLarge,
			fmt.Sprintf("the request's header section is %d bytes, over the limit of %d bytes", n, MaxHeaderBytes)))
	}
}
