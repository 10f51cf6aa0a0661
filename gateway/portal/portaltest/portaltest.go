// Package portaltest drives the owner portal (gateway/portal) in a real
// headless Chromium through chromedp, as an owner would: it types into the
// page, reads the statement the page shows for review, presses "Sign and
// send" and reads the outcome. The portal's browser tests and the
// end-to-end suite share it.
//
// The browser is Debian's chromium (`make tools` installs it), started
// with flags that keep every request on loopback: no background
// networking, component updates, crash or metrics reports, sync, default
// apps or field trials.
package portaltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// DefaultBrowser is where Debian's chromium package puts the browser.
const DefaultBrowser = "/usr/bin/chromium"

// ErrNoBrowser is returned when no Chromium is installed.
var ErrNoBrowser = errors.New("no Chromium: install Debian's chromium (make tools) or set AUTOLEDGER_CHROMIUM")

// BrowserPath finds the browser: $AUTOLEDGER_CHROMIUM, else
// DefaultBrowser, else chromium on the PATH.
func BrowserPath() (string, error) {
	if p := os.Getenv("AUTOLEDGER_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	if _, err := os.Stat(DefaultBrowser); err == nil {
		return DefaultBrowser, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", ErrNoBrowser
}

// RequireBrowser returns the browser's path, or skips the test when there
// is none; under CI=true a missing browser fails it instead, so that CI
// cannot pass without having run the page.
func RequireBrowser(t testing.TB) string {
	t.Helper()
	p, err := BrowserPath()
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %v", err)
	}
	t.Skipf("skipping the browser test: %v", err)
	return ""
}

// AllocatorOptions are the browser's flags. Nothing but the page's own
// requests may leave the browser, and they go to loopback.
func AllocatorOptions(execPath string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		// Tests run as root in CI containers, where Chromium's sandbox
		// cannot start; the page is our own, served from loopback.
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("metrics-recording-only", true), // record nothing it would send
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-field-trial-config", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("no-proxy-server", true), // the page's gateway is on loopback
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,AutofillServerCommunication"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1200, 1600),
	}
}

// NewBrowser starts a browser (each call its own, with a fresh profile, so
// its IndexedDB holds no key of another) and returns the context of its
// first tab. cancel closes the browser and removes the profile.
func NewBrowser(ctx context.Context, execPath string) (context.Context, context.CancelFunc, error) {
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, AllocatorOptions(execPath)...)
	tab, cancelTab := chromedp.NewContext(alloc)
	cancel := func() { cancelTab(); cancelAlloc() }
	if err := chromedp.Do(tab); err != nil { // starts the browser
		cancel()
		return nil, nil, fmt.Errorf("start %s: %w", execPath, err)
	}
	return tab, cancel, nil
}

// ArtifactDir is where screenshots go: $AUTOLEDGER_ARTIFACTS/<name>, else
// test-network/artifacts/<name> in the repository (git ignores it). It
// exists when returned.
func ArtifactDir(name string) (string, error) {
	root := os.Getenv("AUTOLEDGER_ARTIFACTS")
	if root == "" {
		repo, err := repoRoot()
		if err != nil {
			return "", err
		}
		root = filepath.Join(repo, "test-network", "artifacts")
	}
	dir := filepath.Join(root, name)
	return dir, os.MkdirAll(dir, 0o755)
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: set AUTOLEDGER_ARTIFACTS")
		}
		dir = parent
	}
}

// Page is the portal open in one browser tab.
type Page struct {
	ctx context.Context
	// Shots, when not empty, is the directory each step's screenshots go to.
	Shots string
	shot  int

	mu       sync.Mutex
	problems []string
}

// Outcome is how one operation on the page ended.
type Outcome struct {
	// State is the page's verdict: "ok", "error" or "cancelled".
	State string
	// Message is what the page told the owner.
	Message string
	// Statement is the exact text the page showed for review and signed
	// ("" when it got no further); StatementID is its ID.
	Statement   string
	StatementID string
}

// OK reports whether the operation succeeded.
func (o Outcome) OK() bool { return o.State == "ok" }

// Open loads baseURL/portal in the tab and waits for its script. From then
// on the page's console errors, uncaught exceptions and Content-Security-
// Policy violations are collected (Problems).
func Open(ctx context.Context, baseURL string) (*Page, error) {
	p := &Page{ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// A failed load (source "network") is an API's refusal, which the
			// page reports itself, or the favicon the page does not have.
			if m.Source != "network" && (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Source == "security") {
				p.mu.Lock()
				p.problems = append(p.problems, fmt.Sprintf("%s %s: %s", m.Type, m.URL, m.Text))
				p.mu.Unlock()
			}
		}
	}()
	err := chromedp.Do(ctx,
		chromedp.Navigate(strings.TrimRight(baseURL, "/")+"/portal"),
		chromedp.WaitReady(chromedp.CSS(`body[data-ready="true"]`)),
	)
	if err != nil {
		return nil, fmt.Errorf("open the portal: %w", err)
	}
	return p, nil
}

