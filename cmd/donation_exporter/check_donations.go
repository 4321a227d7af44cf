package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// checkDonations is what check read of a campaign's donation list.
type checkDonations struct {
	URL     string
	List    donations.List
	Summary donations.Summary
	Err     error
}

// checkDonationList reads the campaign's donation list as a scrape does
// (back a week), or returns nil when it has none.
func checkDonationList(ctx context.Context, f *fetch.Fetcher, c source.Campaign, v read.Values, now time.Time) *checkDonations {
	if c.Donations == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(c.Timeout, source.DefaultTimeout))
	defer cancel()
	out := &checkDonations{URL: c.Donations.URL}
	out.List, out.Err = source.FetchDonations(ctx, f, *c.Donations, c.InsecureSkipVerify, now.Add(-donations.Longest()), source.ScrapeListPages, 0)
	if out.Err == nil {
		var raised *float64
		if c.RaisedBasis == "cumulative" {
			raised = v.Raised
		}
		out.Summary = donations.Summarize(out.List, now, raised)
	}
	return out
}

// writeDonationList writes what the list gave: its metrics' values, or why
// they are left out. A list's failure is not the campaign's.
func writeDonationList(w io.Writer, d *checkDonations) {
	if d == nil {
		return
	}
	fmt.Fprintf(w, "\n  donation list:\t%s\n", d.URL)
	if d.Err != nil {
		fmt.Fprintf(w, "  LEFT OUT: %v (the donation list's metrics are absent; the campaign's figures are not affected)\n", d.Err)
		return
	}
	read := fmt.Sprintf("%d donations read", len(d.List.Donations))
	switch {
	case d.List.Complete:
		read += ", the whole list"
	case len(d.List.Donations) > 0:
		read += ", back to " + d.List.Donations[len(d.List.Donations)-1].Time.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "  read:\t%s\n", read)
	if last := d.Summary.Last; last != nil {
		amount := "hidden by the donor"
		if last.Amount != nil {
			amount = strconv.FormatFloat(*last.Amount, 'f', -1, 64)
		}
		fmt.Fprintf(w, "  last donation:\t%s, %s\n", last.Time.UTC().Format(time.RFC3339), amount)
	}
	var windows []string
	for _, r := range d.Summary.Recent {
		text := fmt.Sprintf("%s %s (%d donations", r.Name, strconv.FormatFloat(r.Raised, 'f', -1, 64), r.Donations)
		if r.Hidden > 0 {
			text += fmt.Sprintf(", %d of them hidden, not counted", r.Hidden)
		}
		windows = append(windows, text+")")
	}
	if len(windows) > 0 {
		fmt.Fprintf(w, "  recent:\t%s\n", strings.Join(windows, "; "))
	}
	if d.Summary.Mismatch != "" {
		fmt.Fprintf(w, "  NOTE: the donation list disagrees with the platform's total: %s\n", d.Summary.Mismatch)
	}
}
