// Package config reads the exporter's configuration from environment
// variables and turns each campaign's variables into a source.Campaign.
package config

import (
	"errors"
	"fmt"
	"github.com/donation-exporter/donation_exporter/forecast"
	"io"
	"maps"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// Prefix starts every variable the exporter reads.
const Prefix = "DONATION_"

// Paths the exporter serves beside DONATION_METRICS_PATH and the status page.
const (
	// ProbePath serves one campaign's metrics: /probe?campaign=NAME.
	ProbePath = "/probe"
	// HealthPath answers liveness and readiness probes.
	HealthPath = "/-/healthy"
	// ReloadPath reloads the campaigns on POST.
	ReloadPath = "/-/reload"
	// SDPath answers Prometheus' HTTP service discovery: one /probe target
	// per campaign.
	SDPath = "/sd"
)

// Config is the whole configuration: the variables as read, and the
// campaigns built from them.
type Config struct {
	Env
	// Campaigns are ready to scrape, in index order.
	Campaigns []source.Campaign
}

// Env holds the variables, DONATION_<NAME>.
type Env struct {
	ListenAddress string `env:"LISTEN_ADDRESS" flag:"web.listen-address" envDefault:":9366" help:"Address to listen on."`
	WebConfigFile string `env:"WEB_CONFIG_FILE" flag:"web.config.file" help:"exporter-toolkit web configuration file: TLS, basic auth, headers (docs/endpoint-security.md)."`
	MetricsPath   string `env:"METRICS_PATH" envDefault:"/metrics" help:"Path of the metrics endpoint. / puts the metrics in place of the status page; /probe, /-/healthy, /-/reload and /sd are taken."`
	LogLevel      string `env:"LOG_LEVEL" flag:"log.level" envDefault:"info" help:"debug, info, warn or error."`
	LogFormat     string `env:"LOG_FORMAT" flag:"log.format" envDefault:"logfmt" help:"logfmt or json."`
	// Demo serves an embedded demo page on loopback and watches it.
	Demo bool `env:"DEMO" help:"Also watch the embedded demo campaign, served on a random loopback port as the campaign demo." helpDefault:"false"`
	// ScrapeTimeoutOffset is taken off Prometheus' scrape timeout so the
	// answer reaches Prometheus before it gives up.
	ScrapeTimeoutOffset time.Duration `env:"SCRAPE_TIMEOUT_OFFSET" envDefault:"500ms" help:"Taken off the scrape timeout Prometheus announces (X-Prometheus-Scrape-Timeout-Seconds), so the answer arrives before Prometheus gives up."`
	// UserAgent replaces the User-Agent the exporter sends.
	UserAgent string `env:"USER_AGENT" help:"User-Agent sent to donation sites." helpDefault:"donation_exporter/<version> (+https://github.com/donation-exporter/donation_exporter)"`
	// MaxBodyBytes caps a page's size, counted after decompression.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"5242880" help:"Largest page read (5 MiB by default), counted after gzip decompression. A bigger page fails its campaign (body too large)."`
	// MaxRedirects is how many redirects a fetch follows (0: none).
	MaxRedirects int `env:"MAX_REDIRECTS" envDefault:"5" help:"Redirects one fetch follows; 0 follows none (the 3xx is then an error)."`
	// MaxRequestsInFlight limits concurrent requests to the metrics path
	// (0: no limit); more are answered 503.
	MaxRequestsInFlight int `env:"MAX_REQUESTS_IN_FLIGHT" envDefault:"128" help:"Concurrent scrapes on the metrics path and /probe; more are answered 503 at once. 0: no limit."`
	// MaxConnections caps the client connections open at once (0: no
	// cap); one over it is closed at once.
	MaxConnections int `env:"MAX_CONNECTIONS" envDefault:"512" help:"Client connections open at once. At the cap a new one takes the place of the one idle the longest, or, with none idle, is closed at once (and counted). 0: no cap."`
	// MetricsTimeout bounds one request to the metrics path (0: no bound
	// but the campaigns' TIMEOUT and Prometheus' scrape timeout).
	MetricsTimeout time.Duration `env:"METRICS_TIMEOUT" envDefault:"30s" help:"Upper bound of one request to the metrics path, the scrape included. 0: none but the campaigns' TIMEOUT and Prometheus' scrape timeout."`
	// MaxConcurrentParses bounds how many pages are parsed at the same
	// time (0: GOMAXPROCS, the CPUs Go uses).
	MaxConcurrentParses int `env:"MAX_CONCURRENT_PARSES" envDefault:"0" help:"Pages parsed at the same time. 0: GOMAXPROCS, the CPUs Go uses (it follows a container's CPU limit). Parsing is CPU work, so more than the CPUs buys nothing."`
	// MaxPagesInMemory bounds how many pages are held at the same time,
	// from their response headers until they are parsed (0: twice
	// MAX_CONCURRENT_PARSES).
	MaxPagesInMemory int `env:"MAX_PAGES_IN_MEMORY" envDefault:"0" help:"Pages over 256 KiB held in memory at the same time, from their first 256 KiB until they are parsed (docs/operations.md#how-many-pages-at-once). 0: twice MAX_CONCURRENT_PARSES."`
	// MinInterval is the campaigns' default MIN_INTERVAL.
	MinInterval time.Duration `env:"MIN_INTERVAL" envDefault:"0s" help:"Default of every campaign's MIN_INTERVAL. 0s: off."`
	// MaxStaleness is the campaigns' default MAX_STALENESS: how old the
	// figures served (while a site defers fetches with Retry-After) may
	// be before the campaign reports donation_up 0.
	MaxStaleness time.Duration `env:"MAX_STALENESS" envDefault:"1h" help:"Default of every campaign's MAX_STALENESS."`
	CampaignVars []CampaignEnv `envPrefix:"CAMPAIGN_"`
	// ConfigFile is a YAML file of more campaigns (see file.go); it is
	// read again on reload.
	ConfigFile string `env:"CONFIG_FILE" flag:"config.file" help:"A YAML file of more campaigns, read again on SIGHUP and POST /-/reload (docs/campaigns-file.md)."`
	// ExternalAddress is where Prometheus reaches the exporter: the target
	// /sd lists. Never taken from a request's Host header.
	ExternalAddress string `env:"EXTERNAL_ADDRESS" help:"host:port at which Prometheus reaches the exporter: the target /sd lists for every campaign." helpDefault:"LISTEN_ADDRESS, with the host name where it names no host"`
}

// CampaignEnv is one campaign's definition: its variables,
// DONATION_CAMPAIGN_<i>_<FIELD>, or an entry of the campaigns file, whose
// keys are the same suffixes in lower case (see file.go). Both go through
// compile, so they accept and reject the same things. Everything is read as
// text so that errors can name the variable or key.
type CampaignEnv struct {
	Name     string `env:"NAME" yaml:"name" help:"Required, unique. The campaign label."`
	URL      string `env:"URL" yaml:"url" help:"Required. The page a person opens in a browser (http or https)."`
	Platform string `env:"PLATFORM" yaml:"platform" help:"A platform preset (docs/platforms.md), or html / json to read the page only by the selectors given. Empty: the preset of the URL's host; for other hosts, html or json as the Content-Type says, read by zero-config when nothing says where the amount raised is. With html or json, RAISED_SELECTOR (or REMAINING_SELECTOR with a target) is required."`

	Raised           string `env:"RAISED" yaml:"raised" help:"Amount raised, as a fixed value. Not with RAISED_SELECTOR."`
	RaisedSelector   string `env:"RAISED_SELECTOR" yaml:"raised_selector" help:"Where on the page the amount raised is (docs/selectors.md). Without it, RAISED, a preset, or REMAINING_SELECTOR with a target, the page is read by zero-config."`
	Target           string `env:"TARGET" yaml:"target" help:"The goal, as a fixed value (1000000)."`
	TargetSelector   string `env:"TARGET_SELECTOR" yaml:"target_selector" help:"Where on the page the goal is."`
	Currency         string `env:"CURRENCY" yaml:"currency" help:"ISO 4217 code (USD) or symbol. When unset, the currency the raised (or target) text shows, if any."`
	CurrencySelector string `env:"CURRENCY_SELECTOR" yaml:"currency_selector" help:"Where on the page the currency is."`
	Start            string `env:"START" yaml:"start" help:"When the campaign started (2026-03-24); a bare date is the start of that day."`
	StartSelector    string `env:"START_SELECTOR" yaml:"start_selector" help:"Where on the page the start is."`
	Deadline         string `env:"DEADLINE" yaml:"deadline" help:"When it ends (2026-07-08); a bare date is the end of that day."`
	DeadlineSelector string `env:"DEADLINE_SELECTOR" yaml:"deadline_selector" help:"Where on the page the deadline is."`
	Donors           string `env:"DONORS" yaml:"donors" help:"Number of donors, donations, patrons or backers, as a fixed value."`
	DonorsSelector   string `env:"DONORS_SELECTOR" yaml:"donors_selector" help:"Where on the page the number of donors is."`
	// Remaining is the amount still needed: with raised it gives the
	// target, with the target the amount raised.
	Remaining         string `env:"REMAINING" yaml:"remaining" help:"The amount still needed, for pages that give it instead of the target (target = raised + remaining) or of the amount raised (raised = target - remaining). Not exported itself."`
	RemainingSelector string `env:"REMAINING_SELECTOR" yaml:"remaining_selector" help:"Where on the page the amount still needed is."`
	// RaisedBasis and DonorsBasis say what the figures count, for a
	// campaign no preset reads (donation_campaign_info).
	RaisedBasis string `env:"RAISED_BASIS" yaml:"raised_basis" help:"What donation_raised counts, on donation_campaign_info: cumulative, per_week, per_month or last_12_months. A preset sets it for its platform." helpDefault:"cumulative"`
	DonorsBasis string `env:"DONORS_BASIS" yaml:"donors_basis" help:"What donation_donors counts: donors, donations, patrons or backers. A preset sets it for its platform." helpDefault:"donors"`

	AmountScale string `env:"AMOUNT_SCALE" yaml:"amount_scale" help:"Multiplies amounts read from the page (not fixed values): 0.01 for an API that gives cents." helpDefault:"1"`
	Timezone    string `env:"TIMEZONE" yaml:"timezone" help:"IANA zone (Europe/Berlin) of dates written without an offset." helpDefault:"UTC"`
	Timeout     string `env:"TIMEOUT" yaml:"timeout" help:"Upper bound of one fetch; Prometheus' scrape timeout may cut it shorter." helpDefault:"10s"`

	InsecureSkipVerify string `env:"INSECURE_SKIP_VERIFY" yaml:"insecure_skip_verify" help:"true accepts any TLS certificate from this campaign's site (self-signed, expired, wrong name); logged as a warning at start. Other campaigns, and other hosts this site redirects to, still verify." helpDefault:"false"`
	MinInterval        string `env:"MIN_INTERVAL" yaml:"min_interval" help:"Least time between two fetches of this page (5m); scrapes in between get the last outcome. 0s fetches on every scrape. Must be shorter than MAX_STALENESS." helpDefault:"DONATION_MIN_INTERVAL"`
	MaxStaleness       string `env:"MAX_STALENESS" yaml:"max_staleness" help:"Oldest figures served while the site defers fetches with Retry-After; past it the campaign reports donation_up 0." helpDefault:"DONATION_MAX_STALENESS"`

	// ForecastCurve is the pace curve of the campaign's projection.
	ForecastCurve string `env:"FORECAST_CURVE" yaml:"forecast_curve" help:"Pace curve of the projection (docs/forecast.md): kickstarter, marathon, jinglejam or linear (the average daily rate holds), or the path of a curve file of elapsed_fraction,share_of_final[,share_low,share_high] rows, as the curve subcommand writes from past years' timelines." helpDefault:"the preset's curve, else linear"`

	// Labels are extra labels on every series of the campaign.
	Labels Labels `env:"LABELS" yaml:"labels" help:"Extra labels on every series of the campaign: appeal=spring,team=north. Not campaign, currency, platform, raised_basis, donors_basis, forecast, state, window, job, instance or __*."`
}

// Load reads the configuration from environ (as os.Environ gives it) and
// checks it. Its errors name the variable at fault.
func Load(environ []string) (Config, error) {
	vars := env.ToMap(environ)
	opts := env.Options{Prefix: Prefix, Environment: vars}
	var cfg Config
	if err := env.ParseWithOptions(&cfg.Env, opts); err != nil {
		return Config{}, namedEnvError(err)
	}
	if err := checkKnown(vars, opts); err != nil {
		return Config{}, err
	}
	var errs []error
	if !strings.HasPrefix(cfg.MetricsPath, "/") {
		errs = append(errs, fmt.Errorf("%sMETRICS_PATH: %q must start with /", Prefix, cfg.MetricsPath))
	}
	switch cfg.MetricsPath {
	case ProbePath:
		errs = append(errs, fmt.Errorf("%sMETRICS_PATH: %s serves one campaign at a time; choose another path", Prefix, ProbePath))
	case HealthPath:
		errs = append(errs, fmt.Errorf("%sMETRICS_PATH: %s answers health probes; choose another path", Prefix, HealthPath))
	case ReloadPath, SDPath:
		errs = append(errs, fmt.Errorf("%sMETRICS_PATH: %s reloads or lists the campaigns; choose another path", Prefix, cfg.MetricsPath))
	}
	if cfg.ScrapeTimeoutOffset < 0 {
		errs = append(errs, fmt.Errorf("%sSCRAPE_TIMEOUT_OFFSET: %v must not be negative", Prefix, cfg.ScrapeTimeoutOffset))
	}
	errs = append(errs, cfg.checkLimits()...)
	if err := cfg.checkExternalAddress(); err != nil {
		errs = append(errs, err)
	}
	campaigns, err := cfg.LoadCampaigns()
	if err != nil {
		errs = append(errs, err)
	}
	cfg.Campaigns = campaigns
	if err := joinBounded(errs...); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// FetcherConfig is what these settings say about fetching pages.
// defaultUserAgent is sent unless USER_AGENT replaces it.
func (e Env) FetcherConfig(defaultUserAgent string) fetch.FetcherConfig {
	userAgent := e.UserAgent
	if userAgent == "" {
		userAgent = defaultUserAgent
	}
	maxRedirects := e.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = -1 // MAX_REDIRECTS=0 follows none; FetcherConfig's 0 is its default
	}
	return fetch.FetcherConfig{
		UserAgent:        userAgent,
		MaxBodyBytes:     e.MaxBodyBytes,
		MaxRedirects:     maxRedirects,
		MaxParses:        e.MaxConcurrentParses,
		MaxPagesInMemory: e.MaxPagesInMemory,
	}
}

// checkLimits checks the variables that bound fetching and serving.
func (e Env) checkLimits() []error {
	var errs []error
	check := func(bad bool, name string, value any, want string) {
		if bad {
			errs = append(errs, fmt.Errorf("%s%s: %v must be %s", Prefix, name, value, want))
		}
	}
	check(e.MaxBodyBytes <= 0, "MAX_BODY_BYTES", e.MaxBodyBytes, "a positive number of bytes")
	check(e.MaxRedirects < 0, "MAX_REDIRECTS", e.MaxRedirects, "0 (follow none) or more")
	check(e.MaxRequestsInFlight < 0, "MAX_REQUESTS_IN_FLIGHT", e.MaxRequestsInFlight, "0 (no limit) or more")
	check(e.MaxConnections < 0, "MAX_CONNECTIONS", e.MaxConnections, "0 (no cap) or more")
	check(e.MetricsTimeout < 0, "METRICS_TIMEOUT", e.MetricsTimeout, "0 (no bound) or a positive duration")
	check(e.MaxConcurrentParses < 0, "MAX_CONCURRENT_PARSES", e.MaxConcurrentParses, "0 (GOMAXPROCS) or more")
	check(e.MaxPagesInMemory < 0, "MAX_PAGES_IN_MEMORY", e.MaxPagesInMemory, "0 (twice MAX_CONCURRENT_PARSES) or more")
	check(e.MinInterval < 0, "MIN_INTERVAL", e.MinInterval, "0 (off) or a positive duration")
	check(e.MaxStaleness <= 0, "MAX_STALENESS", e.MaxStaleness, "a positive duration such as 1h")
	return errs
}

// namedEnvError names the variable behind each typed setting that does not
// parse (DONATION_MAX_BODY_BYTES=lots): env's own message names the Go field.
func namedEnvError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	named := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			named = append(named, e)
			continue
		}
		if f, ok := reflect.TypeFor[Env]().FieldByName(pe.Name); ok {
			var ne *strconv.NumError
			if f.Type.Kind() == reflect.Bool && errors.As(pe.Err, &ne) {
				// strconv's "ParseBool: parsing "yes": invalid syntax" says
				// neither what is wanted nor that it is ours.
				named = append(named, fmt.Errorf("%s%s: %q is not true or false", Prefix, f.Tag.Get("env"), ne.Num))
				continue
			}
			named = append(named, fmt.Errorf("%s%s: %w", Prefix, f.Tag.Get("env"), pe.Err))
			continue
		}
		named = append(named, e)
	}
	return errors.Join(named...)
}

