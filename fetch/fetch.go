// Package fetch gets donation pages over HTTP, and only that: one client
// for every campaign, bounded bodies (after decompression), redirects and
// addresses it refuses, conditional requests, and slots that bound the
// pages held and parsed at once. What a page says is package read's job.
//
// One file per job: settings.go (FetcherConfig, the defaults, NewFetcher),
// fetch.go (Request, Page, Answer and Fetch), policy.go (the redirect and
// address policy), tls.go (a host's client that skips verification),
// auth.go (tokens, to their own host only), body.go (bounded bodies and
// their decoding), slots.go (page and parse slots), stall.go (the body
// rate watchdog), hosts.go (the per-host budget), retryafter.go and
// errtext.go (error text kept short).
package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Request is one fetch.
type Request struct {
	URL string
	// InsecureSkipVerify accepts any TLS certificate.
	InsecureSkipVerify bool
	// ETag and LastModified, from an earlier response, make the request
	// conditional: an unchanged page answers 304 Not Modified.
	ETag, LastModified string
	// Auth, when set, is a token sent to its own host only; it never
	// appears in the Page, the Answer or an error.
	Auth *Auth
	// Accept is the Accept header; empty: a page's (HTML first, then
	// JSON). An API that serves XML and JSON answers by it, so a JSON
	// reader asks for JSON (AcceptJSON).
	Accept string
}

// AcceptHTML and AcceptJSON are the Accept headers of a page and of an
// API answer read as JSON.
const (
	AcceptHTML = "text/html,application/json;q=0.9,*/*;q=0.8"
	AcceptJSON = "application/json,*/*;q=0.8"
)

// Page is the body of a 2xx answer and how the server described it.
type Page struct {
	Body        []byte
	ContentType string
	// URL is where the page was found: the request's URL, or the one its
	// redirects ended at (a short link's target), which may name the
	// campaign better than the URL configured.
	URL string
	// Header is the answer's header: a list's length (DonorDrive's
	// Num-Records) is told there.
	Header http.Header
}

// Answer is what a fetch tells besides the page.
type Answer struct {
	// ETag and LastModified are the page's validators, for the next
	// conditional request.
	ETag, LastModified string
	// NotModified is true for a 304 answer to a conditional request: there
	// was no page to read.
	NotModified bool
}

// StatusError is an HTTP status other than 2xx and 304.
type StatusError struct {
	Code int
	// Status is the status line's code and reason phrase, cut to
	// maxStatusText: the phrase is the site's to choose.
	Status string
	// RetryAfter is how long the server asked us to wait (Retry-After,
	// in seconds or as a date); 0 when it did not say.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("HTTP status %s (Retry-After %v)", e.Status, e.RetryAfter)
	}
	return "HTTP status " + e.Status
}

// Fetch performs req and hands a 2xx answer's page to read, then returns.
// read runs while the fetcher holds, for that page, one of its MaxParses
// slots and, for a body over SmallPageBytes, one of its MaxPagesInMemory
// slots: so a page is parsed before another takes its place in memory,
// and read must not keep the body. read is not called for a 304 (Answer
// says NotModified) nor for an error: a status other than 2xx is a
// *StatusError, a body over the size cap (after decompression)
// ErrBodyTooLarge. Deadlines, and the waits for slots, come from ctx.
func (f *Fetcher) Fetch(ctx context.Context, r Request, read func(Page)) (Answer, error) {
	if r.Auth == nil || r.Auth.Token == "" {
		return f.fetch(ctx, r, read)
	}
	answer, err := f.fetch(withAuth(ctx, r.Auth), r, func(p Page) {
		p.URL = r.Auth.redact(p.URL) // a redirect may echo a key sent in the query
		read(p)
	})
	return answer, r.Auth.redactError(err)
}

func (f *Fetcher) fetch(ctx context.Context, r Request, read func(Page)) (Answer, error) {
	client, err := f.clientFor(r)
	if err != nil {
		return Answer{}, err
	}
	// The request is cancelled with a cause of its own when its body
	// holds a page slot and arrives too slowly; the wait for a parse slot,
	// once the body is read, goes by ctx alone.
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := f.newRequest(reqCtx, r)
	if err != nil {
		return Answer{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, shortenURLError(err)
	}
	defer resp.Body.Close()
	conditional := r.ETag != "" || r.LastModified != ""
	if conditional && resp.StatusCode == http.StatusNotModified {
		return Answer{NotModified: true, ETag: r.ETag, LastModified: r.LastModified}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return Answer{}, &StatusError{
			Code:       resp.StatusCode,
			Status:     shorten(resp.Status, maxStatusText),
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	body, release, err := f.readBody(reqCtx, cancel, resp)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	answer := Answer{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	releaseParse, err := acquire(ctx, f.parses)
	if err != nil {
		return Answer{}, fmt.Errorf("wait for a slot to parse the page in: %w", err)
	}
	defer releaseParse()
	final := r.URL
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL.String()
	}
	read(Page{Body: body, ContentType: resp.Header.Get("Content-Type"), URL: final, Header: resp.Header})
	return answer, nil
}

// clientFor returns the client for r: the shared one, or its host's
// client that accepts any certificate.
func (f *Fetcher) clientFor(r Request) (*http.Client, error) {
	if !r.InsecureSkipVerify {
		return f.client, nil
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	return f.insecureClient(u.Hostname())
}

// newRequest builds r's GET: conditional when r has an ETag or a
// Last-Modified, with the token where it goes.
func (f *Fetcher) newRequest(ctx context.Context, r Request) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	accept := r.Accept
	if accept == "" {
		accept = AcceptHTML
	}
	req.Header.Set("Accept", accept)
	// No Accept-Encoding here: the transport then asks for gzip itself and
	// decompresses transparently, so the body cap counts decompressed bytes.
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	r.Auth.apply(req)
	return req, nil
}
