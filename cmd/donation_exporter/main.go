// Command donation_exporter exposes the progress of fundraising campaigns
// as Prometheus metrics. See README.md for its configuration.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // TIMEZONE works in images without a zoneinfo database

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"

	donationexporter "github.com/donation-exporter/donation_exporter"
	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/demo"
	"github.com/donation-exporter/donation_exporter/endpoint"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/source"
	"github.com/donation-exporter/donation_exporter/status"
)

const (
	exporterName = "donation_exporter"
	projectURL   = "https://github.com/donation-exporter/donation_exporter"
)

func main() {
	// A build without make's -ldflags (go run, go build) reports what the
	// toolchain recorded, or the VERSION file's release, rather than an
	// empty version.
	info, _ := debug.ReadBuildInfo()
	version.Version, version.Revision = buildVersion(version.Version, version.Revision, donationexporter.Release(), info)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal starts a graceful shutdown; the default action is
	// back for the second, which stops the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

// run serves the exporter until ctx ends, or with the argument check (also
// --check) reads every campaign once, or the one named after it, and
// reports on stdout how. Flags given set their variable over environ's.
func run(ctx context.Context, args []string, environ []string, stdout, stderr io.Writer) int {
	cl, err := parseCommandLine(args, environ)
	switch {
	case errors.Is(err, errHelp):
		printHelp(stdout)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v: the flags are %s; the commands check [NAME], backfill --campaign NAME, curve, backtest, version and help; the %s* variables and the flags are listed by --help\n",
			exporterName, err, flagNames(), config.Prefix)
		return exitConfig
	}
	switch cl.command {
	case "version":
		fmt.Fprintln(stdout, version.Print(exporterName))
		return exitOK
	case "curve":
		return runCurve(cl.args, stdout, stderr)
	case "backtest":
		return runBacktest(cl.args, stdout, stderr)
	}
	cfg, logger, code := loadConfig(cl, stderr)
	if code != exitOK {
		return code
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	campaigns, demoCampaigns, code := withDemo(ctx, cfg, logger, stderr)
	if code != exitOK {
		return code
	}
	for _, c := range campaigns {
		if c.InsecureSkipVerify {
			logger.Warn("TLS certificate verification is off for this campaign", "campaign", c.Name, "url", c.FetchURL)
		}
	}
	fetcher := fetch.NewFetcher(cfg.FetcherConfig(fmt.Sprintf("%s/%s (+%s)", exporterName, version.Version, projectURL)))
	switch cl.command {
	case "check":
		return runCheck(ctx, cl.args, campaigns, fetcher, stdout, stderr)
	case "backfill":
		return runBackfill(ctx, cl.backfill, campaigns, fetcher, stdout, stderr, time.Now())
	}
	return serveCampaigns(ctx, cfg, campaigns, demoCampaigns, fetcher, logger, stderr)
}

// loadConfig loads the presets once for the process, then the
// configuration and its logger; a failure is written to stderr and gives
// the exit code.
func loadConfig(cl commandLine, stderr io.Writer) (config.Config, *slog.Logger, int) {
	presets, err := preset.Load()
	if err != nil {
		fmt.Fprintf(stderr, "%s: platform presets: %v\n", exporterName, err) // embedded: a bug
		return config.Config{}, nil, exitConfig
	}
	cfg, err := config.Load(cl.environ, presets)
	if err == nil {
		var logger *slog.Logger
		if logger, err = newLogger(cfg.Env, stderr); err == nil {
			return cfg, logger, exitOK
		}
	}
	fmt.Fprintf(stderr, "%s: configuration: %s\n", exporterName, cl.nameFlags(err.Error()))
	return config.Config{}, nil, exitConfig
}

// runCheck checks every campaign, or the one named.
func runCheck(ctx context.Context, args []string, campaigns []source.Campaign, fetcher *fetch.Fetcher, stdout, stderr io.Writer) int {
	if len(args) == 1 {
		one, err := campaignNamed(campaigns, args[0])
		if err != nil {
			fmt.Fprintf(stderr, "%s: check: %v\n", exporterName, err)
			return exitConfig
		}
		campaigns = []source.Campaign{one}
	}
	return checkCampaigns(ctx, stdout, campaigns, fetcher, time.Now())
}

// withDemo returns the configured campaigns, with the demo campaign (served
// on loopback until ctx ends) when DONATION_DEMO asks for it, and the demo
// alone again, to keep across reloads. A code other than exitOK says the
// exporter must stop: nothing to watch, or the demo could not be served.
func withDemo(ctx context.Context, cfg config.Config, logger *slog.Logger, stderr io.Writer) (campaigns, demoCampaigns []source.Campaign, code int) {
	campaigns = cfg.Campaigns
	if cfg.Demo {
		url, err := serveDemo(ctx, logger)
		if err != nil {
			logger.Error("cannot serve the demo page", "err", err)
			return nil, nil, exitFailed
		}
		logger.Info("watching the embedded demo campaign: its figures are made up", "campaign", demo.Name, "url", url)
		demoCampaigns = append(demoCampaigns, demo.Campaign(url))
		campaigns = append(campaigns, demoCampaigns...)
	}
	if len(campaigns) == 0 {
		fmt.Fprintf(stderr, "%s: no campaign configured. Set %sCAMPAIGN_0_NAME, %sCAMPAIGN_0_URL and %sCAMPAIGN_0_RAISED_SELECTOR (see README.md), or %sDEMO=true to watch the embedded demo campaign.\n",
			exporterName, config.Prefix, config.Prefix, config.Prefix, config.Prefix)
		return nil, nil, exitConfig
	}
	return campaigns, demoCampaigns, exitOK
}

// serveCampaigns wires the scraper, the reloader, the registries and the
// HTTP server, and serves until ctx ends.
func serveCampaigns(ctx context.Context, cfg config.Config, campaigns, demoCampaigns []source.Campaign, fetcher *fetch.Fetcher, logger *slog.Logger, stderr io.Writer) int {
	// Read before the server starts, so that a bad file stops the
	// exporter at once, with a message naming the variable (check mode
	// serves nothing and does not read it).
	web, err := loadWebConfig(cfg.WebConfigFile)
	if err != nil {
		fmt.Fprintf(stderr, "%s: configuration: %v\n", exporterName, err)
		return exitConfig
	}
	logger.Info("starting "+exporterName, "version", version.Info(), "campaigns", len(campaigns))
	rejections := endpoint.NewRejections(logger)
	coll := collector.NewScraper(collector.Config{
		Campaigns:           campaigns,
		Fetcher:             fetcher,
		Logger:              logger,
		ScrapeTimeoutOffset: cfg.ScrapeTimeoutOffset,
		Rejections:          rejections,
	})

	releaseLoadGarbage()
	reloader := newReloader(cfg, coll, demoCampaigns, logger)
	reloader.watchSignals(ctx)

	base := prometheus.NewRegistry()
	base.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector(exporterName),
		rejections,
		reloader,
	)

	mux := newMux(cfg.Env, coll, base, logger)
	handleCampaigns(mux, coll, reloader, cfg.SDTarget(os.Hostname))
	handler, err := guard(endpoint.Recover(mux, logger), web, rejections, logger)
	if err != nil {
		fmt.Fprintf(stderr, "%s: configuration: %sWEB_CONFIG_FILE: %v\n", exporterName, config.Prefix, err)
		return exitConfig
	}
	t := serverTimeouts(cfg.Env, campaigns)
	server, answering := newServer(handler, t, logger)
	listener, err := listen(ctx, server, cfg.ListenAddress, cfg.MaxConnections, rejections)
	if err != nil {
		logger.Error("cannot listen", "variable", config.Prefix+"LISTEN_ADDRESS", "err", err)
		return exitFailed
	}
	defer listener.Close()
	return serve(ctx, server, listener, web, answering, t, logger)
}