func campaignPrefix(i int) string { return fmt.Sprintf("%sCAMPAIGN_%d_", Prefix, i) }

// naming says where a campaign's settings come from, for its errors: a
// variable (DONATION_CAMPAIGN_3_RAISED) or a key of the campaigns file
// (campaigns.yml:12: campaigns[3] (name "spring"): raised).
type naming struct {
	prefix string
	lower  bool // file keys are the variables' suffixes in lower case
	// zones caches time zones by name across the campaigns of one load
	// (each LoadLocation reads the zone database); nil: no cache.
	zones map[string]*time.Location
}

func envNaming(i int) naming { return naming{prefix: campaignPrefix(i)} }

// key is a setting's name: RAISED_SELECTOR, or raised_selector in a file.
func (n naming) key(suffix string) string {
	if n.lower {
		return strings.ToLower(suffix)
	}
	return suffix
}

// where names a setting fully, for errors.
func (n naming) where(suffix string) string { return n.prefix + n.key(suffix) }

// checkKnown rejects DONATION_ variables the exporter does not read: a typo
// (TARGTE) or a gap in the campaign numbers would otherwise be ignored
// without a word.
func checkKnown(vars map[string]string, opts env.Options) error {
	params, err := env.GetFieldParamsWithOptions(&Env{}, opts)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, p := range params {
		known[p.Key] = true
	}
	var unknown []string
	for name := range vars {
		if strings.HasPrefix(name, Prefix) && !known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("unknown variables %s: check the spelling, and that campaigns are numbered from 0 with no gap (%sCAMPAIGN_0_NAME, %sCAMPAIGN_1_NAME, ...)",
		strings.Join(unknown, ", "), Prefix, Prefix)
}

// compile checks one campaign's variables and builds the campaign.
func (ce CampaignEnv) compile(n naming, presets *preset.Registry) (source.Campaign, error) {
	var errs []error
	fail := func(suffix, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", n.where(suffix), fmt.Sprintf(format, args...)))
	}
	c := source.Campaign{Name: strings.TrimSpace(ce.Name), URL: strings.TrimSpace(ce.URL)}
	c.SettingPrefix, c.SettingsLower = n.prefix, n.lower
	if bad := ce.checkUTF8(n); len(bad) > 0 {
		return c, errors.Join(bad...) // nothing else is worth reading
	}
	if c.Name == "" {
		fail("NAME", "required: the campaign label")
	} else if err := checkName(c.Name); err != nil {
		fail("NAME", "%v", err)
	}
	var pageURL *url.URL
	if c.URL == "" {
		fail("URL", "required: the donation page to read")
	} else if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("URL", "%q is not an http or https URL", c.URL)
	} else {
		pageURL = u
	}
	c.FetchURL = c.URL

	p, err := ce.platform(pageURL, presets, &c)
	if err != nil {
		fail("PLATFORM", "%v", err)
	}
	c.Spec = read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{}}
	if p != nil && pageURL != nil {
		ce.applyPreset(p, n, &c, fail)
	}
	ce.compileOptions(&c, n, fail)
	ce.compileFields(&c, n, fail)
	variable := func(f read.Field) string { return n.where(strings.ToUpper(string(f))) }
	if err := read.CheckConfiguredDates(ce.Start, ce.Deadline, c.Spec.Location, variable); err != nil {
		errs = append(errs, err)
	}
	ce.compileBases(p, &c, fail)
	if c.Curve, err = ce.curve(p); err != nil {
		fail("FORECAST_CURVE", "%v", err)
	}
	if p == nil && !ce.givesRaised() {
		switch platform := strings.ToLower(strings.TrimSpace(ce.Platform)); platform {
		case "html", "json":
			// These platforms mean "only my selectors": reading page
			// furniture behind the user's back would be a guess.
			fail("RAISED_SELECTOR", "required with platform %s, which reads only the selectors given: give RAISED_SELECTOR or RAISED, or REMAINING_SELECTOR (or REMAINING) with TARGET_SELECTOR (or TARGET)", platform)
		default:
			// No preset and nothing says where the amount raised is:
			// read what donation pages commonly carry (see read's
			// zero-config).
			c.Platform = source.PlatformZeroConfig
			c.Spec.ZeroConfig = true
		}
	}
	labels, err := ce.Labels.check()
	if err != nil {
		fail("LABELS", "%v", err)
	}
	c.Labels = labels
	if p != nil && len(errs) == 0 {
		c.Rebind = rebinder(p, c.Spec, ce.overrideNamer(n))
	}
	return c, errors.Join(errs...)
}

