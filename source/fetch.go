package source

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// FetcherConfig configures the one HTTP client all campaigns share.
type FetcherConfig struct {
	UserAgent string
	// MaxBodyBytes caps how much of a response is read.
	MaxBodyBytes int64
	// Transport is the client's transport; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
}

// DefaultMaxBodyBytes is enough for the largest donation page seen (a
// Next.js page of about 110 KiB) many times over.
const DefaultMaxBodyBytes = 5 << 20

// Fetcher gets pages over HTTP.
type Fetcher struct {
	client    *http.Client
	userAgent string
	maxBody   int64
}

// NewFetcher returns a Fetcher with one shared client.
func NewFetcher(cfg FetcherConfig) *Fetcher {
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	return &Fetcher{
		client:    &http.Client{Transport: transport},
		userAgent: cfg.UserAgent,
		maxBody:   maxBody,
	}
}

// Response is a fetched page.
type Response struct {
	Body        []byte
	ContentType string
}

// Fetch gets url. Deadlines come from ctx. A status other than 2xx, or a
// body over the size cap, is an error.
func (f *Fetcher) Fetch(ctx context.Context, url string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	req.Header.Set("Accept", "text/html,application/json;q=0.9,*/*;q=0.8")
	resp, err := f.client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return Response{}, &StatusError{Code: resp.StatusCode, Status: resp.Status}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody+1))
	if err != nil {
		return Response{}, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > f.maxBody {
		return Response{}, fmt.Errorf("body larger than %d bytes", f.maxBody)
	}
	return Response{Body: body, ContentType: resp.Header.Get("Content-Type")}, nil
}

// StatusError is a response whose status is not 2xx.
type StatusError struct {
	Code   int
	Status string // "404 Not Found"
}

func (e *StatusError) Error() string { return "HTTP status " + e.Status }

// DefaultTimeout bounds one campaign's fetch when the configuration sets no
// TIMEOUT and Prometheus sends no scrape timeout.
const DefaultTimeout = 10 * time.Second
