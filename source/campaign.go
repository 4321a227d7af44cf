package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Campaign is one fundraising campaign to watch.
type Campaign struct {
	// Name is the campaign label.
	Name string
	// URL is the page a person opens in a browser.
	URL string
	// FetchURL is what is fetched: URL itself, or a platform's
	// machine-readable endpoint derived from it.
	FetchURL string
	// Kind is the kind of document FetchURL returns.
	Kind Kind
	// PageFallback reads URL when FetchURL, a platform endpoint, is gone
	// (404 or 410): the page carries the same figures, less fresh.
	PageFallback bool
	Spec         Spec
	// Timeout bounds one fetch; the scrape's own deadline may cut it shorter.
	Timeout time.Duration
}

// Scrape fetches the campaign's page and reads its figures.
func (c Campaign) Scrape(ctx context.Context, f *Fetcher) (Values, error) {
	vals, _, err := c.ScrapeTrace(ctx, f)
	return vals, err
}

// Trace tells how a scrape read a campaign's page.
type Trace struct {
	// Kind is the kind of document the page was read as, once known.
	Kind Kind
	// Fields trace the configured fields; empty when the page could not be
	// fetched or parsed.
	Fields []FieldTrace
}

// ScrapeTrace is Scrape, also telling how each field was read.
func (c Campaign) ScrapeTrace(ctx context.Context, f *Fetcher) (Values, Trace, error) {
	var trace Trace
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	url := c.FetchURL
	if url == "" {
		url = c.URL
	}
	resp, err := f.Fetch(ctx, url)
	var note string
	if c.PageFallback && url != c.URL && isGone(err) {
		gone := err
		resp, err = f.Fetch(ctx, c.URL)
		if err != nil {
			return Values{}, trace, fmt.Errorf("fetch page %s (endpoint %s: %v): %w", c.URL, url, gone, err)
		}
		note = fmt.Sprintf("endpoint %s answered %v, so the page was read instead", url, gone)
	}
	if err != nil {
		return Values{}, trace, fmt.Errorf("fetch: %w", err)
	}
	trace.Kind = c.Kind
	if trace.Kind == KindAuto {
		trace.Kind = KindForContentType(resp.ContentType)
	}
	doc, err := ParseDocument(resp.Body, trace.Kind)
	if err != nil {
		return Values{}, trace, fmt.Errorf("read %s page: %w", trace.Kind, err)
	}
	vals, fields, err := ExtractTrace(doc, c.Spec)
	trace.Fields = fields
	if note != "" {
		vals.Notes = append([]string{note}, vals.Notes...)
	}
	return vals, trace, err
}

// isGone reports whether err is a 404 or 410 answer.
func isGone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}