// givesRaised reports whether the settings say where the amount raised
// comes from: itself, or the target less the amount still needed.
func (ce CampaignEnv) givesRaised() bool {
	set := func(literal, selector string) bool {
		return strings.TrimSpace(literal) != "" || strings.TrimSpace(selector) != ""
	}
	return set(ce.Raised, ce.RaisedSelector) ||
		(set(ce.Remaining, ce.RemainingSelector) && set(ce.Target, ce.TargetSelector))
}

// curve loads FORECAST_CURVE: a built-in curve or a curve file; unset,
// the preset's curve, or linear.
func (ce CampaignEnv) curve(p *preset.Preset) (*forecast.Curve, error) {
	spec := strings.TrimSpace(ce.ForecastCurve)
	switch {
	case spec != "":
	case p != nil && p.Forecast != "":
		spec = p.Forecast
	default:
		spec = forecast.LinearName
	}
	return forecast.Load(spec, func(path string) (io.ReadCloser, error) { return os.Open(path) })
}

// rebinder returns how to read the page a redirect ended at: the preset
// applied to that URL (a short link's target carries the slug that picks
// the campaign's own object out of the page's data), with the fields the
// configuration gives kept as they are.
func rebinder(p *preset.Preset, spec read.Spec, override func(read.Field) string) func(string) (read.Spec, bool) {
	return func(final string) (read.Spec, bool) {
		pc, err := p.Apply(final, override)
		if err != nil || pc.Vars == nil {
			return read.Spec{}, false
		}
		out := spec
		out.ProgressChecks = pc.Spec.ProgressChecks
		out.Fields = maps.Clone(pc.Spec.Fields)
		for f, fs := range spec.Fields {
			if fs.Preset == "" {
				out.Fields[f] = fs
			}
		}
		return out, true
	}
}

