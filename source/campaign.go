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
			return Values{}, fmt.Errorf("fetch page %s (endpoint %s: %v): %w", c.URL, url, gone, err)
		}
		note = fmt.Sprintf("endpoint %s answered %v, so the page was read instead", url, gone)
	}
	if err != nil {
		return Values{}, fmt.Errorf("fetch: %w", err)
	}
	kind := c.Kind
	if kind == KindAuto {
		kind = KindForContentType(resp.ContentType)
	}
	doc, err := ParseDocument(resp.Body, kind)
	if err != nil {
		return Values{}, fmt.Errorf("read %s page: %w", kind, err)
	}
	vals, err := Extract(doc, c.Spec)
	if note != "" {
		vals.Notes = append([]string{note}, vals.Notes...)
	}
	return vals, err
}

// isGone reports whether err is a 404 or 410 answer.
func isGone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}
