package source

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// FetcherConfig configures the HTTP client all campaigns share.
type FetcherConfig struct {
	UserAgent string
	// MaxBodyBytes caps how much of a response is read, counted after
	// decompression; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects one fetch follows: 0 means
	// DefaultMaxRedirects, a negative number none.
	MaxRedirects int
	// Transport is the client's transport; nil means a clone of
	// http.DefaultTransport that keeps as many idle connections per host
	// as in all (100). Campaigns that skip TLS verification get a
	// clone of it with verification off, so it must be an *http.Transport
	// for them.
	Transport http.RoundTripper
	// MaxParses bounds how many pages are parsed at the same time:
	// parsing is CPU work, and a page's parse tree is several times its
	// size. 0 means GOMAXPROCS.
	MaxParses int
	// MaxPagesInMemory bounds how many pages are held at the same time:
	// a page takes a slot when its response headers arrive (so a site slow
	// to answer holds none) and keeps it while its body is read and parsed.
	// Fetches beyond it wait with the body left unread on the connection,
	// where it keeps arriving into the socket buffer. 0 means twice
	// MaxParses: while a page is parsed, the next one is read.
	MaxPagesInMemory int
}

// DefaultMaxBodyBytes is enough for the largest donation page seen (a
// Next.js page of about 110 KiB) many times over.
const DefaultMaxBodyBytes = 5 << 20

// DefaultMaxRedirects is how many redirects a fetch follows unless
// configured otherwise: enough for http→https→www→locale, not a loop.
const DefaultMaxRedirects = 5

// Fetcher gets pages over HTTP. It holds one client for all campaigns, and
// a second one, built from the same transport settings, for campaigns that
// opt out of TLS certificate verification.
type Fetcher struct {
	client    *http.Client
	insecure  *http.Client // nil when Transport is not an *http.Transport
	userAgent string
	maxBody   int64
	pages     chan struct{} // a slot per page held, see MaxPagesInMemory
	parses    chan struct{} // a slot per page parsed, see MaxParses
}

// NewFetcher returns a Fetcher for cfg.
func NewFetcher(cfg FetcherConfig) *Fetcher {
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Keep a connection per campaign between scrapes (up to
		// MaxIdleConns, 100), also for campaigns on one platform's host:
		// with the default of 2 per host, every scrape would open, and
		// TLS-handshake, all the others again.
		t.MaxIdleConnsPerHost = t.MaxIdleConns
		transport = t
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	maxRedirects := cfg.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	checkRedirect := func(req *http.Request, via []*http.Request) error {
		if maxRedirects < 0 {
			return http.ErrUseLastResponse // the 3xx is then a StatusError
		}
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via)-1)
		}
		return nil
	}
	parses := cfg.MaxParses
	if parses <= 0 {
		parses = runtime.GOMAXPROCS(0)
	}
	pages := cfg.MaxPagesInMemory
	if pages <= 0 {
		pages = 2 * parses
	}
	f := &Fetcher{
		client:    &http.Client{Transport: transport, CheckRedirect: checkRedirect},
		userAgent: cfg.UserAgent,
		maxBody:   maxBody,
		pages:     make(chan struct{}, pages),
		parses:    make(chan struct{}, parses),
	}
	if t, ok := transport.(*http.Transport); ok {
		insecure := t.Clone()
		if insecure.TLSClientConfig == nil {
			insecure.TLSClientConfig = &tls.Config{}
		}
		insecure.TLSClientConfig.InsecureSkipVerify = true
		f.insecure = &http.Client{Transport: insecure, CheckRedirect: checkRedirect}
	}
	return f
}

// Request is one fetch.
type Request struct {
	URL string
	// InsecureSkipVerify accepts any TLS certificate.
	InsecureSkipVerify bool
	// ETag and LastModified, from an earlier response, make the request
	// conditional: an unchanged page answers 304 Not Modified.
	ETag, LastModified string
}

// Response is a fetched page.
type Response struct {
	Body        []byte
	ContentType string
	// ETag and LastModified are the page's validators, for the next
	// conditional request.
	ETag, LastModified string
	// NotModified is true for a 304 answer to a conditional request; Body
	// is then empty.
	NotModified bool
}