// overrideNamer names, for a preset's field, the variable that overrides it.
func (ce CampaignEnv) overrideNamer(n naming) func(read.Field) string {
	return func(f read.Field) string { return n.where(strings.ToUpper(string(f)) + "_SELECTOR") }
}

// platform resolves PLATFORM: a preset by name, html or json (selectors
// alone), or, when empty, the preset of the URL's host, if any.
func (ce CampaignEnv) platform(u *url.URL, presets *preset.Registry, c *source.Campaign) (*preset.Preset, error) {
	c.Platform = source.PlatformSelectors
	switch platform := strings.ToLower(strings.TrimSpace(ce.Platform)); platform {
	case "":
		c.Kind = read.KindAuto
		if u != nil {
			if p, ok := presets.Detect(u.Hostname()); ok {
				return p, nil
			}
		}
	case "html":
		c.Kind = read.KindHTML
	case "json":
		c.Kind = read.KindJSON
	default:
		if p, ok := presets.Lookup(platform); ok {
			return p, nil
		}
		return nil, fmt.Errorf("unknown platform %q (known: %s)", ce.Platform, strings.Join(append([]string{"html", "json"}, presets.Names()...), ", "))
	}
	return nil, nil
}

// applyPreset makes c read its URL with the preset: the endpoint the URL
// maps to (or the URL as given), and the preset's fields, each naming the
// variable that overrides it.
func (ce CampaignEnv) applyPreset(p *preset.Preset, n naming, c *source.Campaign, fail func(string, string, ...any)) {
	pc, err := p.Apply(c.URL, ce.overrideNamer(n))
	if err != nil {
		fail("URL", "%v", err)
		return
	}
	c.Platform, c.Kind, c.FetchURL, c.PageFallback = p.Name, p.Kind(), pc.FetchURL, pc.PageFallback
	c.Donations = pc.Donations
	c.Spec.AmountScale, c.Spec.ProgressChecks, c.Spec.Fields = pc.Spec.AmountScale, pc.Spec.ProgressChecks, pc.Spec.Fields
	if pc.Vars == nil {
		for _, pg := range p.Pages {
			c.PageShapes = append(c.PageShapes, pg.Page)
		}
	}
	if c.PageFallback && ce.hasSelector() {
		// Selectors are written for the page URL names; a preset that
		// reads that page too (not only an endpoint) reads it then.
		c.FetchURL, c.PageFallback = c.URL, false
	}
	for _, f := range ce.fieldVars() {
		why, required := p.Requires[f.field]
		if required && strings.TrimSpace(f.literal) == "" && strings.TrimSpace(f.selector) == "" {
			fail(strings.ToUpper(string(f.field)), "required with platform %s: %s", p.Name, why)
		}
	}
}

