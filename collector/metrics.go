package collector

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/prometheus/client_golang/prometheus"
)

type descs struct {
	up, scrapeDuration, lastSuccess, info         *prometheus.Desc
	raised, target, progress                      *prometheus.Desc
	daysLeft, dailyRate, projectedTotal           *prometheus.Desc
	projectedShortfall, requiredDailyRate         *prometheus.Desc
	projectedLow, projectedHigh                   *prometheus.Desc
	startTimestamp, deadlineTimestamp, donorCount *prometheus.Desc
	campaignState                                 *prometheus.Desc
	donationDescs                                 // the donation list's (donations.go)
}

var (
	infoLabels     = []string{"campaign", "platform", "raised_basis", "donors_basis", "forecast"}
	campaignLabels = []string{"campaign"}
	moneyLabels    = []string{"campaign", "currency"}
	stateLabels    = []string{"campaign", "state"}
)

// LabelNames lists every label name a donation_* metric carries itself:
// a campaign's extra label of one of these names would make every
// descriptor invalid, so package config reserves them all.
func LabelNames() []string {
	seen := map[string]bool{}
	for _, labels := range [][]string{infoLabels, campaignLabels, moneyLabels, stateLabels, moneyWindowLabels} {
		for _, l := range labels {
			seen[l] = true
		}
	}
	names := make([]string, 0, len(seen))
	for l := range seen {
		names = append(names, l)
	}
	sort.Strings(names)
	return names
}

