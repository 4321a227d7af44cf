// Package collector scrapes the configured campaigns when Prometheus asks
// and exposes what it read, and the projection from it, as metrics.
package collector

import (
	"context"
	"fmt"
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
	last map[string]Result // each campaign's latest result, for people (status page)
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
	// Time is when the scrape ended.
	Time time.Time
}

// Scrape fetches every campaign concurrently and returns their results in
// configuration order. A failure is logged here, once, and kept in its
// Result; it never affects the other campaigns.
func (c *Collector) Scrape(ctx context.Context) []Result {
	return c.scrape(ctx, c.cfg.Campaigns)
}

// ScrapeCampaign scrapes the one campaign called name. It reports false,
// fetching nothing, when no configured campaign has that name.
func (c *Collector) ScrapeCampaign(ctx context.Context, name string) (Result, bool) {
	for _, campaign := range c.cfg.Campaigns {
		if campaign.Name == name {
			return c.scrape(ctx, []source.Campaign{campaign})[0], true
		}
	}
	return Result{}, false
}

func (c *Collector) scrape(ctx context.Context, campaigns []source.Campaign) []Result {
	results := make([]Result, len(campaigns))
	var wg sync.WaitGroup
	for i, campaign := range campaigns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.scrapeOne(ctx, campaign)
		}()
	}
	wg.Wait()
	c.mu.Lock()
	if c.last == nil {
		c.last = make(map[string]Result, len(c.cfg.Campaigns))
	}
	for _, r := range results {
		c.last[r.Campaign.Name] = r
	}
	c.at = c.cfg.Now()
	c.mu.Unlock()
	return results
}

// LastResults returns each campaign's latest result, in configuration
// order, and when the latest scrape ended, for pages that show people what
// Prometheus last saw without fetching again. A campaign never scraped yet
// (only others were probed) is left out; it returns nil before the first
// scrape.
func (c *Collector) LastResults() ([]Result, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var results []Result
	for _, campaign := range c.cfg.Campaigns {
		if r, ok := c.last[campaign.Name]; ok {
			results = append(results, r)
		}
	}
	return results, c.at
}

func (c *Collector) scrapeOne(ctx context.Context, campaign source.Campaign) Result {
	begin := time.Now()
	values, err := campaign.Scrape(ctx, c.cfg.Fetcher)
	r := Result{Campaign: campaign, Err: err, Duration: time.Since(begin), Time: c.cfg.Now()}
	if err != nil {
		c.cfg.Logger.Error("campaign scrape failed",
			"campaign", campaign.Name, "url", campaign.FetchURL, "err", err)
		return r
	}
	r.Values = values
	r.Projection = Project(values, r.Time)
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

// ProbeHandler serves the metrics of the one campaign named by the
// "campaign" query parameter (/probe?campaign=NAME): its donation_* series
// and nothing else, so that Prometheus can scrape each campaign as a target
// of its own. The parameter is a configured name, never a URL: an unknown
// name is a 404 and fetches nothing.
func (c *Collector) ProbeHandler(opts promhttp.HandlerOpts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("campaign")
		if name == "" {
			http.Error(w, "the campaign parameter is missing: /probe?campaign=NAME", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		if timeout, ok := scrapeTimeout(r, c.cfg.ScrapeTimeoutOffset); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		result, ok := c.ScrapeCampaign(ctx, name)
		if !ok {
			http.Error(w, fmt.Sprintf("no campaign named %q is configured", name), http.StatusNotFound)
			return
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(c.Metrics([]Result{result}))
		promhttp.HandlerFor(reg, opts).ServeHTTP(w, r)
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