// compileOptions reads the campaign's settings other than its fields.
func (ce CampaignEnv) compileOptions(c *source.Campaign, n naming, fail func(string, string, ...any)) {
	if tz := strings.TrimSpace(ce.Timezone); tz != "" {
		loc, err := n.zones[tz], error(nil)
		if loc == nil {
			loc, err = time.LoadLocation(tz)
		}
		if err == nil && n.zones != nil {
			n.zones[tz] = loc
		}
		if err != nil {
			fail("TIMEZONE", "%q is not an IANA time zone name: %v", tz, err)
		} else {
			c.Spec.Location = loc
		}
	}
	if s := strings.TrimSpace(ce.AmountScale); s != "" {
		scale, err := strconv.ParseFloat(s, 64)
		if err != nil || scale <= 0 || scale != scale {
			fail("AMOUNT_SCALE", "%q is not a positive number", s)
		} else {
			c.Spec.AmountScale = scale
		}
	}
	if s := strings.TrimSpace(ce.Timeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			fail("TIMEOUT", "%q is not a positive duration such as 10s", s)
		} else {
			c.Timeout = d
		}
	}
	if s := strings.TrimSpace(ce.InsecureSkipVerify); s != "" {
		skip, err := strconv.ParseBool(s)
		if err != nil {
			fail("INSECURE_SKIP_VERIFY", "%q is not true or false", s)
		}
		c.InsecureSkipVerify = skip
	}
	if s := strings.TrimSpace(ce.MinInterval); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			fail("MIN_INTERVAL", "%q is not a duration such as 1m (0 to fetch on every scrape)", s)
		} else {
			c.MinInterval = d
		}
	}
	if s := strings.TrimSpace(ce.MaxStaleness); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			fail("MAX_STALENESS", "%q is not a positive duration such as 1h", s)
		} else {
			c.MaxStaleness = d
		}
	}
}

