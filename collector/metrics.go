package collector

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
	"github.com/prometheus/client_golang/prometheus"
)

// metricID names one donation_* metric: an index into metricSpecs.
type metricID int

const (
	mUp metricID = iota
	mScrapeDuration
	mLastSuccess
	mInfo
	mRaised
	mTarget
	mProgress
	mDaysLeft
	mDailyRate
	mProjectedTotal
	mProjectedLow
	mProjectedHigh
	mProjectedShortfall
	mRequiredDailyRate
	mStartTimestamp
	mDeadlineTimestamp
	mDonorCount
	mCampaignState
	// The donation list's (donations.go).
	mLastDonationTimestamp
	mLastDonationAmount
	mRecentRaised
	mRecentHidden
	numMetrics
)

// metricSpec is a metric's name (without the namespace), HELP and own
// label names; the campaigns' extra label names follow the own ones.
type metricSpec struct {
	name, help string
	labels     []string
}

var (
	infoLabels     = []string{"campaign", "platform", "raised_basis", "donors_basis", "forecast"}
	campaignLabels = []string{"campaign"}
	moneyLabels    = []string{"campaign", "currency"}
	stateLabels    = []string{"campaign", "state"}
)

// metricSpecs describes every donation_* metric, once for both ways of
// answering: the Collector's descriptors and the exposition's families.
var metricSpecs = [numMetrics]metricSpec{
	mUp: {"up",
		"1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.", campaignLabels},
	mScrapeDuration: {"scrape_duration_seconds",
		"Time spent fetching and reading the campaign's page in this scrape.", campaignLabels},
	mLastSuccess: {"last_success_timestamp_seconds",
		"When the campaign's site last gave its figures (or confirmed them unchanged with a 304), as a Unix timestamp. " +
			"Figures are served from that result while the campaign's minimum refresh interval or the site's Retry-After has not passed, so this tells their age.",
		campaignLabels},
	mInfo: {"campaign_info",
		"Always 1: what reads the campaign (platform: a preset's name, \"selectors\" or \"zero-config\") and what its figures count: " +
			"raised_basis is cumulative (raised so far), per_week, per_month or last_12_months; donors_basis is donors, donations, patrons or backers; " +
			"forecast is the pace curve of the projections (kickstarter, marathon, jinglejam, linear, or file:<name> for a curve file).",
		infoLabels},
	mRaised: {"raised",
		"Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.", moneyLabels},
	mTarget: {"target",
		"Fundraising target, in currency units.", moneyLabels},
	mProgress: {"progress_ratio",
		"Amount raised divided by the target.", campaignLabels},
	mDaysLeft: {"days_left",
		"Days until the deadline, fractional, 0 once it has passed.", campaignLabels},
	mDailyRate: {"daily_rate",
		"Average amount raised per day since the start, in currency units.", moneyLabels},
	mProjectedTotal: {"projected_raised",
		"Forecast of the total raised by the deadline, in currency units: raised so far divided by the share of the final total that campaigns " +
			"following donation_campaign_info's forecast curve had raised by this point (linear: the average daily rate holds). " +
			"Only while the campaign runs, with its start and deadline known.", moneyLabels},
	mProjectedLow: {"projected_raised_low",
		"Low end of the forecast's range of the total by the deadline (about 80 % of the campaigns the curve was measured on ended inside the range), in currency units. " +
			"Absent for a curve file without range columns.", moneyLabels},
	mProjectedHigh: {"projected_raised_high",
		"High end of the forecast's range of the total by the deadline, in currency units. Absent while the range has no upper bound " +
			"(early in a campaign, or nothing raised yet), and for a curve file without range columns.", moneyLabels},
	mProjectedShortfall: {"projected_shortfall",
		"Target minus donation_projected_raised, 0 when the campaign is on track, in currency units.", moneyLabels},
	mRequiredDailyRate: {"required_daily_rate",
		"Amount needed per day from now to reach the target by the deadline, in currency units.", moneyLabels},
	mStartTimestamp: {"start_timestamp_seconds",
		"Start of the campaign, as a Unix timestamp.", campaignLabels},
	mDeadlineTimestamp: {"deadline_timestamp_seconds",
		"Deadline of the campaign (the end of its last day), as a Unix timestamp.", campaignLabels},
	mDonorCount: {"donors",
		"Number of donors the page shows: people, donations, patrons or backers, as donation_campaign_info's donors_basis says.", campaignLabels},
	mCampaignState: {"campaign_state",
		"Where the campaign is in its life: one series per state (not_started, running, ended), 1 for the current one. " +
			"Once ended, daily_rate is fixed at the deadline and the projections and required_daily_rate are left out.",
		stateLabels},
	mLastDonationTimestamp: {"last_donation_timestamp_seconds", helpLastDonationTimestamp, campaignLabels},
	mLastDonationAmount:    {"last_donation_amount", helpLastDonationAmount, moneyLabels},
	mRecentRaised:          {"recent_raised", helpRecentRaised, moneyWindowLabels},
	mRecentHidden:          {"recent_donations_hidden_amount", helpRecentHidden, windowLabels},
}

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

