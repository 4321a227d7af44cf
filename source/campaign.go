// Package source watches campaigns: a campaign is its configuration (plain
// data) and its Poller, which fetches its page (package fetch) politely and
// reads it (package read).
package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
)

// Campaign is one fundraising campaign to watch: plain data, built by
// package config from the variables or the campaigns file.
type Campaign struct {
	// Name is the campaign label.
	Name string
	// URL is the page a person opens in a browser.
	URL string
	// FetchURL is what is fetched: URL itself, or a platform's
	// machine-readable endpoint derived from it.
	FetchURL string
	// Kind is the kind of document FetchURL returns.
	Kind read.Kind
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
	// PageShapes are the page URLs of the campaign's preset ("/f/{slug}")
	// when URL is none of them: the preset's selectors may then find
	// nothing, and check says why. Nil when URL is one, or the preset
	// lists none.
	PageShapes []string
	Spec       read.Spec
	// Donations is the campaign's list of donations, when its platform
	// publishes one (package donations reads it); nil otherwise.
	Donations *donations.Spec
	// Curve is the pace curve the campaign's projection follows.
	Curve *forecast.Curve
	// Rebind, when set, gives the spec for the page a redirect ended at
	// (the final URL names the campaign better than the one configured: a
	// short link has no slug, a renamed campaign a new one); ok is false
	// when that URL is not one the spec can be made for, and Spec is used.
	Rebind func(finalURL string) (spec read.Spec, ok bool)
	// Timeout bounds one fetch; the scrape's own deadline may cut it shorter.
	Timeout time.Duration
	// Auth, when set, is the API key sent to the host FetchURL names (and
	// to no other); it prints as redacted.
	Auth *fetch.Auth
	// InsecureSkipVerify accepts any TLS certificate from this campaign's
	// site.
	InsecureSkipVerify bool
	// MinInterval is the least time between two fetches of the page; a
	// Poller serves the last outcome in between. 0 fetches on every scrape.
	MinInterval time.Duration
	// PlatformMinInterval is the least MinInterval the campaign's
	// platform asks for (its preset's min_interval); 0: none. Package
	// config keeps MinInterval at or above it.
	PlatformMinInterval time.Duration
	// MaxStaleness is how old the figures served may be: past it, a
	// campaign whose site keeps deferring fetches (429 or 503 with
	// Retry-After) is reported failed, its figures withheld. 0 means
	// DefaultMaxStaleness.
	MaxStaleness time.Duration

	// Labels are extra labels (team, appeal) on every series of the
	// campaign; nil when it has none.
	Labels map[string]string
	// SettingPrefix starts the name of each of the campaign's settings in
	// messages: DONATION_CAMPAIGN_0_, or the campaigns file's place of the
	// entry, whose keys are lower case (SettingsLower). See Setting.
	SettingPrefix string
	SettingsLower bool
	// Definition is the configuration the campaign was built from, labels
	// aside, in a canonical form (a digest of it): a reload keeps the poller (and its cache)
	// of a campaign whose Definition did not change. Empty: not known, so
	// never taken as unchanged.
	Definition string
}