// Problems are the console errors, exceptions and policy violations seen
// so far.
func (p *Page) Problems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Context is the tab's chromedp context, for checks of one's own.
func (p *Page) Context() context.Context { return p.ctx }

// Screenshot saves the whole page as <n>-<name>.png in Shots.
func (p *Page) Screenshot(name string) error {
	if p.Shots == "" {
		return nil
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", name, err)
	}
	p.shot++
	return os.WriteFile(filepath.Join(p.Shots, fmt.Sprintf("%02d-%s.png", p.shot, name)), buf, 0o644)
}

// statusOp is the page's operation counter (#status data-op).
func (p *Page) statusOp() (int, error) {
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('status').dataset.op`))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// act runs one operation: fill runs the form, then the page either shows
// a statement for review, which is read and then signed (or cancelled when
// sign is false), or ends the operation at once (a refusal before any
// signing). It returns the page's verdict.
func (p *Page) act(name string, sign bool, fill ...chromedp.Action[chromedp.Void]) (Outcome, error) {
	before, err := p.statusOp()
	if err != nil {
		return Outcome{}, err
	}
	if err := chromedp.Do(p.ctx, fill...); err != nil {
		return Outcome{}, fmt.Errorf("%s: %w", name, err)
	}
	settled := fmt.Sprintf(`(() => { const s = document.getElementById('status');
		return s.dataset.op === '%d' && (!document.getElementById('review').hidden || s.dataset.state !== 'busy'); })()`, before+1)
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](settled)); err != nil {
		return Outcome{}, fmt.Errorf("%s: the page did not start the operation: %w", name, err)
	}
	var out Outcome
	reviewing, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`!document.getElementById('review').hidden`))
	if err != nil {
		return Outcome{}, err
	}
	if reviewing {
		text, err := chromedp.Run(p.ctx, chromedp.TextContent(chromedp.ID("review-text")))
		if err != nil {
			return Outcome{}, err
		}
		out.Statement = text
		sum := sha256.Sum256([]byte(text))
		out.StatementID = hex.EncodeToString(sum[:])
		if err := p.Screenshot(name + "-review"); err != nil {
			return Outcome{}, err
		}
		button := "review-sign"
		if !sign {
			button = "review-cancel"
		}
		if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.ID(button))); err != nil {
			return Outcome{}, fmt.Errorf("%s: %w", name, err)
		}
		done := fmt.Sprintf(`(() => { const s = document.getElementById('status');
			return s.dataset.op === '%d' && s.dataset.state !== 'busy'; })()`, before+1)
		if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](done)); err != nil {
			return Outcome{}, fmt.Errorf("%s: the page did not finish: %w", name, err)
		}
	}
	state, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
		`(() => { const s = document.getElementById('status'); return [s.dataset.state, s.textContent]; })()`))
	if err != nil {
		return Outcome{}, err
	}
	out.State, out.Message = state[0], state[1]
	return out, p.Screenshot(name)
}

// OpenCar shows the car with this VIN.
func (p *Page) OpenCar(vin string) (Outcome, error) {
	return p.act("open", true, chromedp.SetValue(chromedp.ID("vin"), vin), chromedp.Click(chromedp.ID("vin-open")))
}

// Claim claims the open car with a claim code (the claim key, which signs
// the claim on the page and is never sent), making a key on this
// browser's profile if it holds none for the car.
func (p *Page) Claim(code string) (Outcome, error) {
	return p.act("claim", true, chromedp.SetValue(chromedp.ID("claim-code"), code), chromedp.Click(chromedp.ID("claim-submit")))
}

// CancelClaim starts a claim and cancels it at the review: nothing is signed.
func (p *Page) CancelClaim(code string) (Outcome, error) {
	return p.act("claim-cancelled", false, chromedp.SetValue(chromedp.ID("claim-code"), code), chromedp.Click(chromedp.ID("claim-submit")))
}

// GrantTerms are what the grant form asks for.
type GrantTerms struct {
	Grantee string
	Scopes  []string
	Purpose string
	Days    int
}

// Grant lets a member read some scopes of the open car's data. The
// outcome's StatementID names the grant.
func (p *Page) Grant(g GrantTerms) (Outcome, error) {
	check := `(() => { const want = %s; document.querySelectorAll('#grant-form input[name=scope]')
		.forEach(c => { c.checked = want.includes(c.value); }); })()`
	scopes := make([]string, len(g.Scopes))
	for i, s := range g.Scopes {
		scopes[i] = strconv.Quote(s)
	}
	return p.act("grant", true,
		chromedp.SetValue(chromedp.ID("grant-grantee"), g.Grantee),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(check, "["+strings.Join(scopes, ",")+"]")),
		chromedp.SetValue(chromedp.ID("grant-purpose"), g.Purpose),
		chromedp.SetValue(chromedp.ID("grant-days"), strconv.Itoa(g.Days)),
		chromedp.Click(chromedp.ID("grant-submit")))
}

// Revoke ends the grant with this ID with its row's Revoke button.
func (p *Page) Revoke(grantID string) (Outcome, error) {
	return p.act("revoke", true, chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-grant=%q] button.revoke`, grantID))))
}

