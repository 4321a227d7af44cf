// Package status serves the exporter's page for people: the exporter-toolkit
// landing page (links to the metrics, a form to probe one campaign) with a
// table of the campaigns as Prometheus last scraped them.
package status

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"github.com/donation-exporter/donation_exporter/forecast"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/donation-exporter/donation_exporter/collector"
)

// Campaigns is what the page shows: the campaigns as Prometheus last
// scraped them (collector.Scraper is one).
type Campaigns interface {
	// LastResults returns each campaign's latest result and when the
	// latest scrape ended.
	LastResults() ([]collector.Result, time.Time)
	// Scrape scrapes every campaign, for a page asked for before
	// Prometheus' first scrape.
	Scrape(ctx context.Context) []collector.Result
}

// Config is what the status page needs.
type Config struct {
	Campaigns Campaigns
	// Name, Description and Version head the page.
	Name, Description, Version string
	// MetricsPath is linked from the page.
	MetricsPath string
	// ProbePath, when set, gets a form to probe one campaign.
	ProbePath string
	Logger    *slog.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

//go:embed campaigns.html.tmpl
var campaignsTemplate string

var campaigns = template.Must(template.New("campaigns").Parse(campaignsTemplate))

const extraCSS = `
#campaigns table { border-collapse: collapse; margin-top: .5rem; }
#campaigns th, #campaigns td { border-bottom: 1px solid #ddd; padding: .4rem .8rem; text-align: left; vertical-align: top; }
#campaigns th { background: #f4f4f4; }
#campaigns td.name, #campaigns .raised, #campaigns .target, #campaigns .percent, #campaigns td.shortfall { white-space: nowrap; }
#campaigns progress { width: 12rem; height: 1rem; vertical-align: middle; }
#campaigns .failed .scrape strong, #campaigns .short { color: #b00020; }
#campaigns .ended { font-weight: bold; }
#campaigns .error { font-family: monospace; white-space: pre-wrap; word-break: break-word; }
#campaigns .note, #campaigns small { color: #666; }
`

// Handler serves the status page at "/".
type Handler struct {
	cfg Config
}

// NewHandler returns the status page handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// ServeHTTP shows the latest scrape's results; before Prometheus' first
// scrape it scrapes once itself.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	results, at := h.cfg.Campaigns.LastResults()
	if len(results) == 0 {
		h.cfg.Campaigns.Scrape(r.Context())
		results, at = h.cfg.Campaigns.LastResults()
	}
	page, err := h.page(results, at)
	if err != nil {
		h.cfg.Logger.Error("cannot render the status page", "err", err)
		http.Error(w, "cannot render the status page", http.StatusInternalServerError)
		return
	}
	page.ServeHTTP(w, r)
}

// page renders the campaign table with html/template, which escapes what
// pages and configuration put in it, and sets it in the landing page.
func (h *Handler) page(results []collector.Result, at time.Time) (*web.LandingPageHandler, error) {
	var table bytes.Buffer
	if err := campaigns.Execute(&table, h.tableData(results, at)); err != nil {
		return nil, fmt.Errorf("campaign table: %w", err)
	}
	landing := web.LandingConfig{
		Name:        h.cfg.Name,
		Description: h.cfg.Description,
		Version:     h.cfg.Version,
		Links:       []web.LandingLinks{{Address: h.cfg.MetricsPath, Text: "Metrics", Description: "every campaign, as Prometheus scrapes them"}},
		ExtraHTML:   table.String(),
		ExtraCSS:    extraCSS,
		Profiling:   "false",
	}
	if h.cfg.ProbePath != "" {
		landing.Form = web.LandingForm{
			Action: h.cfg.ProbePath,
			Inputs: []web.LandingFormInput{{Label: "Campaign", Type: "text", Name: "campaign", Placeholder: "a configured campaign name"}},
		}
	}
	page, err := web.NewLandingPage(landing)
	if err != nil {
		return nil, fmt.Errorf("landing page: %w", err)
	}
	return page, nil
}

type tableData struct {
	Ago, At   string
	Campaigns []campaignRow
}

// campaignRow is one campaign, its figures formatted for people. An empty
// string is a figure that is unknown.
type campaignRow struct {
	Name, URL           string
	Raised, Target      string
	HasRatio            bool
	Ratio               float64
	Percent             string
	DaysLeft, Shortfall string
	// Projected, Range and Curve are the forecast: the central total, its
	// low–high range and the pace curve that made them.
	Projected, Range, Curve string
	Short                   bool
	// State is the campaign's life state (collector.State); Ended and
	// NotStarted pick what the row says instead of days left.
	State             string
	Ended, NotStarted bool
	Deadline          string
	Err               error
	Ago, Duration     string
	// DonationList says what is wrong with the campaign's donation list:
	// why its metrics are absent, or how it disagrees with the total.
	DonationList string
}

func (h *Handler) tableData(results []collector.Result, at time.Time) tableData {
	now := h.cfg.Now()
	en := message.NewPrinter(language.English)
	data := tableData{Ago: ago(now, at), At: at.UTC().Format(time.RFC3339)}
	for _, r := range results {
		row := campaignRow{
			Name:     r.Campaign.Name,
			URL:      r.Campaign.URL,
			Err:      r.Err,
			Ago:      ago(now, r.Time),
			Duration: r.Duration.Round(time.Millisecond).String(),
		}
		if d := r.Donations; d != nil {
			switch {
			case d.Err != nil:
				row.DonationList = "left out: " + d.Err.Error()
			case d.Summary.Mismatch != "":
				row.DonationList = "disagrees with the total: " + d.Summary.Mismatch
			}
		}
		v, p := r.Values, r.Projection
		money := func(f *float64) string {
			if f == nil {
				return ""
			}
			s := en.Sprintf("%.2f", *f)
			if *f == math.Trunc(*f) {
				s = en.Sprintf("%.0f", *f)
			}
			if v.Currency != "" {
				s += " " + v.Currency
			}
			return s
		}
		row.Raised, row.Target = money(v.Raised), money(v.Target)
		if p.ProgressRatio != nil {
			row.HasRatio, row.Ratio = true, math.Min(*p.ProgressRatio, 1)
			row.Percent = en.Sprintf("%.1f%%", 100**p.ProgressRatio)
		}
		if p.DaysLeft != nil {
			row.DaysLeft = en.Sprintf("%.1f", *p.DaysLeft)
		}
		row.Shortfall = money(p.ProjectedShortfall)
		row.Short = p.ProjectedShortfall != nil && *p.ProjectedShortfall > 0
		row.Projected = money(p.ProjectedTotal)
		switch {
		case p.ProjectedLow != nil && p.ProjectedHigh != nil:
			row.Range = money(p.ProjectedLow) + " to " + money(p.ProjectedHigh)
		case p.ProjectedLow != nil:
			row.Range = money(p.ProjectedLow) + " or more"
		}
		if p.ProjectedTotal != nil {
			row.Curve = p.Curve
		}
		if r.Err == nil {
			row.State = string(p.State)
			row.Ended = p.State == forecast.StateEnded
			row.NotStarted = p.State == forecast.StateNotStarted
		}
		if v.Deadline != nil {
			// The last day, as people write it: a deadline is the end of its day.
			row.Deadline = v.Deadline.Add(-time.Nanosecond).In(v.Deadline.Location()).Format("2006-01-02")
		}
		data.Campaigns = append(data.Campaigns, row)
	}
	return data
}

// ago says how long before now t was, to the second.
func ago(now, t time.Time) string {
	return now.Sub(t).Truncate(time.Second).String()
}
