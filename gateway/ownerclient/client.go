package ownerclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// maxResponse bounds what is read of a gateway answer.
const maxResponse = 8 << 20

// DefaultTimeout bounds one request. A write waits for its commit, which
// the gateway bounds itself (then it answers 202), so this is a backstop.
const DefaultTimeout = 2 * time.Minute

// Options configure a Client.
type Options struct {
	// CAFile is a PEM file of the certificates to trust for an https
	// gateway instead of the system's (a member's own CA).
	CAFile string
	// HTTPClient replaces the client New builds (tests); CAFile is then
	// ignored.
	HTTPClient *http.Client
}

// Client calls a gateway's /v1/owner endpoints. It holds no key.
type Client struct {
	base *url.URL
	http *http.Client
}

// New makes a client of the gateway at baseURL, e.g.
// https://gateway.example:8443. Plain http is refused except to a loopback
// address: a signed statement is good until its nonce is used or it
// expires, and someone on the path could withhold it, send it elsewhere
// or read what the owner does.
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("gateway URL %q: must be http(s)://host[:port]", baseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("gateway URL %q: no user, query or fragment", baseURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("gateway URL %q: plain http only to a loopback address; use https", baseURL)
	}
	hc := opts.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		if opts.CAFile != "" {
			if u.Scheme != "https" {
				return nil, fmt.Errorf("a CA file is for an https gateway; %q is http", baseURL)
			}
			pool, err := loadCAs(opts.CAFile)
			if err != nil {
				return nil, err
			}
			tr.TLSClientConfig.RootCAs = pool
		}
		hc = &http.Client{Transport: tr, Timeout: DefaultTimeout}
	}
	// A redirect would re-send a signed statement to wherever it points;
	// the owner named one gateway.
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: u, http: &c}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loadCAs(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA file %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// Problem is a gateway's RFC 9457 problem answer.
type Problem struct {
	Status        int          `json:"status"`
	Title         string       `json:"title"`
	Detail        string       `json:"detail"`
	Code          string       `json:"code"`
	TransactionID string       `json:"transactionId"`
	RequestID     string       `json:"requestId"`
	Errors        []FieldError `json:"errors"`
}

// FieldError is one input field a problem is about.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d", p.Title, p.Status)
	if p.Code != "" {
		fmt.Fprintf(&b, ", %s", p.Code)
	}
	b.WriteString(")")
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	for _, f := range p.Errors {
		fmt.Fprintf(&b, "\n  %s: %s (%s)", f.Field, f.Message, f.Rule)
	}
	if p.RequestID != "" {
		fmt.Fprintf(&b, "\n  request ID %s", p.RequestID)
	}
	return b.String()
}

// Challenge is the gateway's answer to POST /v1/owner/challenges: where
// the statement will be checked (channel), a fresh nonce and an expiry.
type Challenge struct {
	Channel string `json:"channel"`
	VIN     string `json:"vin"`
	Action  string `json:"action"`
	Nonce   string `json:"nonce"`
	Expires string `json:"expires"`
	Domain  string `json:"domain"`
}

// Challenge asks the gateway for what a statement about vin and action needs.
func (c *Client) Challenge(ctx context.Context, vin, action string) (Challenge, error) {
	var ch Challenge
	_, err := c.do(ctx, http.MethodPost, "/v1/owner/challenges", map[string]string{"vin": vin, "action": action}, &ch)
	return ch, err
}

// Response is a gateway's answer to a write. A synchronous write that
// committed answers 201 (or 200) with a receipt whose Result is the
// chaincode's answer; 202 means the commit was not seen in time and the
// outcome is still open (Show tells it later).
type Response struct {
	StatusCode    int             `json:"-"`
	TransactionID string          `json:"transactionId"`
	Status        string          `json:"status"`
	Result        json.RawMessage `json:"result"`
	// KeyFingerprint is, for a claim, the bound key's fingerprint in
	// groups of four, as the gateway read it from the request.
	KeyFingerprint string `json:"keyFingerprint"`
	// Purge is, for a revocation, how the purge of the grantee's copies
	// of the shared data went.
	Purge *Followup `json:"purge"`
	// Body is the whole answer as it came.
	Body json.RawMessage `json:"-"`
}

// Followup is a second transaction the gateway ran after a write
// committed (the purge after a revocation).
type Followup struct {
	// Status is committed, pending, failed or not-run.
	Status        string `json:"status"`
	TransactionID string `json:"transactionId"`
	Code          string `json:"code"`
	Detail        string `json:"detail"`
}

// Pending reports whether the write's commit was not yet seen.
func (r Response) Pending() bool { return r.StatusCode == http.StatusAccepted }

// Post sends a write's body to path as it is: the flows of Owner use it,
// and a test can replay or alter what they signed.
func (c *Client) Post(ctx context.Context, path string, body any) (Response, error) {
	var r Response
	raw, err := c.do(ctx, http.MethodPost, path, body, nil)
	if err != nil {
		return Response{}, err
	}
	r.StatusCode = raw.status
	r.Body = raw.body
	if len(raw.body) > 0 {
		// A body that is not a receipt is kept in Body only.
		_ = json.Unmarshal(raw.body, &r)
	}
	if r.Result == nil {
		r.Result = r.Body
	}
	return r, nil
}

// Vehicle is GET /v1/owner/vehicles/{vin}: the car's ownerships and
// grants as the gateway's org's peer has them, undecoded.
func (c *Client) Vehicle(ctx context.Context, vin string) (json.RawMessage, error) {
	raw, err := c.do(ctx, http.MethodGet, VehiclePath(vin, ""), nil, nil)
	return raw.body, err
}

// VehiclePath is the path of a car's owner endpoint: sub is "claim",
// "sale", "grants", "revocations", "erasures" or "" for the car itself.
func VehiclePath(vin, sub string) string {
	p := "/v1/owner/vehicles/" + url.PathEscape(vin)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

type rawResponse struct {
	status int
	body   json.RawMessage
}

// do sends one request; a non-2xx answer is a *Problem.
func (c *Client) do(ctx context.Context, method, path string, in, out any) (rawResponse, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return rawResponse{}, fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return rawResponse{}, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json, application/problem+json")
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error repeats the method and the whole URL.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return rawResponse{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return rawResponse{}, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if len(b) > maxResponse {
		return rawResponse{}, fmt.Errorf("%s %s: answer over %d bytes", method, path, maxResponse)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return rawResponse{}, problemOf(resp, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return rawResponse{}, fmt.Errorf("%s %s: answer is not the expected JSON: %w", method, path, err)
		}
	}
	return rawResponse{status: resp.StatusCode, body: b}, nil
}

func problemOf(resp *http.Response, body []byte) error {
	p := &Problem{}
	if err := json.Unmarshal(body, p); err != nil || (p.Title == "" && p.Code == "") {
		p = &Problem{Title: http.StatusText(resp.StatusCode), Detail: "the gateway's answer is not a problem document"}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			p.Detail = "the gateway redirects to " + resp.Header.Get("Location") + "; give that URL (redirects are not followed)"
		}
	}
	p.Status = resp.StatusCode
	if p.Title == "" {
		p.Title = http.StatusText(resp.StatusCode)
	}
	return p
}

// IsProblem reports whether err is a gateway problem with the given code.
func IsProblem(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code == code
}