// newMux routes the exporter's endpoints: metrics, /probe, the health check
// and the status page.
func newMux(cfg config.Env, coll *collector.Scraper, base prometheus.Gatherer, logger *slog.Logger) *http.ServeMux {
	handlerOpts := promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: cfg.MaxRequestsInFlight,
		Timeout:             cfg.MetricsTimeout,
	}
	mux := http.NewServeMux()
	mux.Handle(cfg.MetricsPath, coll.Handler(base, handlerOpts))
	mux.Handle(config.ProbePath, coll.ProbeHandler(handlerOpts))
	// For liveness and readiness probes: answers without fetching any page.
	mux.HandleFunc(config.HealthPath, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "Healthy\n")
	})
	if cfg.MetricsPath != "/" {
		// Bounded like the scrapes: a page of the campaign table is cheap,
		// but 64 at once are not, and one before the first scrape scrapes.
		mux.Handle("/", coll.Bounded(handlerOpts, status.NewHandler(status.Config{
			Campaigns:   coll,
			Name:        "Donation Exporter",
			Description: "Prometheus exporter for fundraising campaigns",
			Version:     version.Info(),
			MetricsPath: cfg.MetricsPath,
			ProbePath:   config.ProbePath,
			Logger:      logger,
		})))
	}
	return mux
}

func newLogger(cfg config.Env, w io.Writer) (*slog.Logger, error) {
	level := promslog.NewLevel()
	if err := level.Set(cfg.LogLevel); err != nil {
		return nil, fmt.Errorf("%sLOG_LEVEL: %w", config.Prefix, err)
	}
	format := promslog.NewFormat()
	if err := format.Set(cfg.LogFormat); err != nil {
		return nil, fmt.Errorf("%sLOG_FORMAT: %w", config.Prefix, err)
	}
	return promslog.New(&promslog.Config{Level: level, Format: format, Writer: w}), nil
}

// serveDemo serves the demo page on a loopback port until ctx ends and
// returns its URL.
func serveDemo(ctx context.Context, logger *slog.Logger) (string, error) {
	var lc net.ListenConfig
	listener, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen on loopback: %w", err)
	}
	server := &http.Server{Handler: demo.NewPage(time.Now(), nil), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := server.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("demo page server stopped", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { _ = server.Close() })
	return "http://" + listener.Addr().String() + "/donate", nil
}
