// Package portal is the car owner's web page that the gateway serves at
// /portal: one HTML page, one style sheet and one small hand-written script
// (static/), embedded in the binary so that a FROM scratch image serves
// them, with no external asset. The script makes the owner's P-256 key
// with WebCrypto (not extractable, kept in the browser's IndexedDB, one per
// car), builds owner statements (docs/owners.md) itself, shows their exact
// text before signing, and posts them to the /v1/owner endpoints.
//
// The page is trusted code of the member that serves it, as a bank's web
// app is its bank's: docs/portal.md publishes the script's SHA-256
// (ScriptSHA256; a test holds the two equal), and the autoledger CLI is
// the owner's independent client.
//
// The package also draws the history charts (chart.go) the page shows.
package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"time"
)

//go:embed static/index.html static/portal.css static/portal.js
var static embed.FS

// Path is where the page is served; its files are under Path + "/".
const Path = "/portal"

// asset is one embedded file.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// assets are the served files by name; "" is the page itself.
var assets = func() map[string]asset {
	out := map[string]asset{}
	for name, ct := range map[string]string{
		"index.html": "text/html; charset=utf-8",
		"portal.css": "text/css; charset=utf-8",
		"portal.js":  "text/javascript; charset=utf-8",
	} {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			panic(err) // the embed directive names these files: a build without them fails earlier
		}
		sum := sha256.Sum256(b)
		out[name] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	}
	out[""] = out["index.html"]
	return out
}()

// Script is the page's script as served.
func Script() []byte { return bytes.Clone(assets["portal.js"].body) }

// ScriptSHA256 is the lower-case hex SHA-256 of the script, the hash
// docs/portal.md publishes.
func ScriptSHA256() string {
	sum := sha256.Sum256(assets["portal.js"].body)
	return hex.EncodeToString(sum[:])
}

// ContentSecurityPolicy is the page's policy: nothing but its own files and
// its own origin's API, no inline script or style, no eval, no framing, no
// plugins, no form posts elsewhere, and Trusted Types so that no script
// can write HTML into the page (the script builds it with DOM calls).
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// ImagePolicy is the charts' policy when one is opened by itself: an SVG
// document may carry script, and these carry none.
const ImagePolicy = "default-src 'none'; frame-ancestors 'none'; sandbox"

// SetHeaders sets the security headers of the page's responses.
func SetHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	setCommon(h)
	// The page is small and changes with the gateway: always revalidate
	// (the ETag makes that a 304).
	h.Set("Cache-Control", "no-cache")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
}

// SetImageHeaders sets the headers of a chart's response.
func SetImageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ImagePolicy)
	setCommon(h)
	h.Set("Content-Type", SVGContentType)
	// A chart is the ledger's state now; the page reloads it after a write.
	h.Set("Cache-Control", "no-store")
}

func setCommon(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// Serve answers a GET or HEAD of the page ("") or one of its files by
// name, 404 for any other name. The server mounts it at Path and
// Path + "/{file}".
func Serve(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assets[name]
	if !ok || name == "index.html" { // the page has one address
		http.NotFound(w, r)
		return
	}
	SetHeaders(w.Header())
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// Handler serves the page and its files on their own, as the gateway
// does: GET Path and GET Path/{file}.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Path, func(w http.ResponseWriter, r *http.Request) { Serve(w, r, "") })
	mux.HandleFunc("GET "+Path+"/{file}", func(w http.ResponseWriter, r *http.Request) { Serve(w, r, r.PathValue("file")) })
	return mux
}
