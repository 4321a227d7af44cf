package donations

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// recentText writes a summary's windows as "1h=raised/donations/hidden".
func recentText(s Summary) string {
	var parts []string
	for _, r := range s.Recent {
		parts = append(parts, fmt.Sprintf("%s=%g/%d/%d", r.Name, r.Raised, r.Donations, r.Hidden))
	}
	return strings.Join(parts, " ")
}

func TestSummarizeReal(t *testing.T) {
	l := realList(t)
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		// 23:31:26.283 (2), 23:14:11.393 (50), 14:50:40.687 (2), 14:26:11.367 (126) on Nov 2,
		// 23:32:17.687 (100), 23:09:13.917 (50) on Nov 1, then July (25, 25): the 7d window
		// never reaches July.
		{name: "just after the last donation", now: at("2018-11-02T23:31:26.283Z"),
			want: "1h=52/2/0 24h=280/5/0 7d=330/6/0"},
		{name: "an hour and a moment later: the 1h window ends at the instant", now: at("2018-11-03T00:14:11.393Z"),
			want: "1h=2/1/0 24h=180/4/0 7d=330/6/0"},
		{name: "24h reaches back to Nov 1 23:32:17.687 exactly: left out", now: at("2018-11-02T23:32:17.687Z"),
			want: "1h=52/2/0 24h=180/4/0 7d=330/6/0"},
		{name: "a week later", now: at("2018-11-10T00:00:00Z"),
			want: "1h=0/0/0 24h=0/0/0 7d=0/0/0"},
		{name: "before the list began: a donation after now counts (clock skew)", now: at("2018-11-02T23:31:00Z"),
			want: "1h=52/2/0 24h=280/5/0 7d=330/6/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(l, tc.now, nil)
			if got := recentText(s); got != tc.want {
				t.Errorf("windows = %s, want %s", got, tc.want)
			}
			if s.Last == nil || *s.Last.Amount != 2 {
				t.Errorf("last = %+v, want the donation of 2", s.Last)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	now := at("2024-11-02T12:00:00Z")
	ago := func(d time.Duration, amount *float64) Donation { return Donation{Time: now.Add(-d), Amount: amount} }
	list := func(complete bool, total int, ds ...Donation) List {
		l := List{Complete: complete, Total: total}
		l.Add(ds)
		return l
	}
	tests := []struct {
		name     string
		list     List
		raised   *float64
		want     string
		mismatch string
		noLast   bool
	}{
		{name: "hidden amounts are counted apart, never as 0",
			list: list(true, -1, ago(time.Minute, nil), ago(2*time.Hour, money(10)), ago(3*24*time.Hour, nil)),
			want: "1h=0/1/1 24h=10/2/1 7d=10/3/2"},
		{name: "a list read back 2 hours gives the 1h window alone",
			list: list(false, -1, ago(30*time.Minute, money(5)), ago(2*time.Hour, money(7))),
			want: "1h=5/1/0"},
		{name: "a list read back 3 days gives 1h and 24h",
			list: list(false, 250, ago(30*time.Minute, money(5)), ago(72*time.Hour, money(7))),
			want: "1h=5/1/0 24h=5/1/0"},
		{name: "nothing read, not complete: no window", list: list(false, -1), want: "", noLast: true},
		{name: "an empty complete list: zero everywhere", list: list(true, 0), want: "1h=0/0/0 24h=0/0/0 7d=0/0/0", noLast: true},
		{name: "order of the pages is not trusted",
			list: list(true, -1, ago(8*24*time.Hour, money(1)), ago(time.Minute, money(2))),
			want: "1h=2/1/0 24h=2/1/0 7d=2/1/0"},
		{name: "complete and agreeing", list: list(true, 2, ago(time.Minute, money(2)), ago(time.Hour*30, money(3))),
			raised: money(5), want: "1h=2/1/0 24h=2/1/0 7d=5/2/0"},
		{name: "complete, disagreeing", list: list(true, -1, ago(time.Minute, money(2))),
			raised: money(5), want: "1h=2/1/0 24h=2/1/0 7d=2/1/0", mismatch: "the list's 1 donations sum to 2.00, the platform's total is 5.00"},
		{name: "hidden amounts may make up the difference", list: list(true, -1, ago(time.Minute, money(2)), ago(time.Minute, nil)),
			raised: money(5), want: "1h=2/2/1 24h=2/2/1 7d=2/2/1"},
		{name: "known amounts above the total", list: list(true, -1, ago(time.Minute, money(9)), ago(time.Minute, nil)),
			raised: money(5), want: "1h=9/2/1 24h=9/2/1 7d=9/2/1", mismatch: "more than the platform's total of 5.00"},
		{name: "fewer donations than the platform counts", list: list(true, 3, ago(time.Minute, money(5))),
			raised: money(5), want: "1h=5/1/0 24h=5/1/0 7d=5/1/0", mismatch: "the list holds 1 donations, the platform says it has 3"},
		{name: "a list not read whole is not checked", list: list(false, 300, ago(time.Minute, money(5)), ago(9*24*time.Hour, money(1))),
			raised: money(1000), want: "1h=5/1/0 24h=5/1/0 7d=5/1/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.list, now, tc.raised)
			if got := recentText(s); got != tc.want {
				t.Errorf("windows = %q, want %q", got, tc.want)
			}
			if (tc.mismatch == "") != (s.Mismatch == "") || !strings.Contains(s.Mismatch, tc.mismatch) {
				t.Errorf("mismatch = %q, want %q", s.Mismatch, tc.mismatch)
			}
			if (s.Last == nil) != tc.noLast {
				t.Errorf("last = %+v, want none: %v", s.Last, tc.noLast)
			}
		})
	}
}
