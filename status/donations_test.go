package status

import (
	"errors"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/source"
)

// TestDonationListRow: the row says why a campaign's donation list metrics
// are absent, or that the list disagrees with the total; nothing when it
// is fine or there is none.
func TestDonationListRow(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	h := NewHandler(Config{Now: func() time.Time { return now }})
	tests := []struct {
		name string
		list *collector.DonationList
		want string
	}{
		{name: "no list", want: ""},
		{name: "a good list", list: &collector.DonationList{}, want: ""},
		{name: "a failing list", list: &collector.DonationList{Err: errors.New("HTTP status 404 Not Found")}, want: "left out: HTTP status 404 Not Found"},
		{name: "a disagreeing list", list: func() *collector.DonationList {
			d := &collector.DonationList{}
			d.Summary.Mismatch = "the list's 1 donations sum to 5.00, the platform's total is 380.00"
			return d
		}(), want: "disagrees with the total: the list's 1 donations sum to 5.00, the platform's total is 380.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := h.tableData([]collector.Result{{Campaign: &source.Campaign{Name: "c"}, Time: now, Donations: tc.list}}, now)
			if got := data.Campaigns[0].DonationList; got != tc.want {
				t.Errorf("DonationList = %q, want %q", got, tc.want)
			}
		})
	}
}