// StatusError is an HTTP status other than 2xx and 304.
type StatusError struct {
	Code   int
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

// ErrBodyTooLarge is returned for a body over the size cap.
var ErrBodyTooLarge = errors.New("body too large")

// Do performs req. Deadlines come from ctx. A status other than 2xx (or
// 304 to a conditional request) is a *StatusError; a body over the size cap,
// after decompression, is ErrBodyTooLarge. The body is read holding one of
// the fetcher's MaxPagesInMemory slots.
func (f *Fetcher) Do(ctx context.Context, r Request) (Response, error) {
	return f.DoThen(ctx, r, nil)
}

// DoThen is Do, and then hands a page (a 2xx response) to use, holding one
// of the fetcher's MaxParses slots as well as the page's own, so that the
// page is parsed before another takes its place in memory. use is not
// called for an error or a 304; when it was called, the Response returned
// has no Body. Waiting for a slot ends with ctx.
func (f *Fetcher) DoThen(ctx context.Context, r Request, use func(Response)) (Response, error) {
	client := f.client
	if r.InsecureSkipVerify {
		if f.insecure == nil {
			return Response{}, errors.New("skipping TLS verification needs an *http.Transport")
		}
		client = f.insecure
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	req.Header.Set("Accept", "text/html,application/json;q=0.9,*/*;q=0.8")
	// No Accept-Encoding here: the transport then asks for gzip itself and
	// decompresses transparently, so the cap below counts decompressed bytes.
	conditional := r.ETag != "" || r.LastModified != ""
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	if conditional && resp.StatusCode == http.StatusNotModified {
		return Response{NotModified: true, ETag: r.ETag, LastModified: r.LastModified}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return Response{}, &StatusError{
			Code:       resp.StatusCode,
			Status:     resp.Status,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	release, err := acquire(ctx, f.pages)
	if err != nil {
		return Response{}, fmt.Errorf("wait for a slot to read the page in: %w", err)
	}
	defer release()
	body, err := readBody(resp, f.maxBody)
	if err != nil {
		return Response{}, err
	}
	page := Response{
		Body:         body,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
	}
	if use == nil {
		return page, nil
	}
	releaseParse, err := acquire(ctx, f.parses)
	if err != nil {
		return Response{}, fmt.Errorf("wait for a slot to parse the page in: %w", err)
	}
	defer releaseParse()
	use(page)
	page.Body = nil
	return page, nil
}

// acquire takes one of slots, waiting until ctx ends, and returns what
// gives it back.
func acquire(ctx context.Context, slots chan struct{}) (release func(), err error) {
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// readBody reads at most maxBody bytes of resp's body into a slice of the
// body's size: in one allocation when the server announced the length, else
// with io.ReadAll, which copies what it read into such a slice at the end.
// Many pages may be held at once (see MaxPagesInMemory), so a buffer grown
// to twice a page's size would count.
func readBody(resp *http.Response, maxBody int64) ([]byte, error) {
	limited := io.LimitReader(resp.Body, maxBody+1)
	var body []byte
	var err error
	if n := resp.ContentLength; n > 0 && n <= maxBody {
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead)) // ReadFrom grows below MinRead free
		_, err = buf.ReadFrom(limited)
		body = buf.Bytes()
	} else {
		body, err = io.ReadAll(limited)
	}
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, maxBody)
	}
	return body, nil
}

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. It
// returns 0 when the header is absent, malformed or in the past.
func retryAfter(header string, now time.Time) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(header, 10, 64); err == nil {
		switch {
		case secs <= 0:
			return 0
		case secs > int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(header); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

// MaxRetryAfter caps how long a Retry-After keeps us from fetching a page
// (and serving its last figures): a site cannot freeze them for days.
const MaxRetryAfter = time.Hour

// DefaultTimeout bounds one campaign's fetch when the configuration sets no
// TIMEOUT and Prometheus sends no scrape timeout.
const DefaultTimeout = 10 * time.Second