// descs are the Collector's descriptors, by metricID.
type descs [numMetrics]*prometheus.Desc

// newDescs builds the descriptors; every one carries the campaigns' extra
// label names after its own labels.
func newDescs(extraLabels []string) descs {
	var d descs
	for id, spec := range metricSpecs {
		d[id] = prometheus.NewDesc(prometheus.BuildFQName(namespace, "", spec.name), spec.help,
			append(slices.Clip(spec.labels), extraLabels...), nil)
	}
	return d
}

// series is one sample of a campaign: its metric, value and own label
// values (the extra ones are the campaign's, the same for all).
type series struct {
	id    metricID
	value float64
	own   [5]string
	n     int // own label values used
}

func (s *series) labels() []string { return s.own[:s.n] }

// maxSeries bounds the series of one campaign: one per metric, one more
// per state beyond the first, and per window beyond the first of the two
// windowed metrics.
const maxSeries = int(numMetrics) + 2 + 2*2

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
	for _, d := range s.descs {
		ch <- d
	}
}

// Collect sends the metrics of every result. A campaign whose series
// cannot be made (a label value that is not UTF-8, a bug) is left out
// whole and logged at error; the others are sent.
func (s Collector) Collect(ch chan<- prometheus.Metric) {
	buf := make([]series, 0, maxSeries)
	for _, r := range s.results {
		metrics, err := s.campaignMetrics(r, buf)
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
func (s Collector) campaignMetrics(r Result, buf []series) (metrics []prometheus.Metric, err error) {
	defer func() {
		if p := recover(); p != nil {
			metrics, err = nil, fmt.Errorf("making its series panicked (a bug: please report it): %v", p)
		}
	}()
	extra := extraValues(r.Campaign, s.labelNames)
	for _, one := range seriesOf(&r, buf[:0], numMetrics) {
		m, err := prometheus.NewConstMetric(s.descs[one.id], prometheus.GaugeValue, one.value, append(one.labels(), extra...)...)
		if err != nil {
			return nil, err
		}
		metrics = append(metrics, m)
	}
	return metrics, nil
}

// extraValues are campaign's values of the extra label names, "" where it
// has no such label.
func extraValues(campaign *source.Campaign, names []string) []string {
	extra := make([]string, len(names))
	for i, l := range names {
		extra[i] = campaign.Labels[l]
	}
	return extra
}

// seriesOf appends the series of one result to buf, in metricID order:
// what the result knows, nothing for a figure it does not; only those of
// metric only unless that is numMetrics.
func seriesOf(r *Result, buf []series, only metricID) []series {
	name := r.Campaign.Name
	add := func(id metricID, v float64, labels ...string) {
		if only != numMetrics && id != only {
			return
		}
		s := series{id: id, value: v, n: len(labels)}
		copy(s.own[:], labels)
		buf = append(buf, s)
	}
	gauge := func(id metricID, v *float64, labels ...string) {
		if v != nil {
			add(id, *v, labels...)
		}
	}
	add(mInfo, 1, name, r.Campaign.Platform, r.Campaign.RaisedBasis, r.Campaign.DonorsBasis, r.Campaign.Curve.OrLinear().Name)
	add(mUp, oneIf(r.Err == nil), name)
	add(mScrapeDuration, r.Duration.Seconds(), name)
	if !r.LastSuccess.IsZero() {
		add(mLastSuccess, float64(r.LastSuccess.UnixNano())/1e9, name)
	}
	if r.Err != nil {
		return buf
	}

	v, p := r.Values, r.Projection
	currency := v.Currency
	gauge(mRaised, v.Raised, name, currency)
	gauge(mTarget, v.Target, name, currency)
	gauge(mProgress, p.ProgressRatio, name)
	gauge(mDaysLeft, p.DaysLeft, name)
	gauge(mDailyRate, p.DailyRate, name, currency)
	gauge(mProjectedTotal, p.ProjectedTotal, name, currency)
	gauge(mProjectedLow, p.ProjectedLow, name, currency)
	gauge(mProjectedHigh, p.ProjectedHigh, name, currency)
	gauge(mProjectedShortfall, p.ProjectedShortfall, name, currency)
	gauge(mRequiredDailyRate, p.RequiredDailyRate, name, currency)
	gauge(mDonorCount, v.Donors, name)
	if v.Start != nil {
		add(mStartTimestamp, read.UnixSeconds(*v.Start), name) // UnixNano overflows after 2262
	}
	if v.Deadline != nil {
		add(mDeadlineTimestamp, read.UnixSeconds(*v.Deadline), name)
	}
	for _, state := range forecast.States {
		add(mCampaignState, oneIf(p.State == state), name, string(state))
	}
	donationSeries(r, add)
	return buf
}

// oneIf is a gauge's 1 for true, 0 for false.
func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
