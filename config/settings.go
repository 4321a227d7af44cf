// Package config reads the exporter's configuration from environment
// variables and turns each campaign's variables into a source.Campaign.
//
// Three concerns, in files of their own: the exporter's settings
// (settings.go: Env, Load; limits.go; reference.go, the source of --help and
// docs/configuration.md), compiling one campaign's definition
// (campaign.go: CampaignEnv and compile; labels.go; token.go; naming.go,
// how errors name a variable or a file's key), and the campaigns of the
// variables and the campaigns file together (campaigns.go: LoadCampaigns,
// and what a reload may keep; file.go: reading the file).
package config

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/donation-exporter/donation_exporter/fetch"
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
	// MaxRequestsInFlight limits concurrent requests to each of the
	// metrics path, /probe and the status page (0: no limit); more are
	// answered 503.
	MaxRequestsInFlight int `env:"MAX_REQUESTS_IN_FLIGHT" envDefault:"128" help:"Concurrent requests on each of the metrics path, /probe and the status page; more are answered 503 at once. 0: no limit."`
	// MaxConnections caps the client connections open at once (0: no
	// cap); one over it is closed at once.
	MaxConnections int `env:"MAX_CONNECTIONS" envDefault:"512" help:"Client connections open at once. At the cap a new one takes the place of the one idle the longest, or, with none idle, is closed at once (and counted). 0: no cap."`
	// MetricsTimeout bounds one request to the metrics path, /probe or the
	// status page (0: no bound but the campaigns' TIMEOUT and Prometheus'
	// scrape timeout).
	MetricsTimeout time.Duration `env:"METRICS_TIMEOUT" envDefault:"30s" help:"Upper bound of one request to the metrics path, /probe or the status page, the scrape included. 0: none but the campaigns' TIMEOUT and Prometheus' scrape timeout."`
	// MaxConcurrentParses bounds how many pages are parsed at the same
	// time (0: GOMAXPROCS, the CPUs Go uses).
	MaxConcurrentParses int `env:"MAX_CONCURRENT_PARSES" envDefault:"0" help:"Pages parsed at the same time. 0: GOMAXPROCS, the CPUs Go uses (it follows a container's CPU limit). Parsing is CPU work, so more than the CPUs buys nothing."`
	// MaxPagesInMemory bounds how many pages are held at the same time,
	// from their response headers until they are parsed (0: twice
	// MAX_CONCURRENT_PARSES).
	MaxPagesInMemory int `env:"MAX_PAGES_IN_MEMORY" envDefault:"0" help:"Pages over 256 KiB held in memory at the same time, from their first 256 KiB until they are parsed (docs/operations.md#how-many-pages-at-once). 0: twice MAX_CONCURRENT_PARSES."`
	// MaxFetchesPerHost bounds the fetches to one host in flight at once,
	// across every campaign (0: no bound).
	MaxFetchesPerHost int `env:"MAX_FETCHES_PER_HOST" envDefault:"4" help:"Fetches to one host (host:port) in flight at the same time, across every campaign; more wait for one to end, within their own deadline (docs/scale.md#one-budget-per-site). 0: no bound."`
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
	perHost := e.MaxFetchesPerHost
	if perHost == 0 {
		perHost = -1 // MAX_FETCHES_PER_HOST=0 bounds nothing; FetcherConfig's 0 is its default
	}
	return fetch.FetcherConfig{
		UserAgent:         userAgent,
		MaxBodyBytes:      e.MaxBodyBytes,
		MaxRedirects:      maxRedirects,
		MaxParses:         e.MaxConcurrentParses,
		MaxPagesInMemory:  e.MaxPagesInMemory,
		MaxFetchesPerHost: perHost,
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
	check(e.MaxFetchesPerHost < 0, "MAX_FETCHES_PER_HOST", e.MaxFetchesPerHost, "0 (no bound) or more")
	check(e.MinInterval < 0, "MIN_INTERVAL", e.MinInterval, "0 (off) or a positive duration")
	check(e.MaxStaleness <= 0, "MAX_STALENESS", e.MaxStaleness, "a positive duration such as 1h")
	return errs
}

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
