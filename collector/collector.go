// Package collector scrapes the configured campaigns when Prometheus asks
// and exposes what it read, and the projection from it, as metrics.
package collector

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/internal/textcut"

	"github.com/donation-exporter/donation_exporter/endpoint"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

const namespace = "donation"

// Config is what a Scraper needs.
type Config struct {
	Campaigns []source.Campaign
	Fetcher   *fetch.Fetcher
	Logger    *slog.Logger
	// ScrapeTimeoutOffset is taken off Prometheus' scrape timeout.
	ScrapeTimeoutOffset time.Duration
	// Now tells the time; nil means time.Now. Tests set it.
	Now func() time.Time
	// Rejections counts and logs the requests the handlers refuse (nil:
	// neither).
	Rejections *endpoint.Rejections
	// MaxFetchesPerScrape bounds the fetches one scrape of every campaign
	// starts among campaigns with a MinInterval (see schedule.go); 0 picks
	// a bound from the number of campaigns.
	MaxFetchesPerScrape int
}

// Scraper scrapes campaigns. Every scrape builds fresh metrics from what
// each campaign's source.Poller gives: a fetch of the page, shared with
// concurrent scrapes, or the last outcome reused when the campaign's minimum
// refresh interval or the site's Retry-After says not to fetch yet.
type Scraper struct {
	cfg Config
	// set is the campaigns watched; Reload replaces it (campaigns.go).
	set      atomic.Pointer[campaignSet]
	reloadMu sync.Mutex
	// cursor is where the next scrape of every campaign starts looking for
	// campaigns due (schedule.go).
	cursor atomic.Int64

	// gzips are the gzip writers of answers, kept between them: a new one
	// costs more than compressing a probe's answer.
	gzips sync.Pool
	// answers are the buffered answers of requests, kept between them
	// (http.go).
	answers sync.Pool
	// lastAnswerBytes is the size of the last shared /metrics answer.
	lastAnswerBytes atomic.Int64
	// chunkSeries is how many series of a family an answer in a text
	// format builds at once (chunks.go).
	chunkSeries  int
	chunkWriters sync.Pool
	// encodings are the encodings of the formats negotiated so far
	// (encoding.go): a handful, since formats and escaping schemes are.
	encodings    sync.Map
	negotiations negotiations

	// sharing is the scrape of every campaign in flight, which concurrent
	// scrapes join (share.go).
	shareMu sync.Mutex
	sharing *sharedScrape

	mu   sync.Mutex
	last map[string]*Result // each campaign's latest result, for people (status page)
	at   time.Time
}

// NewScraper returns a Scraper for cfg.
func NewScraper(cfg Config) *Scraper {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	set, _ := newCampaignSet(cfg.Campaigns, cfg.Fetcher, cfg.Now, nil)
	// The set holds the campaigns from here: kept in cfg too, the start's
	// campaigns would stay live after a reload replaced them (28 MB at
	// 10,000 campaigns).
	cfg.Campaigns = nil
	c := &Scraper{cfg: cfg, chunkSeries: defaultChunkSeries}
	c.set.Store(set)
	return c
}

// Result is what one scrape of one campaign gave.
type Result struct {
	// Campaign is the campaign set's own (not a copy: with 10,000
	// campaigns a copy per result was 3 MB per scrape and per set of
	// results kept); nothing changes it.
	Campaign   *source.Campaign
	Values     read.Values
	Projection forecast.Projection
	// Err is why the scrape failed; nil when it succeeded.
	Err      error
	Duration time.Duration
	// Time is when the scrape ended.
	Time time.Time
	// LastSuccess is when the site last gave or confirmed the figures;
	// zero if it never has.
	LastSuccess time.Time
	// Reused is true when the outcome of an earlier fetch was served.
	Reused bool
	// Donations is what the campaign's donation list gave; nil when it
	// has none, or its figures were not read.
	Donations *DonationList
}

// Scrape fetches every campaign concurrently and returns their results in
// configuration order. A failure is logged here, once, and kept in its
// Result; it never affects the other campaigns. Campaigns with a
// MinInterval are fetched when due, a bounded number per scrape (see
// scrapeScheduled); one never read yet and not fetched in this scrape is
// left out of the results. A Scrape that starts while another runs joins
// it (see scrapeShared): the results are the same slice, not to be
// changed.
func (c *Scraper) Scrape(ctx context.Context) []Result {
	return c.scrapeShared(ctx, c.set.Load())
}

// ScrapeCampaign scrapes the one campaign called name. It reports false,
// fetching nothing, when no configured campaign has that name.
func (c *Scraper) ScrapeCampaign(ctx context.Context, name string) (Result, bool) {
	set := c.set.Load()
	i, ok := set.byName[name]
	if !ok {
		return Result{}, false
	}
	r := c.scrapeOne(ctx, &set.campaigns[i], set.pollers[i], c.cfg.Now())
	c.remember([]Result{r}, len(set.campaigns))
	return r, true
}

// remember keeps results for LastResults: pointers into results, which
// nothing changes, rather than copies of them (3 MB at 10,000 campaigns).
// A slice is kept while any of its results is the latest of a campaign: a
// campaign is in every scrape's results once read, so a slice outlives the
// next scrape only for a campaign whose new definition was not read yet.
func (c *Scraper) remember(results []Result, campaigns int) {
	c.mu.Lock()
	if c.last == nil {
		c.last = make(map[string]*Result, campaigns)
	}
	for i := range results {
		c.last[results[i].Campaign.Name] = &results[i]
	}
	c.at = c.cfg.Now()
	c.mu.Unlock()
}

