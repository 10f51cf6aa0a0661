package portal_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/gateway/portal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Result()
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}

func TestPageIsServedWithStrictHeaders(t *testing.T) {
	h := portal.Handler()
	for path, ct := range map[string]string{
		"/portal":            "text/html; charset=utf-8",
		"/portal/portal.js":  "text/javascript; charset=utf-8",
		"/portal/portal.css": "text/css; charset=utf-8",
	} {
		r := get(t, h, path)
		require.Equal(t, http.StatusOK, r.StatusCode, path)
		assert.Equal(t, ct, r.Header.Get("Content-Type"), path)
		csp := r.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
			"frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'", "require-trusted-types-for 'script'"} {
			assert.Contains(t, csp, d, path)
		}
		assert.NotContains(t, csp, "unsafe", "no unsafe-inline or unsafe-eval")
		assert.NotContains(t, csp, "http", "no other origin")
		assert.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
		assert.Equal(t, "DENY", r.Header.Get("X-Frame-Options"))
		assert.Equal(t, "no-referrer", r.Header.Get("Referrer-Policy"))
		assert.Equal(t, "no-cache", r.Header.Get("Cache-Control"))
		assert.NotEmpty(t, r.Header.Get("ETag"))
	}
	assert.Equal(t, portal.Script(), body(t, get(t, h, "/portal/portal.js")))
}

func TestOnlyThePortalFilesAreServed(t *testing.T) {
	h := portal.Handler()
	for _, path := range []string{"/portal/index.html", "/portal/nope.js", "/portal/static", "/portal/chart.go", "/portal/..%2fportal.go"} {
		assert.Equal(t, http.StatusNotFound, get(t, h, path).StatusCode, path)
	}
}

func TestRevalidationAnswersNotModified(t *testing.T) {
	h := portal.Handler()
	etag := get(t, h, "/portal/portal.js").Header.Get("ETag")
	r := get(t, h, "/portal/portal.js", "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, r.StatusCode)
	assert.Empty(t, body(t, r))
	assert.NotEqual(t, etag, get(t, h, "/portal").Header.Get("ETag"), "each file has its own tag")
}

func TestChartHeaders(t *testing.T) {
	h := http.Header{}
	portal.SetImageHeaders(h)
	assert.Equal(t, "image/svg+xml; charset=utf-8", h.Get("Content-Type"))
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
}

// The page runs under script-src 'self' and style-src 'self': an inline
// script, handler or style would be refused by the browser, and an
// external asset would be a dependency the page promises not to have.
func TestPageHasNoInlineCodeOrExternalAsset(t *testing.T) {
	page := body(t, get(t, portal.Handler(), "/portal"))
	z := html.NewTokenizer(bytes.NewReader(page))
	var scripts, sheets []string
	inScript := false
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			require.ErrorIs(t, z.Err(), io.EOF)
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
				assert.False(t, strings.HasPrefix(a.Key, "on"), "inline handler %s on <%s>", a.Key, tok.Data)
				assert.NotEqual(t, "style", a.Key, "inline style on <%s>", tok.Data)
				if a.Key == "src" || a.Key == "href" || a.Key == "action" {
					assert.True(t, strings.HasPrefix(a.Val, "/portal/"), "<%s %s=%q> is not one of the page's files", tok.Data, a.Key, a.Val)
				}
			}
			switch tok.Data {
			case "script":
				scripts = append(scripts, attrs["src"])
				inScript = true
			case "link":
				sheets = append(sheets, attrs["href"])
			case "style":
				t.Errorf("inline <style>")
			}
		case html.TextToken:
			if inScript {
				assert.Empty(t, strings.TrimSpace(tok.Data), "inline script")
			}
		case html.EndTagToken:
			inScript = false
		}
	}
	assert.Equal(t, []string{"/portal/portal.js"}, scripts, "one script")
	assert.Equal(t, []string{"/portal/portal.css"}, sheets, "one style sheet")

	external := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(`)
	for _, f := range []string{"/portal", "/portal/portal.css", "/portal/portal.js"} {
		b := body(t, get(t, portal.Handler(), f))
		assert.Empty(t, external.FindAllString(string(b), -1), "%s refers to nothing outside the gateway", f)
		assert.NotContains(t, string(b), "innerHTML", "%s writes no HTML from strings (Trusted Types would refuse it)", f)
		assert.NotContains(t, string(b), "eval(", f)
	}
}

// docs/portal.md publishes the script's SHA-256 so that anyone can check
// the script a gateway serves; the published value must be the embedded
// script's.
func TestDocsPublishTheScriptHash(t *testing.T) {
	doc, err := os.ReadFile("../../docs/portal.md")
	require.NoError(t, err)
	sum := sha256.Sum256(portal.Script())
	want := hex.EncodeToString(sum[:])
	require.Equal(t, want, portal.ScriptSHA256())
	m := regexp.MustCompile("portal\\.js` SHA-256: `([0-9a-f]{64})`").FindSubmatch(doc)
	require.NotNil(t, m, "docs/portal.md has the line: `portal.js` SHA-256: `<hex>`")
	assert.Equal(t, want, string(m[1]), "docs/portal.md publishes the hash of the script this gateway serves; update the doc with the script")
}
