package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/portal"
)

// Path is where links open: Path + "/{token}" is the page, its bundle is
// under it; the page's files are under StaticPath.
const (
	Path       = "/r"
	StaticPath = Path + "/static"
)

// The page's files: report.css (this package), report.js (the verifying
// script) and, when `make wasm` built them before the gateway,
// verify.wasm and wasm_exec.js. Every file present at build time is
// embedded, so a FROM scratch image serves them.
//
//go:embed templates/report.html static
var files embed.FS

var page = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"day":  func(t time.Time) string { return dayOf(t) },
	"km":   func(n int64) string { return thousands(n) },
	"pct":  func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"yes":  func(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] },
	"join": func(s []string) string { return strings.Join(s, ", ") },
}).ParseFS(files, "templates/report.html"))

// asset is one served file.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".wasm": "application/wasm",
}

var assets = func() map[string]asset {
	out := map[string]asset{}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		panic(err) // the embed directive names the directory
	}
	for _, e := range entries {
		name := e.Name()
		ct, ok := contentTypes[path.Ext(name)]
		if !ok || e.IsDir() {
			continue
		}
		b, err := files.ReadFile("static/" + name)
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		out[name] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
	}
	return out
}()

// VerifierSHA256 is the lower-case hex SHA-256 of the embedded
// verify.wasm, or "" when the gateway was built without it.
func VerifierSHA256() string {
	a, ok := assets["verify.wasm"]
	if !ok {
		return ""
	}
	sum := sha256.Sum256(a.body)
	return hex.EncodeToString(sum[:])
}

// ContentSecurityPolicy is the page's policy: its own files only, the
// WebAssembly verifier may be compiled ('wasm-unsafe-eval', which allows no
// eval of script), no inline script or style, charts as data: images
// (an SVG as an image runs no script), and Trusted Types so that no script
// writes HTML into the page.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
	"require-trusted-types-for 'script'; trusted-types 'none'"

// SetHeaders sets the headers of every answer under Path. A link's page
// is the ledger's state now and carries the token in its address: no
// cache keeps it, no referrer leaks it, no search engine indexes it.
func SetHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Cache-Control", "no-store")
}

// ServeStatic answers GET StaticPath/{name}: one of the embedded files,
// 404 for any other name.
func ServeStatic(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	SetHeaders(w.Header())
	// The files change with the gateway only: revalidate by ETag.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", a.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}

// pageData is what the template shows.
type pageData struct {
	Report  vehicletypes.Report
	Link    ownertypes.ShareLinkView
	Channel string
	// Orderers are the channel configuration's orderer orgs, which the
	// in-page check holds the bundle to (the CLI takes them from the
	// consortium's publication instead).
	Orderers       string
	Electrified    bool
	Remedies       []string
	OdometerChart  template.URL
	BatteryChart   template.URL
	StaticPath     string
	BundlePath     string
	BundleURL      string
	MaxFactProofs  int
	HasScript      bool
	HasVerifier    bool
	VerifierSHA256 string
}

// MaxBatteryPages bounds the history pages the page reads for the battery
// chart (the report keeps only the latest battery report).
const MaxBatteryPages = 10

// Page renders the report page of a live link. base is the gateway's
// address as the buyer reached it (for the command lines the page shows);
// charge is called before every ledger read after the first two, so that
// the caller's rate limit covers a long history.
func (s *Service) Page(ctx context.Context, pr auth.Principal, link ownertypes.ShareLinkView, token, base string, charge func() error) ([]byte, error) {
	raw, err := s.Net.Evaluate(ctx, pr, "vehicle:Report", link.VIN)
	if err != nil {
		return nil, err
	}
	var r vehicletypes.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("vehicle:Report answer: %w", err)
	}
	d := pageData{Report: r, Link: link, Channel: s.Channel, Electrified: r.Powertrain != "" && r.Powertrain != "ICE",
		OdometerChart: svgURL(portal.OdometerSVG(r.Odometer.Timeline)), StaticPath: StaticPath,
		BundlePath: Path + "/" + token + "/bundle", MaxFactProofs: MaxFactProofs, VerifierSHA256: VerifierSHA256()}
	d.BundleURL = strings.TrimRight(base, "/") + d.BundlePath
	if cfg, err := s.Config(ctx, pr); err == nil {
		var ids []string
		for _, m := range cfg.MSPs {
			if m.Orderer {
				ids = append(ids, m.ID)
			}
		}
		d.Orderers = strings.Join(ids, ",")
	}
	_, d.HasScript = assets["report.js"]
	_, wasm := assets["verify.wasm"]
	_, exec := assets["wasm_exec.js"]
	d.HasVerifier = d.HasScript && wasm && exec
	for _, sv := range r.Services {
		if sv.RecallID != "" {
			d.Remedies = append(d.Remedies, sv.RecallID)
		}
	}
	if d.Electrified {
		reports, err := s.batteryReports(ctx, pr, link.VIN, charge)
		if err != nil {
			return nil, err
		}
		d.BatteryChart = svgURL(portal.BatterySVG(reports))
	}
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return nil, fmt.Errorf("render the report page: %w", err)
	}
	return b.Bytes(), nil
}

// batteryReports pages through the car's life events for its battery
// reports, at most MaxBatteryPages pages.
func (s *Service) batteryReports(ctx context.Context, pr auth.Principal, vin string, charge func() error) ([]vehicletypes.BatteryReport, error) {
	var out []vehicletypes.BatteryReport
	bookmark := ""
	for n := 0; ; n++ {
		if n == MaxBatteryPages {
			return nil, ccerr.New(ccerr.FailedPrecondition, "vehicle %s has more than %d life events; the page covers at most that many",
				vin, MaxBatteryPages*rules.MaxPageSize)
		}
		if n > 0 && charge != nil {
			if err := charge(); err != nil {
				return nil, err
			}
		}
		raw, err := s.Net.Evaluate(ctx, pr, "vehicle:History", vin, strconv.Itoa(rules.MaxPageSize), bookmark)
		if err != nil {
			return nil, err
		}
		var p vehicletypes.HistoryPage
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("vehicle:History answer: %w", err)
		}
		for _, e := range p.Events {
			if e.Battery != nil {
				out = append(out, *e.Battery)
			}
		}
		if len(p.Events) < rules.MaxPageSize || p.Bookmark == "" || p.Bookmark == bookmark {
			return out, nil
		}
		bookmark = p.Bookmark
	}
}

// svgURL is a chart as a data: URL for an <img>: an SVG shown as an
// image runs no script and loads nothing, and the page needs no second
// request (and no second ledger read) for it.
func svgURL(svg []byte) template.URL {
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)) //nolint:gosec // our own chart, base64: no markup of the caller reaches the attribute
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.DateOnly)
}

// thousands is n with thin groups of three digits: 123 456.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ErrorPage is the small page a link that does not open answers with.
func ErrorPage(status int, detail string) []byte {
	var b bytes.Buffer
	_ = errorPage.Execute(&b, struct {
		Title, Detail, StaticPath string
	}{http.StatusText(status), detail, StaticPath})
	return b.Bytes()
}

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>{{.Title}} · AutoLedger</title>
<link rel="stylesheet" href="{{.StaticPath}}/report.css"></head>
<body><main><section><h1>{{.Title}}</h1><p id="link-error">{{.Detail}}</p></section></main></body></html>
`))