func newDesc(name, help string, labels []string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

// newDescs builds the descriptors; every one carries the campaigns' extra
// label names after its own labels.
func newDescs(extraLabels []string) descs {
	newDesc := func(name, help string, labels []string) *prometheus.Desc {
		return newDesc(name, help, append(slices.Clip(labels), extraLabels...))
	}
	return descs{
		up: newDesc("up",
			"1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.", campaignLabels),
		scrapeDuration: newDesc("scrape_duration_seconds",
			"Time spent fetching and reading the campaign's page in this scrape.", campaignLabels),
		lastSuccess: newDesc("last_success_timestamp_seconds",
			"When the campaign's site last gave its figures (or confirmed them unchanged with a 304), as a Unix timestamp. "+
				"Figures are served from that result while the campaign's minimum refresh interval or the site's Retry-After has not passed, so this tells their age.",
			campaignLabels),
		info: newDesc("campaign_info",
			"Always 1: what reads the campaign (platform: a preset's name, \"selectors\" or \"zero-config\") and what its figures count: "+
				"raised_basis is cumulative (raised so far), per_week, per_month or last_12_months; donors_basis is donors, donations, patrons or backers; "+
				"forecast is the pace curve of the projections (kickstarter, marathon, jinglejam, linear, or file:<name> for a curve file).",
			infoLabels),
		raised: newDesc("raised",
			"Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.", moneyLabels),
		target: newDesc("target",
			"Fundraising target, in currency units.", moneyLabels),
		progress: newDesc("progress_ratio",
			"Amount raised divided by the target.", campaignLabels),
		daysLeft: newDesc("days_left",
			"Days until the deadline, fractional, 0 once it has passed.", campaignLabels),
		dailyRate: newDesc("daily_rate",
			"Average amount raised per day since the start, in currency units.", moneyLabels),
		projectedTotal: newDesc("projected_raised",
			"Forecast of the total raised by the deadline, in currency units: raised so far divided by the share of the final total that campaigns "+
				"following donation_campaign_info's forecast curve had raised by this point (linear: the average daily rate holds). "+
				"Only while the campaign runs, with its start and deadline known.", moneyLabels),
		projectedLow: newDesc("projected_raised_low",
			"Low end of the forecast's range of the total by the deadline (about 80 % of the campaigns the curve was measured on ended inside the range), in currency units. "+
				"Absent for a curve file without range columns.", moneyLabels),
		projectedHigh: newDesc("projected_raised_high",
			"High end of the forecast's range of the total by the deadline, in currency units. Absent while the range has no upper bound "+
				"(early in a campaign, or nothing raised yet), and for a curve file without range columns.", moneyLabels),
		projectedShortfall: newDesc("projected_shortfall",
			"Target minus donation_projected_raised, 0 when the campaign is on track, in currency units.", moneyLabels),
		requiredDailyRate: newDesc("required_daily_rate",
			"Amount needed per day from now to reach the target by the deadline, in currency units.", moneyLabels),
		startTimestamp: newDesc("start_timestamp_seconds",
			"Start of the campaign, as a Unix timestamp.", campaignLabels),
		deadlineTimestamp: newDesc("deadline_timestamp_seconds",
			"Deadline of the campaign (the end of its last day), as a Unix timestamp.", campaignLabels),
		donorCount: newDesc("donors",
			"Number of donors the page shows: people, donations, patrons or backers, as donation_campaign_info's donors_basis says.", campaignLabels),
		campaignState: newDesc("campaign_state",
			"Where the campaign is in its life: one series per state (not_started, running, ended), 1 for the current one. "+
				"Once ended, daily_rate is fixed at the deadline and the projections and required_daily_rate are left out.",
			stateLabels),
		donationDescs: newDonationDescs(newDesc),
	}
}

func (d descs) all() []*prometheus.Desc {
	return append([]*prometheus.Desc{
		d.up, d.scrapeDuration, d.lastSuccess, d.info, d.raised, d.target, d.progress, d.daysLeft, d.dailyRate,
		d.projectedTotal, d.projectedLow, d.projectedHigh, d.projectedShortfall, d.requiredDailyRate,
		d.startTimestamp, d.deadlineTimestamp, d.donorCount,
		d.campaignState,
	}, d.donationDescs.all()...)
}

// Metrics returns the Collector that exposes results, built for one
// scrape.
func (c *Scraper) Metrics(results []Result) Collector {
	set := c.set.Load()
	return Collector{descs: set.descs, labelNames: set.labelNames, results: results, logger: c.cfg.Logger}
}

// Collector is a prometheus.Collector of the results of one scrape: fresh
// const metrics, so that concurrent scrapes share nothing mutable and a
// campaign gone since leaves no series behind.
type Collector struct {
	descs      descs
	labelNames []string // the extra labels, in the descs' order
	results    []Result
	logger     *slog.Logger // nil: Metrics was not used; nothing is logged
}

var _ prometheus.Collector = Collector{}

// Describe sends every metric's descriptor.
func (s Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs.all() {
		ch <- d
	}
}

// Collect sends the metrics of every result. A campaign whose series
// cannot be made (a label value that is not UTF-8, a bug) is left out
// whole and logged at error; the others are sent.
func (s Collector) Collect(ch chan<- prometheus.Metric) {
	for _, r := range s.results {
		metrics, err := s.campaignMetrics(r)
		if err != nil {
			if s.logger != nil {
				s.logger.Error("campaign left out of the metrics", "campaign", r.Campaign.Name, "err", err)
			}
			continue
		}
		for _, m := range metrics {
			ch <- m
		}
	}
}

// campaignMetrics makes one campaign's series, or says why it cannot; a
// panic is its error, so that it stays this campaign's.
func (s Collector) campaignMetrics(r Result) (metrics []prometheus.Metric, err error) {
	defer func() {
		if p := recover(); p != nil {
			metrics, err = nil, fmt.Errorf("making its series panicked (a bug: please report it): %v", p)
		}
	}()
	s.collectOne(func(m prometheus.Metric, e error) {
		if e != nil && err == nil {
			err = e
		}
		metrics = append(metrics, m)
	}, r)
	if err != nil {
		return nil, err
	}
	return metrics, nil
}

func (s Collector) collectOne(emit func(prometheus.Metric, error), r Result) {
	name := r.Campaign.Name
	extra := make([]string, len(s.labelNames))
	for i, l := range s.labelNames {
		extra[i] = r.Campaign.Labels[l] // "": no such label
	}
	gauge := func(desc *prometheus.Desc, v *float64, labels ...string) {
		if v != nil {
			emit(prometheus.NewConstMetric(desc, prometheus.GaugeValue, *v, append(labels, extra...)...))
		}
	}
	up := 1.0
	if r.Err != nil {
		up = 0
	}
	seconds := r.Duration.Seconds()
	one := 1.0
	curve := forecast.LinearName
	if r.Campaign.Curve != nil {
		curve = r.Campaign.Curve.Name
	}
	gauge(s.descs.info, &one, name, r.Campaign.Platform, r.Campaign.RaisedBasis, r.Campaign.DonorsBasis, curve)
	gauge(s.descs.up, &up, name)
	gauge(s.descs.scrapeDuration, &seconds, name)
	if !r.LastSuccess.IsZero() {
		ts := float64(r.LastSuccess.UnixNano()) / 1e9
		gauge(s.descs.lastSuccess, &ts, name)
	}
	if r.Err != nil {
		return
	}

	v, p := r.Values, r.Projection
	currency := v.Currency
	gauge(s.descs.raised, v.Raised, name, currency)
	gauge(s.descs.target, v.Target, name, currency)
	gauge(s.descs.progress, p.ProgressRatio, name)
	gauge(s.descs.daysLeft, p.DaysLeft, name)
	gauge(s.descs.dailyRate, p.DailyRate, name, currency)
	gauge(s.descs.projectedTotal, p.ProjectedTotal, name, currency)
	gauge(s.descs.projectedLow, p.ProjectedLow, name, currency)
	gauge(s.descs.projectedHigh, p.ProjectedHigh, name, currency)
	gauge(s.descs.projectedShortfall, p.ProjectedShortfall, name, currency)
	gauge(s.descs.requiredDailyRate, p.RequiredDailyRate, name, currency)
	gauge(s.descs.donorCount, v.Donors, name)
	if v.Start != nil {
		ts := read.UnixSeconds(*v.Start) // UnixNano overflows after 2262
		gauge(s.descs.startTimestamp, &ts, name)
	}
	if v.Deadline != nil {
		ts := read.UnixSeconds(*v.Deadline)
		gauge(s.descs.deadlineTimestamp, &ts, name)
	}
	for _, state := range forecast.States {
		current := 0.0
		if p.State == state {
			current = 1
		}
		gauge(s.descs.campaignState, &current, name, string(state))
	}
	s.collectDonations(gauge, r)
}