// compileFields reads each field's value or selector; they replace the
// preset's.
func (ce CampaignEnv) compileFields(c *source.Campaign, n naming, fail func(string, string, ...any)) {
	for _, f := range ce.fieldVars() {
		suffix := strings.ToUpper(string(f.field))
		literal, selector := strings.TrimSpace(f.literal), strings.TrimSpace(f.selector)
		switch {
		case literal != "" && selector != "":
			fail(suffix, "set together with %s: give the value or where to read it, not both", n.key(suffix+"_SELECTOR"))
		case literal != "":
			if err := read.CheckLiteral(f.field, literal, c.Spec.Location); err != nil {
				fail(suffix, "%v", err)
				continue
			}
			c.Spec.Fields[f.field] = read.FieldSpec{Literal: literal, Setting: n.where(suffix)}
		case selector != "":
			sel, err := read.ParseSelector(selector)
			if err == nil {
				err = sel.Validate(c.Kind)
			}
			if err != nil {
				fail(suffix+"_SELECTOR", "%v", err)
				continue
			}
			c.Spec.Fields[f.field] = read.FieldSpec{Selectors: []read.Selector{sel}, Setting: n.where(suffix + "_SELECTOR")}
		}
	}
}

// compileBases sets what the figures count: the preset's, or what
// RAISED_BASIS and DONORS_BASIS say.
func (ce CampaignEnv) compileBases(p *preset.Preset, c *source.Campaign, fail func(string, string, ...any)) {
	c.RaisedBasis, c.DonorsBasis = "cumulative", "donors"
	if p != nil {
		c.RaisedBasis = p.RaisedBasis
		if p.DonorsBasis != "" {
			c.DonorsBasis = p.DonorsBasis
		}
	}
	if s := strings.TrimSpace(ce.RaisedBasis); s != "" {
		if !preset.IsRaisedBasis(s) {
			fail("RAISED_BASIS", "%q: want one of %s", s, strings.Join(preset.RaisedBases(), ", "))
		}
		c.RaisedBasis = s
	}
	if s := strings.TrimSpace(ce.DonorsBasis); s != "" {
		if !preset.IsDonorsBasis(s) {
			fail("DONORS_BASIS", "%q: want one of %s", s, strings.Join(preset.DonorsBases(), ", "))
		}
		c.DonorsBasis = s
	}
}

func (ce CampaignEnv) hasSelector() bool {
	for _, f := range ce.fieldVars() {
		if strings.TrimSpace(f.selector) != "" {
			return true
		}
	}
	return false
}

type fieldVar struct {
	field             read.Field
	literal, selector string
}

func (ce CampaignEnv) fieldVars() []fieldVar {
	return []fieldVar{
		{read.FieldRaised, ce.Raised, ce.RaisedSelector},
		{read.FieldTarget, ce.Target, ce.TargetSelector},
		{read.FieldCurrency, ce.Currency, ce.CurrencySelector},
		{read.FieldStart, ce.Start, ce.StartSelector},
		{read.FieldDeadline, ce.Deadline, ce.DeadlineSelector},
		{read.FieldDonors, ce.Donors, ce.DonorsSelector},
		{read.FieldRemaining, ce.Remaining, ce.RemainingSelector},
	}
}
