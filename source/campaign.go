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
	// InsecureSkipVerify accepts any TLS certificate from this campaign's
	// site.
	InsecureSkipVerify bool
	// MinInterval is the least time between two fetches of the page; a
	// Poller serves the last outcome in between. 0 fetches on every scrape.
	MinInterval time.Duration
}

// Scrape fetches the campaign's page and reads its figures.
func (c Campaign) Scrape(ctx context.Context, f *Fetcher) (Values, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	resp, err := f.Do(ctx, c.request())
	if err != nil {
		return Values{}, fmt.Errorf("fetch: %w", err)
	}
	return c.Read(resp)
}

func (c Campaign) request() Request {
	url := c.FetchURL
	if url == "" {
		url = c.URL
	}
	return Request{URL: url, InsecureSkipVerify: c.InsecureSkipVerify}
}

// Read reads the campaign's figures out of a fetched page. It does no I/O.
func (c Campaign) Read(resp Response) (Values, error) {
	kind := c.Kind
	if kind == KindAuto {
		kind = KindForContentType(resp.ContentType)
	}
	body, err := toUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return Values{}, fmt.Errorf("read %s page: %w", kind, err)
	}
	doc, err := ParseDocument(body, kind)
	if err != nil {
		return Values{}, fmt.Errorf("read %s page: %w", kind, err)
	}
	return Extract(doc, c.Spec)
}
