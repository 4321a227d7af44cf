package collector

import (
	"context"
	"log/slog"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// DonationList is what a campaign's donation list gave one scrape.
type DonationList struct {
	// Summary is the last donation and the windows the list covers, at
	// the scrape's time.
	Summary donations.Summary
	// Err is why there is no list: its metrics are left out, the
	// campaign's main figures stay.
	Err error
	// Refresh, when not nil, is why the list is an older one.
	Refresh error
}

var windowLabels = []string{"campaign", "window"}

var moneyWindowLabels = []string{"campaign", "currency", "window"}

// The donation list's metrics' HELP (metricSpecs).
const (
	helpLastDonationTimestamp = "When the newest donation of the campaign's donation list was made, as a Unix timestamp. Only for platforms that publish a list."
	helpLastDonationAmount    = "Amount of the newest donation of the campaign's donation list, in currency units. Absent when its donor hid the amount."
	helpRecentRaised          = "Sum of the amounts known of the donations in the last window (1h, 24h, 7d), from the campaign's donation list, in currency units. " +
		"Donations whose donor hid the amount are left out of the sum and counted in donation_recent_donations_hidden_amount. " +
		"Absent for a window the list was not read back over."
	helpRecentHidden = "Number of donations in the last window (1h, 24h, 7d) whose donor hid the amount: donation_recent_raised leaves them out."
)

// startDonations starts reading the campaign's donation list beside the
// fetch of its figures, so that a scrape waits for the slower of the two,
// not for both one after the other; the function returned gives its
// outcome.
func startDonations(ctx context.Context, poller *source.Poller) func() (source.DonationsOutcome, bool) {
	if !poller.HasDonations() {
		return func() (source.DonationsOutcome, bool) { return source.DonationsOutcome{}, false }
	}
	type outcome struct {
		out source.DonationsOutcome
		ok  bool
	}
	ch := make(chan outcome, 1)
	go func() {
		out, ok := poller.Donations(ctx)
		ch <- outcome{out, ok}
	}()
	return func() (source.DonationsOutcome, bool) {
		o := <-ch
		return o.out, o.ok
	}
}

// addDonations adds the campaign's donation list to a result whose main
// figures were read (get, from startDonations, gives it). The list's
// failure leaves r's figures alone; it is logged once, at warning.
func (c *Scraper) addDonations(r *Result, poller *source.Poller, get func() (source.DonationsOutcome, bool)) {
	out, ok := get()
	if !ok {
		return
	}
	log := func(level slog.Level, msg string, args ...any) {
		c.logCampaign(level, r.Campaign.Name, r.Campaign.Donations.URL, msg, args...)
	}
	level := slog.LevelDebug
	if out.News {
		level = slog.LevelWarn
	}
	switch {
	case out.Err != nil:
		// Logged even when the figures failed too: the failure is news
		// once only.
		log(level, "donation list left out: its metrics are absent", "err", out.Err)
		if r.Err == nil {
			r.Donations = &DonationList{Err: out.Err}
		}
		return
	case r.Err != nil:
		return
	case out.Refresh != nil:
		log(level, "donation list not refreshed: serving the one read before", "read_at", out.At, "err", out.Refresh)
	case out.News:
		log(slog.LevelInfo, "donation list read again")
	}
	var raised *float64
	if r.Campaign.RaisedBasis == "cumulative" {
		raised = r.Values.Raised
	}
	summary := donations.Summarize(out.List, r.Time, raised)
	if poller.MismatchNews(summary.Mismatch) {
		log(slog.LevelWarn, "donation list disagrees with the platform's total", "mismatch", summary.Mismatch)
	}
	r.Donations = &DonationList{Summary: summary, Refresh: out.Refresh}
}

// donationSeries adds the donation list's series of a result, in
// metricID order (seriesOf).
func donationSeries(r *Result, add func(id metricID, v float64, labels ...string)) {
	if r.Donations == nil || r.Donations.Err != nil {
		return
	}
	name, currency, sum := r.Campaign.Name, r.Values.Currency, r.Donations.Summary
	if sum.Last != nil {
		add(mLastDonationTimestamp, read.UnixSeconds(sum.Last.Time), name)
		if sum.Last.Amount != nil {
			add(mLastDonationAmount, *sum.Last.Amount, name, currency)
		}
	}
	for _, w := range sum.Recent {
		add(mRecentRaised, w.Raised, name, currency, w.Name)
	}
	for _, w := range sum.Recent {
		add(mRecentHidden, float64(w.Hidden), name, w.Name)
	}
}
