package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/source"
)

// reloader reloads the campaigns, on SIGHUP and POST /-/reload, as
// blackbox_exporter does: the campaigns of the variables and of
// DONATION_CONFIG_FILE are built again; when they are good they replace
// the running ones (campaigns whose definition did not change keep their
// pollers); when not, the running ones stay and the error is logged and
// answered. Every other setting needs a restart.
type reloader struct {
	env     config.Env
	presets *preset.Registry
	coll    *collector.Scraper
	extra   []source.Campaign // the demo campaign, kept across reloads
	logger  *slog.Logger
	now     func() time.Time

	mu        sync.Mutex
	succeeded bool      // the last reload's outcome (true at start)
	successAt time.Time // when the configuration was last loaded
}

var _ prometheus.Collector = (*reloader)(nil)

var (
	reloadSuccessfulDesc = prometheus.NewDesc("donation_exporter_config_last_reload_successful",
		"1 when the last reload of the campaigns succeeded (or none was asked for), 0 when it failed and the previous campaigns are still watched.", nil, nil)
	reloadSuccessTimeDesc = prometheus.NewDesc("donation_exporter_config_last_reload_success_timestamp_seconds",
		"When the campaigns were last loaded successfully, at start or by a reload, as a Unix timestamp.", nil, nil)
)

func newReloader(cfg config.Config, coll *collector.Scraper, extra []source.Campaign, logger *slog.Logger) *reloader {
	return &reloader{env: cfg.Env, presets: cfg.Presets, coll: coll, extra: extra, logger: logger, now: time.Now,
		succeeded: true, successAt: time.Now()}
}

// reload builds the campaigns again and, when they are good, watches them.
func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	begin := r.now()
	campaigns, err := r.env.LoadCampaigns(r.presets, r.coll.Campaigns()...)
	campaigns = append(campaigns, r.extra...)
	if err == nil && len(campaigns) == 0 {
		err = errors.New("no campaign configured")
	}
	if err != nil {
		r.succeeded = false
		r.logger.Error("reload failed: still watching the previous campaigns", "err", err)
		return err
	}
	for _, c := range campaigns {
		if c.InsecureSkipVerify {
			r.logger.Warn("TLS certificate verification is off for this campaign", "campaign", c.Name, "url", c.FetchURL)
		}
	}
	stats := r.coll.Reload(campaigns)
	releaseLoadGarbage()
	r.succeeded, r.successAt = true, r.now()
	r.logger.Info("campaigns reloaded", "campaigns", len(campaigns), "unchanged", stats.Kept,
		"new_or_changed", stats.New, "removed", stats.Removed, "duration", r.now().Sub(begin))
	return nil
}

// Describe implements prometheus.Collector.
func (r *reloader) Describe(ch chan<- *prometheus.Desc) {
	ch <- reloadSuccessfulDesc
	ch <- reloadSuccessTimeDesc
}

// Collect implements prometheus.Collector.
func (r *reloader) Collect(ch chan<- prometheus.Metric) {
	r.mu.Lock()
	succeeded, at := 0.0, r.successAt
	if r.succeeded {
		succeeded = 1
	}
	r.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(reloadSuccessfulDesc, prometheus.GaugeValue, succeeded)
	ch <- prometheus.MustNewConstMetric(reloadSuccessTimeDesc, prometheus.GaugeValue, float64(at.UnixNano())/1e9)
}

// handler serves POST /-/reload: 200 once reloaded, 500 with the reason
// when the new configuration is refused; other methods get 405.
func (r *reloader) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "reload with POST", http.StatusMethodNotAllowed)
			return
		}
		if err := r.reload(); err != nil {
			http.Error(w, fmt.Sprintf("failed to reload config: %v", err), http.StatusInternalServerError)
			return
		}
		_, _ = fmt.Fprintln(w, "reloaded")
	})
}

// watchSignals reloads on every SIGHUP until ctx ends (SIGHUP would
// otherwise end the process).
func (r *reloader) watchSignals(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				_ = r.reload() // logged by reload
			}
		}
	}()
}

// handleCampaigns adds the routes of the campaigns' life cycle: reload and
// service discovery, whose targets are sdTarget.
func handleCampaigns(mux *http.ServeMux, coll *collector.Scraper, r *reloader, sdTarget string) {
	mux.Handle(config.ReloadPath, r.handler())
	mux.Handle(config.SDPath, coll.SDHandler(sdTarget))
}

// releaseLoadGarbage returns the memory of a configuration load to the
// system at once. Building 10,000 campaigns from a file allocates about
// 150 MB that is garbage as soon as they are built (YAML nodes, selector
// compilation) for about 40 MB kept; without this the process holds the
// peak until the runtime's scavenger slowly gives it back, and an idle
// exporter looks twice its size. It runs once per start or reload.
func releaseLoadGarbage() { debug.FreeOSMemory() }
