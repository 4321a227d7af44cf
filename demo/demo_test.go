package demo

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/source"
)

func TestDemoCampaignReadsItsOwnPage(t *testing.T) {
	launched := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		after  time.Duration
		raised float64
		donors float64
	}{
		{name: "at launch", after: 0, raised: 200_000, donors: 3_100},
		{name: "half a day later", after: 12 * time.Hour, raised: 202_160, donors: 3_136},
		{name: "a day later", after: 24 * time.Hour, raised: 204_320, donors: 3_172},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := launched.Add(tc.after)
			srv := httptest.NewServer(NewPage(launched, func() time.Time { return now }))
			defer srv.Close()

			c := Campaign(srv.URL + "/donate")
			v, _, err := source.Scrape(context.Background(), fetch.NewFetcher(fetch.FetcherConfig{}), c, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if v.Raised == nil || *v.Raised != tc.raised {
				t.Errorf("raised = %v, want %v", v.Raised, tc.raised)
			}
			if v.Donors == nil || *v.Donors != tc.donors {
				t.Errorf("donors = %v, want %v", v.Donors, tc.donors)
			}
			if v.Target == nil || *v.Target != 1_000_000 || v.Currency != "USD" {
				t.Errorf("target = %v %q, want 1000000 USD", v.Target, v.Currency)
			}
			wantStart := launched.Add(-75 * 24 * time.Hour)
			if v.Start == nil || !v.Start.Equal(wantStart) {
				t.Errorf("start = %v, want %v", v.Start, wantStart)
			}
			// The deadline is a bare date 37 days after launch, read as
			// the end of that day.
			wantDeadline := time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)
			if v.Deadline == nil || !v.Deadline.Equal(wantDeadline) {
				t.Errorf("deadline = %v, want %v", v.Deadline, wantDeadline)
			}
		})
	}
}
