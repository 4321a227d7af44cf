// Package collector scrapes the configured campaigns when Prometheus asks
// and exposes what it read, and the projection from it, as metrics.
package collector

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/donation-exporter/donation_exporter/source"
)

const namespace = "donation"

// Config is what a Collector needs.
type Config struct {
	Campaigns []source.Campaign
	Fetcher   *source.Fetcher
	Logger    *slog.Logger
	// ScrapeTimeoutOffset is taken off Prometheus' scrape timeout.
	ScrapeTimeoutOffset time.Duration
	// Now tells the time; nil means time.Now. Tests set it.
	Now func() time.Time
}

// Collector scrapes campaigns. It keeps no figures between scrapes: every
// scrape reads every page again and builds fresh metrics.
type Collector struct {
	cfg   Config
	descs descs

	mu   sync.Mutex
	last []Result // the latest scrape's results, for people (status page)
	at   time.Time
}

// New returns a Collector for cfg.
func New(cfg Config) *Collector {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Collector{cfg: cfg, descs: newDescs()}
}

// Result is what one scrape of one campaign gave.
type Result struct {
	Campaign   source.Campaign
	Values     source.Values
	Projection Projection
	// Err is why the scrape failed; nil when it succeeded.
	Err      error
	Duration time.Duration
}

// Scrape fetches every campaign concurrently and returns their results in
// configuration order. A failure is logged here, once, and kept in its
// Result; it never affects the other campaigns.
func (c *Collector) Scrape(ctx context.Context) []Result {
	results := make([]Result, len(c.cfg.Campaigns))
	var wg sync.WaitGroup
	for i, campaign := range c.cfg.Campaigns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.scrapeOne(ctx, campaign)
		}()
	}
	wg.Wait()
	c.mu.Lock()
	c.last, c.at = results, c.cfg.Now()
	c.mu.Unlock()
	return results
}

// LastResults returns the latest scrape's results and when it ended, for
// pages that show people what Prometheus last saw without fetching again.
// It returns nil before the first scrape.
func (c *Collector) LastResults() ([]Result, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.at
}

func (c *Collector) scrapeOne(ctx context.Context, campaign source.Campaign) Result {
	begin := time.Now()
	values, err := campaign.Scrape(ctx, c.cfg.Fetcher)
	r := Result{Campaign: campaign, Err: err, Duration: time.Since(begin)}
	if err != nil {
		c.cfg.Logger.Error("campaign scrape failed",
			"campaign", campaign.Name, "url", campaign.FetchURL, "err", err)
		return r
	}
	r.Values = values
	r.Projection = Project(values, c.cfg.Now())
	c.cfg.Logger.Debug("campaign scraped", "campaign", campaign.Name, "duration", r.Duration)
	if len(values.Notes) > 0 {
		c.cfg.Logger.Debug("campaign scraped with notes",
			"campaign", campaign.Name, "url", campaign.FetchURL, "notes", strings.Join(values.Notes, "; "))
	}
	return r
}

// Handler serves the campaigns' metrics beside those base gathers (the Go,
// process and build-info collectors). It scrapes on every request, within
// the scrape timeout Prometheus announces.
func (c *Collector) Handler(base prometheus.Gatherer, opts promhttp.HandlerOpts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if timeout, ok := scrapeTimeout(r, c.cfg.ScrapeTimeoutOffset); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(c.Metrics(c.Scrape(ctx)))
		promhttp.HandlerFor(prometheus.Gatherers{base, reg}, opts).ServeHTTP(w, r)
	})
}

// scrapeTimeout reads the X-Prometheus-Scrape-Timeout-Seconds header and
// takes offset off it, so the answer arrives before Prometheus gives up.
func scrapeTimeout(r *http.Request, offset time.Duration) (time.Duration, bool) {
	header := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if header == "" {
		return 0, false
	}
	seconds, err := strconv.ParseFloat(header, 64)
	if err != nil || seconds <= 0 {
		return 0, false
	}
	timeout := time.Duration(seconds * float64(time.Second))
	if timeout > offset {
		timeout -= offset
	}
	return timeout, true
}