// Setting names one of the campaign's settings by its variable suffix
// (DEADLINE): DONATION_CAMPAIGN_0_DEADLINE, or the file's deadline key.
// A campaign built without a prefix gets the suffix alone.
func (c Campaign) Setting(suffix string) string {
	if c.SettingsLower {
		suffix = strings.ToLower(suffix)
	}
	return c.SettingPrefix + suffix
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

// Trace tells how a campaign's page was read.
type Trace struct {
	// URL is the URL whose answer was read: the campaign's FetchURL, or
	// its page URL after a gone endpoint.
	URL string
	read.Trace
}

// Scrape fetches the campaign's page once and reads its figures, telling
// how each field was read: what `check` shows. Scrapes for Prometheus go
// through a Poller, which is polite about fetching.
func Scrape(ctx context.Context, f *fetch.Fetcher, c Campaign, now time.Time) (read.Values, Trace, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	_, result, err := fetchAndRead(ctx, f, c, c.request(), now)
	if err != nil {
		return read.Values{}, Trace{}, fmt.Errorf("fetch: %w", err)
	}
	return result.values, result.trace, result.err
}

// timeout is the campaign's Timeout, or DefaultTimeout when it has
// none.
func (c Campaign) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

// FetchHost is the host (host:port, as the URL names it, in lower case)
// the campaign's fetches go to: what the fetcher's per-host budget counts
// by. Empty when the URL does not parse.
func (c Campaign) FetchHost() string {
	u, err := url.Parse(c.request().URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func (c Campaign) request() fetch.Request {
	url := c.FetchURL
	if url == "" {
		url = c.URL
	}
	req := fetch.Request{URL: url, InsecureSkipVerify: c.InsecureSkipVerify, Auth: c.Auth}
	if c.Kind == read.KindJSON {
		// An API serving XML and JSON picks by Accept (JustGiving's:
		// its SDKs all ask for application/json).
		req.Accept = fetch.AcceptJSON
	}
	return req
}

// pageRead is what reading a fetched page gave.
type pageRead struct {
	values read.Values
	trace  Trace
	err    error
}

// fetchAndRead does req and reads the page it gets while the fetcher's
// slots are held (see fetch.Fetcher.Fetch); a 304 or an error reads
// nothing. When req is for a platform endpoint that is gone (404 or 410)
// and the campaign allows it, it gets the page instead, and the first of
// the values' notes says so. Its errors are cut to fetch.MaxErrorText.
func fetchAndRead(ctx context.Context, f *fetch.Fetcher, c Campaign, req fetch.Request, now time.Time) (fetch.Answer, pageRead, error) {
	resp, result, err := fetchAndReadOnce(ctx, f, c, req, now)
	result.err = fetch.ShortenError(result.err)
	return resp, result, fetch.ShortenError(err)
}

func fetchAndReadOnce(ctx context.Context, f *fetch.Fetcher, c Campaign, req fetch.Request, now time.Time) (fetch.Answer, pageRead, error) {
	var result pageRead
	use := func(page fetch.Page) { result = readRecovering(c, page, now) }
	resp, err := f.Fetch(ctx, req, use)
	result.trace.URL = req.URL
	if !c.PageFallback || req.URL == c.URL || !isGone(err) {
		if err != nil {
			err = fmt.Errorf("%s: %w", req.URL, err)
		}
		return resp, result, err
	}
	gone := err
	page := req
	page.URL = c.URL
	resp, err = f.Fetch(ctx, page, use)
	result.trace.URL = c.URL
	if err != nil {
		return fetch.Answer{}, pageRead{}, fmt.Errorf("page %s (endpoint %s: %s): %w", c.URL, req.URL, gone.Error(), err)
	}
	note := fmt.Sprintf("endpoint %s answered %v, so the page was read instead", req.URL, gone)
	result.values.Notes = append([]string{note}, result.values.Notes...)
	return resp, result, nil
}

// readRecovering is read.Page, with a panic turned into this campaign's
// error: a bug met on one hostile page must not stop the exporter.
func readRecovering(c Campaign, page fetch.Page, now time.Time) (result pageRead) {
	defer func() {
		if r := recover(); r != nil {
			result = pageRead{err: fmt.Errorf("reading the page panicked (a bug: please report it): %v", r)}
		}
	}()
	spec := c.Spec
	redirected := page.URL != "" && page.URL != c.FetchURL && page.URL != c.URL
	if redirected && c.Rebind != nil {
		if s, ok := c.Rebind(page.URL); ok {
			spec = s
		}
	}
	result.values, result.trace.Trace, result.err = read.Page(page.Body, page.ContentType, c.Kind, spec, now)
	result.err = c.adviseSettings(result.err)
	if redirected {
		note := fmt.Sprintf("redirected to %s, which was read", page.URL)
		result.values.Notes = append([]string{note}, result.values.Notes...)
	}
	return result
}

// adviseSettings adds to a read's error the settings that would decide
// the fields zero-config could not: the field's selector, or a platform
// (variables by their whole name; a campaigns-file entry by its keys).
func (c Campaign) adviseSettings(err error) error {
	if err == nil {
		return nil
	}
	setting := func(suffix string) string {
		if c.SettingsLower {
			return strings.ToLower(suffix)
		}
		return c.Setting(suffix)
	}
	var selectors []string
	var walk func(error)
	walk = func(e error) {
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			for _, inner := range joined.Unwrap() {
				walk(inner)
			}
			return
		}
		var undecided *read.UndecidedError
		if errors.As(e, &undecided) {
			if s := setting(strings.ToUpper(string(undecided.Field)) + "_SELECTOR"); !slices.Contains(selectors, s) {
				selectors = append(selectors, s)
			}
		}
	}
	walk(err)
	if len(selectors) == 0 {
		return err
	}
	return fmt.Errorf("%w; give %s or %s to say where", err, strings.Join(selectors, " and "), setting("PLATFORM"))
}

// isGone reports whether err is a 404 or 410 answer.
func isGone(err error) bool {
	var se *fetch.StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}

// DefaultTimeout bounds one campaign's fetch when the configuration sets no
// TIMEOUT and Prometheus sends no scrape timeout.
const DefaultTimeout = 10 * time.Second