// Sale is what the sale form asks for besides the buyer. The sale date is
// the time the page signs.
type Sale struct {
	OdometerKm int64
	UseType    string
}

func (p *Page) saleFields(s Sale) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.SetValue(chromedp.ID("sale-odometer"), strconv.FormatInt(s.OdometerKm, 10)),
		chromedp.SetValue(chromedp.ID("sale-use"), s.UseType),
		chromedp.Click(chromedp.ID("sale-submit")),
	}
}

// SellToNewClaimCode signs the open car's sale to whoever redeems a claim
// code the page makes, and returns that code as the page shows it: also
// when the sale's request failed, since the page shows the code before
// it sends the sale and keeps it on the screen after a failure.
func (p *Page) SellToNewClaimCode(s Sale) (Outcome, string, error) {
	out, err := p.act("sale", true, append([]chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.ID("sale-to-code"))}, p.saleFields(s)...)...)
	if err != nil {
		return out, "", err
	}
	code, err := p.ClaimCodeShown()
	if err == nil && code == "" && out.OK() {
		err = errors.New("the page sold to a new claim code and shows none")
	}
	return out, code, err
}

// ClaimCodeShown is the buyer's claim code the page shows for the open car
// ("" when it shows none). What the owner sees: the code must be on the
// screen, not only in the page.
func (p *Page) ClaimCodeShown() (string, error) {
	visible, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById('sale-code');
		return !s.hidden && s.getClientRects().length > 0; })()`))
	if err != nil || !visible {
		return "", err
	}
	return chromedp.Run(p.ctx, chromedp.Text(chromedp.ID("sale-code-text")))
}

// SellToKey signs the open car's sale to the buyer's key, given as the
// buyer shows it: its fingerprint and its public key in base64.
func (p *Page) SellToKey(fingerprint, publicKeyBase64 string, s Sale) (Outcome, error) {
	return p.act("sale", true, append([]chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.ID("sale-to-key")),
		chromedp.SetValue(chromedp.ID("sale-buyer-fingerprint"), fingerprint),
		chromedp.SetValue(chromedp.ID("sale-buyer-key"), publicKeyBase64),
	}, p.saleFields(s)...)...)
}

// KeyFingerprint is the fingerprint of the key this browser holds for the
// open car ("" for none), as the page shows it.
func (p *Page) KeyFingerprint() (string, error) {
	return chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('key-info').dataset.fingerprint || ''`))
}

// OwnershipStatus is the open car's current ownership status as the page
// shows it: awaiting-claim, owned, ended, or none.
func (p *Page) OwnershipStatus() (string, error) {
	return chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('ownership').dataset.status || ''`))
}

// Step is one thing Drive does on the page.
type Step struct {
	Name string
	Do   func(*Page) (Outcome, error)
}

// Drive opens the portal at baseURL in the tab ctx and runs the steps in
// order, stopping at the first that fails or that the page refuses. shots,
// if not empty, is the directory for screenshots.
func Drive(ctx context.Context, baseURL, shots string, steps ...Step) (*Page, []Outcome, error) {
	p, err := Open(ctx, baseURL)
	if err != nil {
		return nil, nil, err
	}
	p.Shots = shots
	var outs []Outcome
	for _, s := range steps {
		o, err := s.Do(p)
		outs = append(outs, o)
		if err != nil {
			return p, outs, fmt.Errorf("step %s: %w", s.Name, err)
		}
		if !o.OK() {
			return p, outs, fmt.Errorf("step %s: the page says %s: %s", s.Name, o.State, o.Message)
		}
	}
	return p, outs, nil
}
