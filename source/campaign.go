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
	// Platform says what reads the campaign: a platform preset's name,
	// PlatformSelectors (the configuration's selectors alone) or
	// PlatformZeroConfig.
	Platform string
	// RaisedBasis says what the amount raised counts: "cumulative" (money
	// raised so far), "per_week", "per_month" or "last_12_months".
	// DonorsBasis says what the donor count counts: "donors",
	// "donations", "patrons" or "backers".
	RaisedBasis, DonorsBasis string
	// PageFallback reads URL when FetchURL, a platform endpoint, is gone
	// (404 or 410): the page carries the same figures, less fresh.
	PageFallback bool
	Spec         Spec
	// Timeout bounds one fetch; the scrape's own deadline may cut it shorter.
	Timeout time.Duration
	// InsecureSkipVerify accepts any TLS certificate from this campaign's
	// site.
	InsecureSkipVerify bool
	// MinInterval is the least time between two fetches of the page; a
	// Poller serves the last outcome in between. 0 fetches on every scrape.
	MinInterval time.Duration
	// MaxStaleness is how old the figures served may be: past it, a
	// campaign whose site keeps deferring fetches (429 or 503 with
	// Retry-After) is reported failed, its figures withheld. 0 means
	// DefaultMaxStaleness.
	MaxStaleness time.Duration

	// Labels are extra labels (team, appeal) on every series of the
	// campaign; nil when it has none.
	Labels map[string]string
	// Definition is the configuration the campaign was built from, labels
	// aside, in a canonical form: a reload keeps the poller (and its cache)
	// of a campaign whose Definition did not change. Empty: not known, so
	// never taken as unchanged.
	Definition string
}

// DefaultMaxStaleness is the MaxStaleness of a campaign that sets none.
const DefaultMaxStaleness = time.Hour

// maxStaleness is the campaign's MaxStaleness, or DefaultMaxStaleness.
func (c Campaign) maxStaleness() time.Duration {
	if c.MaxStaleness <= 0 {
		return DefaultMaxStaleness
	}
	return c.MaxStaleness
}

// What reads a campaign that no platform preset reads (Campaign.Platform).
const (
	PlatformSelectors  = "selectors"
	PlatformZeroConfig = "zero-config"
)

// Scrape fetches the campaign's page and reads its figures.
func (c Campaign) Scrape(ctx context.Context, f *Fetcher) (Values, error) {
	vals, _, err := c.ScrapeTrace(ctx, f)
	return vals, err
}

// Trace tells how a scrape read a campaign's page.
type Trace struct {
	// URL is the URL whose answer was read: the campaign's FetchURL, or
	// its page URL after a gone endpoint.
	URL string
	// Kind is the kind of document the page was read as, once known.
	Kind Kind
	// Fields trace the configured fields; empty when the page could not be
	// fetched or parsed.
	Fields []FieldTrace
}

// ScrapeTrace is Scrape, also telling how each field was read.
func (c Campaign) ScrapeTrace(ctx context.Context, f *Fetcher) (Values, Trace, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	_, read, err := c.fetchAndRead(ctx, f, c.request())
	if err != nil {
		return Values{}, Trace{}, fmt.Errorf("fetch: %w", err)
	}
	return read.values, read.trace, read.err
}

// timeout is the campaign's Timeout, or DefaultTimeout when it has none.
func (c Campaign) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c Campaign) request() Request {
	url := c.FetchURL
	if url == "" {
		url = c.URL
	}
	return Request{URL: url, InsecureSkipVerify: c.InsecureSkipVerify}
}

// pageRead is what reading a fetched page gave.
type pageRead struct {
	values Values
	trace  Trace
	err    error
}

// fetchAndRead does req and reads the page it gets while the fetcher's
// slots are held (see Fetcher.DoThen); a 304 or an error reads nothing.
// When req is for a platform endpoint that is gone (404 or 410) and the
// campaign allows it, it gets the page instead, and the first of the
// values' notes says so. Its errors are cut to MaxErrorText.
func (c Campaign) fetchAndRead(ctx context.Context, f *Fetcher, req Request) (Response, pageRead, error) {
	resp, read, err := c.fetchAndReadOnce(ctx, f, req)
	read.err = ShortenError(read.err)
	return resp, read, ShortenError(err)
}

func (c Campaign) fetchAndReadOnce(ctx context.Context, f *Fetcher, req Request) (Response, pageRead, error) {
	var read pageRead
	use := func(page Response) { read = c.readRecovering(page) }
	resp, err := f.DoThen(ctx, req, use)
	read.trace.URL = req.URL
	if !c.PageFallback || req.URL == c.URL || !isGone(err) {
		if err != nil {
			err = fmt.Errorf("%s: %w", req.URL, err)
		}
		return resp, read, err
	}
	gone := err
	page := req
	page.URL = c.URL
	resp, err = f.DoThen(ctx, page, use)
	read.trace.URL = c.URL
	if err != nil {
		return Response{}, pageRead{}, fmt.Errorf("page %s (endpoint %s: %v): %w", c.URL, req.URL, gone, err)
	}
	note := fmt.Sprintf("endpoint %s answered %v, so the page was read instead", req.URL, gone)
	read.values.Notes = append([]string{note}, read.values.Notes...)
	return resp, read, nil
}

// readRecovering is ReadTrace, with a panic turned into this campaign's
// error: a bug met on one hostile page must not stop the exporter.
func (c Campaign) readRecovering(resp Response) (read pageRead) {
	defer func() {
		if r := recover(); r != nil {
			read = pageRead{err: fmt.Errorf("reading the page panicked (a bug: please report it): %v", r)}
		}
	}()
	read.values, read.trace, read.err = c.ReadTrace(resp)
	return read
}

// isGone reports whether err is a 404 or 410 answer.
func isGone(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}

// Read reads the campaign's figures out of a fetched page. It does no I/O.
func (c Campaign) Read(resp Response) (Values, error) {
	vals, _, err := c.ReadTrace(resp)
	return vals, err
}

// ReadTrace is Read, also telling how each field was read.
func (c Campaign) ReadTrace(resp Response) (Values, Trace, error) {
	trace := Trace{Kind: c.Kind}
	if trace.Kind == KindAuto {
		trace.Kind = KindForContentType(resp.ContentType)
	}
	body, err := toUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return Values{}, trace, fmt.Errorf("read %s page: %w", trace.Kind, err)
	}
	doc, err := ParseDocument(body, trace.Kind)
	if err != nil {
		return Values{}, trace, fmt.Errorf("read %s page: %w", trace.Kind, err)
	}
	vals, fields, err := ExtractTrace(doc, c.Spec)
	trace.Fields = fields
	if err == nil {
		err = CheckDates(vals, time.Now()) // dates that cannot be fail the read (docs/lifecycle.md)
	}
	return vals, trace, err
}