// LastResults returns each campaign's latest result, in configuration
// order, and when the latest scrape ended, for pages that show people what
// Prometheus last saw without fetching again. A campaign never scraped yet
// (only others were probed) is left out; it returns nil before the first
// scrape.
func (c *Scraper) LastResults() ([]Result, time.Time) {
	results, _, at := c.LastResultsOf(0, -1)
	return results, at
}

// LastResultsOf is LastResults of the configured campaigns from index
// from up to, not including, to (-1: to the last), so that a page of a
// long list copies only its own; it also returns how many campaigns are
// configured.
func (c *Scraper) LastResultsOf(from, to int) ([]Result, int, time.Time) {
	campaigns := c.set.Load().campaigns
	if to < 0 || to > len(campaigns) {
		to = len(campaigns)
	}
	from = min(max(from, 0), to)
	c.mu.Lock()
	defer c.mu.Unlock()
	var results []Result
	for _, campaign := range campaigns[from:to] {
		if r, ok := c.last[campaign.Name]; ok {
			results = append(results, *r)
		}
	}
	return results, len(campaigns), c.at
}

// logCampaign logs msg about the campaign called name, whose url was
// read, at level. Enabled is asked first: a probe logs nothing at the
// default level, and building the line's attributes was a part of its CPU.
func (c *Scraper) logCampaign(level slog.Level, name, url, msg string, args ...any) {
	if c.cfg.Logger.Enabled(context.Background(), level) {
		c.cfg.Logger.Log(context.Background(), level, msg, append([]any{"campaign", name, "url", url}, args...)...)
	}
}

// scrapeOne polls one campaign. A failure is logged at error level by the
// scrapes that fetched (or shared the fetch); one that only reuses an
// earlier failure logs it at debug level, as it was reported already.
func (c *Scraper) scrapeOne(ctx context.Context, campaign *source.Campaign, poller *source.Poller, since time.Time) (r Result) {
	begin := c.cfg.Now()
	// A panic here would stop the whole process (scrapes run in their
	// own goroutines): it becomes this campaign's failure instead.
	defer func() {
		if p := recover(); p != nil {
			r = c.result(campaign, source.Outcome{Err: fmt.Errorf("scrape panicked (a bug: please report it): %v", p)}, begin)
		}
	}()
	list := startDonations(ctx, poller)
	r = c.result(campaign, poller.Poll(ctx, since), begin)
	c.addDonations(&r, poller, list)
	return r
}

// result turns a poll's outcome into the campaign's Result. The campaign is
// the set's, not the poller's: a reload may have changed its labels alone.
// The duration is measured with the collector's clock (time.Now but in
// tests).
func (c *Scraper) result(campaign *source.Campaign, out source.Outcome, begin time.Time) Result {
	end := c.cfg.Now()
	// The text of errors and notes is cut here too, whatever made them:
	// it goes into the log and onto the status page.
	out.Err, out.Deferred = fetch.ShortenError(out.Err), fetch.ShortenError(out.Deferred)
	out.Values.Notes = shortenNotes(out.Values.Notes)
	r := Result{Campaign: campaign, Err: out.Err, Duration: end.Sub(begin), Time: end,
		LastSuccess: out.LastSuccess, Reused: out.Reused}
	log := func(level slog.Level, msg string, args ...any) {
		c.logCampaign(level, campaign.Name, campaign.FetchURL, msg, args...)
	}
	switch {
	case out.Err != nil && out.Reused && !out.TurnedStale:
		log(slog.LevelDebug, "campaign scrape failed (reusing the last outcome)", "err", out.Err)
	case out.Err != nil:
		log(slog.LevelError, "campaign scrape failed", "err", out.Err)
	case out.Deferred != nil && !out.Reused:
		log(slog.LevelWarn, "site asked to retry later: serving its last figures", "last_success", out.LastSuccess, "err", out.Deferred)
	}
	if out.Err != nil {
		return r
	}
	projection, err := Project(out.Values, campaign.Curve, r.Time)
	if err != nil {
		// Figures that cannot be computed with are a failed scrape too.
		r.Err = fmt.Errorf("project: %w", err)
		log(errorLevel(out.Reused), "campaign scrape failed", "err", r.Err)
		return r
	}
	r.Values, r.Projection = out.Values, projection
	log(slog.LevelDebug, "campaign scraped", "duration", r.Duration, "reused", out.Reused)
	if len(out.Values.Notes) > 0 && !out.Reused {
		log(slog.LevelDebug, "campaign scraped with notes", "notes", strings.Join(out.Values.Notes, "; "))
	}
	return r
}

// shortenNotes returns notes with each cut to fetch.MaxErrorText, in a
// new slice when one is cut (the poller's figures share the old one).
func shortenNotes(notes []string) []string {
	for i, note := range notes {
		if len(note) > fetch.MaxErrorText {
			short := slices.Clone(notes)
			for j := i; j < len(short); j++ {
				if len(short[j]) > fetch.MaxErrorText {
					short[j] = textcut.Head(short[j], fetch.MaxErrorText)
				}
			}
			return short
		}
	}
	return notes
}

// errorLevel is the level of a failed scrape's log line: error for a fresh
// outcome, debug for one reused, which was logged when it was fresh.
func errorLevel(reused bool) slog.Level {
	if reused {
		return slog.LevelDebug
	}
	return slog.LevelError
}
