package donations

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func historyText(points []Point) string {
	var parts []string
	for _, p := range points {
		raised := "?"
		if p.Raised != nil {
			raised = fmt.Sprint(*p.Raised)
		}
		parts = append(parts, fmt.Sprintf("%s=%s/%d", p.Time.UTC().Format("01-02T15:04"), raised, p.Count))
	}
	return strings.Join(parts, " ")
}

func TestHistoryReal(t *testing.T) {
	points, err := History(realList(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "07-12T14:16=25/1 07-25T23:37=50/2 11-01T23:09=100/3 11-01T23:32=200/4 " +
		"11-02T14:26=326/5 11-02T14:50=328/6 11-02T23:14=378/7 11-02T23:31=380/8"
	if got := historyText(points); got != want {
		t.Errorf("history:\n got %s\nwant %s", got, want)
	}
}

func TestHistory(t *testing.T) {
	t0 := at("2024-11-02T10:00:00Z")
	d := func(min int, amount *float64) Donation {
		return Donation{Time: t0.Add(time.Duration(min) * time.Minute), Amount: amount}
	}
	tests := []struct {
		name    string
		list    []Donation
		want    string
		wantErr error
	}{
		{name: "donations at one instant make one point", list: []Donation{d(0, money(1)), d(5, money(2)), d(5, money(3))},
			want: "11-02T10:00=1/1 11-02T10:05=6/3"},
		{name: "a hidden amount makes raised unknown from there on, the count goes on",
			list: []Donation{d(0, money(1)), d(1, nil), d(2, money(3))},
			want: "11-02T10:00=1/1 11-02T10:01=?/2 11-02T10:02=?/3"},
		{name: "empty", list: nil, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := List{Complete: true, Total: -1}
			l.Add(tc.list)
			points, err := History(l)
			if err != nil {
				t.Fatal(err)
			}
			if got := historyText(points); got != tc.want {
				t.Errorf("history = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := History(List{}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("History of an incomplete list: err = %v, want ErrIncomplete", err)
	}
}

func TestBefore(t *testing.T) {
	t0 := at("2024-11-02T10:00:00Z")
	points := []Point{{Time: t0}, {Time: t0.Add(time.Hour)}, {Time: t0.Add(2 * time.Hour)}}
	tests := []struct {
		name       string
		cut        time.Time
		keep, left int
	}{
		{name: "after all", cut: t0.Add(3 * time.Hour), keep: 3},
		{name: "at a point: it is left out", cut: t0.Add(time.Hour), keep: 1, left: 2},
		{name: "before all", cut: t0.Add(-time.Hour), left: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kept, left := Before(points, tc.cut)
			if len(kept) != tc.keep || left != tc.left {
				t.Errorf("Before = %d kept, %d left out; want %d, %d", len(kept), left, tc.keep, tc.left)
			}
		})
	}
}
