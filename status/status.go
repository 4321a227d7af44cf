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
	"strconv"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/donation-exporter/donation_exporter/collector"
)

// Campaigns is what the page shows: the campaigns as Prometheus last
// scraped them (collector.Scraper is one).
type Campaigns interface {
	// LastResultsOf returns the latest results of the configured
	// campaigns from index from up to to (not included), how many
	// campaigns are configured, and when the latest scrape ended.
	LastResultsOf(from, to int) ([]collector.Result, int, time.Time)
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

// PageSize is how many campaigns one status page shows: with thousands
// of campaigns, a page of them all was megabytes per request, and the
// results it copied most of the exporter's memory under concurrent pages.
const PageSize = 100

// ServeHTTP shows the latest scrape's results, PageSize campaigns a page
// (?page=N, from 1); before Prometheus' first scrape it scrapes once
// itself (a scrape shared with any other in flight).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	number := 1
	if p := r.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			http.Error(w, fmt.Sprintf("page %q: want a page number from 1", p), http.StatusBadRequest)
			return
		}
		number = n
	}
	from := (number - 1) * PageSize
	results, total, at := h.cfg.Campaigns.LastResultsOf(from, from+PageSize)
	if at.IsZero() {
		h.cfg.Campaigns.Scrape(r.Context())
		results, total, at = h.cfg.Campaigns.LastResultsOf(from, from+PageSize)
	}
	if last := max(1, (total+PageSize-1)/PageSize); number > last {
		http.Error(w, fmt.Sprintf("page %d: there are %d (%d campaigns, %d a page)", number, last, total, PageSize), http.StatusNotFound)
		return
	}
	page, err := h.page(results, at, pageOf(number, total))
	if err != nil {
		h.cfg.Logger.Error("cannot render the status page", "err", err)
		http.Error(w, "cannot render the status page", http.StatusInternalServerError)
		return
	}
	page.ServeHTTP(w, r)
}

// page renders the campaign table with html/template, which escapes what
// pages and configuration put in it, and sets it in the landing page.
func (h *Handler) page(results []collector.Result, at time.Time, p pager) (*web.LandingPageHandler, error) {
	var table bytes.Buffer
	data := h.tableData(results, at)
	data.Pager = p
	if err := campaigns.Execute(&table, data); err != nil {
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
	Pager     pager
}

// pager says where a page is in the list of campaigns.
type pager struct {
	// First and Last are the positions (from 1) of the page's first and
	// last campaign among Total; Prev and Next the neighbour pages' numbers,
	// 0 where there is none.
	First, Last, Total, Prev, Next int
}

// Many is whether the campaigns take more than one page.
func (p pager) Many() bool { return p.Total > PageSize }

func pageOf(number, total int) pager {
	p := pager{First: (number-1)*PageSize + 1, Last: min(number*PageSize, total), Total: total}
	if number > 1 {
		p.Prev = number - 1
	}
	if p.Last < total {
		p.Next = number + 1
	}
	return p
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
		data.Campaigns = append(data.Campaigns, newRow(r, now, en))
	}
	return data
}

// newRow formats one campaign's result for the table.
func newRow(r collector.Result, now time.Time, en *message.Printer) campaignRow {
	row := campaignRow{
		Name:         r.Campaign.Name,
		URL:          r.Campaign.URL,
		Err:          r.Err,
		Ago:          ago(now, r.Time),
		Duration:     r.Duration.Round(time.Millisecond).String(),
		DonationList: donationListProblem(r.Donations),
	}
	v, p := r.Values, r.Projection
	money := func(f *float64) string { return formatMoney(en, f, v.Currency) }
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
	return row
}

// donationListProblem says what is wrong with a campaign's donation list:
// why its metrics are absent, or how it disagrees with the total; "" when
// nothing is, or the campaign has no list.
func donationListProblem(d *collector.DonationList) string {
	switch {
	case d == nil:
		return ""
	case d.Err != nil:
		return "left out: " + d.Err.Error()
	case d.Summary.Mismatch != "":
		return "disagrees with the total: " + d.Summary.Mismatch
	}
	return ""
}

// formatMoney writes an amount for people: whole amounts without
// decimals, thousands grouped, with the currency when it is known; ""
// for an unknown one (nil).
func formatMoney(en *message.Printer, f *float64, currency string) string {
	if f == nil {
		return ""
	}
	s := en.Sprintf("%.2f", *f)
	if *f == math.Trunc(*f) {
		s = en.Sprintf("%.0f", *f)
	}
	if currency != "" {
		s += " " + currency
	}
	return s
}

// ago says how long before now t was, to the second.
func ago(now, t time.Time) string {
	return now.Sub(t).Truncate(time.Second).String()
}
