package collector

import (
	"math"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/source"
)

func TestProject(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	daysFromNow := func(d float64) *time.Time {
		t := now.Add(time.Duration(d * float64(day)))
		return &t
	}
	f := ptr
	tests := []struct {
		name   string
		values source.Values
		want   Projection
	}{
		{
			// The worked example: $200k raised 75 days after the
			// start, 37 days left, target $1M.
			name: "worked example",
			values: source.Values{Raised: f(200_000), Target: f(1_000_000),
				Start: daysFromNow(-75), Deadline: daysFromNow(37)},
			want: Projection{
				ProgressRatio:      f(0.2),
				DaysLeft:           f(37),
				DailyRate:          f(2666.6666667),
				ProjectedTotal:     f(298_666.6666667),
				ProjectedShortfall: f(701_333.3333333),
				RequiredDailyRate:  f(21_621.6216216),
			},
		},
		{
			name: "before the start: a campaign counts at least one day",
			values: source.Values{Raised: f(500), Target: f(10_000),
				Start: daysFromNow(3), Deadline: daysFromNow(33)},
			want: Projection{
				ProgressRatio:      f(0.05),
				DaysLeft:           f(33),
				DailyRate:          f(500),
				ProjectedTotal:     f(500 + 500*33),
				ProjectedShortfall: f(0),
				RequiredDailyRate:  f(9_500.0 / 33),
			},
		},
		{
			name: "start on the same day: no division by zero",
			values: source.Values{Raised: f(1_000), Target: f(100_000),
				Start: daysFromNow(-0.25), Deadline: daysFromNow(30)},
			want: Projection{
				ProgressRatio:      f(0.01),
				DaysLeft:           f(30),
				DailyRate:          f(1_000),
				ProjectedTotal:     f(31_000),
				ProjectedShortfall: f(69_000),
				RequiredDailyRate:  f(99_000.0 / 30),
			},
		},
		{
			name: "after the deadline: no days left, shortfall is target minus raised",
			values: source.Values{Raised: f(600_000), Target: f(1_000_000),
				Start: daysFromNow(-120), Deadline: daysFromNow(-8)},
			want: Projection{
				ProgressRatio:      f(0.6),
				DaysLeft:           f(0),
				DailyRate:          f(5_000),
				ProjectedTotal:     f(600_000),
				ProjectedShortfall: f(400_000),
			},
		},
		{
			name: "target already reached",
			values: source.Values{Raised: f(254_245), Target: f(100_000),
				Start: daysFromNow(-10), Deadline: daysFromNow(20)},
			want: Projection{
				ProgressRatio:      f(2.54245),
				DaysLeft:           f(20),
				DailyRate:          f(25_424.5),
				ProjectedTotal:     f(254_245 + 25_424.5*20),
				ProjectedShortfall: f(0),
				RequiredDailyRate:  f(0),
			},
		},
		{
			name:   "no deadline, no start (open-ended page): only progress",
			values: source.Values{Raised: f(254_245), Target: f(100_000)},
			want:   Projection{ProgressRatio: f(2.54245)},
		},
		{
			name:   "no target: pace but no shortfall",
			values: source.Values{Raised: f(3_000), Start: daysFromNow(-30), Deadline: daysFromNow(10)},
			want:   Projection{DaysLeft: f(10), DailyRate: f(100), ProjectedTotal: f(4_000)},
		},
		{
			name:   "zero target: no ratio",
			values: source.Values{Raised: f(10), Target: f(0)},
			want:   Projection{},
		},
		{
			name:   "raised unknown (a count-only goal): only the days left",
			values: source.Values{Target: f(100), Donors: f(40), Deadline: daysFromNow(5)},
			want:   Projection{DaysLeft: f(5)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Project(tc.values, now)
			check := func(name string, g, w *float64) {
				t.Helper()
				switch {
				case g == nil && w == nil:
				case g == nil || w == nil:
					t.Errorf("%s = %v, want %v", name, show(g), show(w))
				case math.Abs(*g-*w) > 1e-6:
					t.Errorf("%s = %.7f, want %.7f", name, *g, *w)
				}
			}
			check("progress ratio", got.ProgressRatio, tc.want.ProgressRatio)
			check("days left", got.DaysLeft, tc.want.DaysLeft)
			check("daily rate", got.DailyRate, tc.want.DailyRate)
			check("projected total", got.ProjectedTotal, tc.want.ProjectedTotal)
			check("projected shortfall", got.ProjectedShortfall, tc.want.ProjectedShortfall)
			check("required daily rate", got.RequiredDailyRate, tc.want.RequiredDailyRate)
		})
	}
}

func show(f *float64) any {
	if f == nil {
		return "omitted"
	}
	return *f
}
