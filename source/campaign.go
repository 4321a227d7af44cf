package source

import (
	"context"
	"fmt"
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
	Spec Spec
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
	return Extract(doc, c.Spec)
}
