package forecast

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestProject(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	daysFromNow := func(d float64) *time.Time {
		t := now.Add(time.Duration(d * float64(24*time.Hour)))
		return &t
	}
	f := ptr
	tests := []struct {
		name   string
		values Inputs
		want   Projection
	}{
		{
			// The worked example: $200k raised 75 days after the
			// start, 37 days left, target $1M.
			name: "worked example",
			values: Inputs{Raised: f(200_000), Target: f(1_000_000),
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
			name: "not started: no rate yet, the target spread over the campaign's days",
			values: Inputs{Raised: f(0), Target: f(10_000),
				Start: daysFromNow(3), Deadline: daysFromNow(33)},
			want: Projection{
				State:             StateNotStarted,
				ProgressRatio:     f(0),
				DaysLeft:          f(33),
				RequiredDailyRate: f(10_000.0 / 30),
			},
		},
		{
			name: "start on the same day: no division by zero",
			values: Inputs{Raised: f(1_000), Target: f(100_000),
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
			name: "ended: the rate is fixed at the deadline, no projection",
			values: Inputs{Raised: f(600_000), Target: f(1_000_000),
				Start: daysFromNow(-120), Deadline: daysFromNow(-8)},
			want: Projection{
				State:         StateEnded,
				ProgressRatio: f(0.6),
				DaysLeft:      f(0),
				DailyRate:     f(600_000.0 / 112),
			},
		},
		{
			// A Kickstarter that raised 3,061 in 30 days showed
			// 0.898 a day years later; it was ~102 a day.
			name: "ended years ago: the rate is still what the campaign achieved",
			values: Inputs{Raised: f(3_061), Target: f(2_500),
				Start: daysFromNow(-9*365 - 30), Deadline: daysFromNow(-9 * 365)},
			want: Projection{
				State:         StateEnded,
				ProgressRatio: f(3_061.0 / 2_500),
				DaysLeft:      f(0),
				DailyRate:     f(3_061.0 / 30),
			},
		},
		{
			name:   "ended exactly at the deadline",
			values: Inputs{Raised: f(50), Target: f(100), Start: daysFromNow(-10), Deadline: daysFromNow(0)},
			want:   Projection{State: StateEnded, ProgressRatio: f(0.5), DaysLeft: f(0), DailyRate: f(5)},
		},
		{
			name:   "ended one-day campaign: at least one day",
			values: Inputs{Raised: f(50), Start: daysFromNow(-1.5), Deadline: daysFromNow(-1.25)},
			want:   Projection{State: StateEnded, DaysLeft: f(0), DailyRate: f(50)},
		},
		{
			// Past 2262 time.Duration saturates at 106751.99 days.
			name: "deadline in 3026: days counted without overflow",
			values: Inputs{Raised: f(1), Target: f(2),
				Start: daysFromNow(-1), Deadline: ptrTime(time.Date(3026, 7, 9, 0, 0, 0, 0, time.UTC))},
			want: Projection{
				ProgressRatio:      f(0.5),
				DaysLeft:           f(365_280 - 0.5),
				DailyRate:          f(1),
				ProjectedTotal:     f(1 + 365_279.5),
				ProjectedShortfall: f(0),
				RequiredDailyRate:  f(1 / 365_279.5),
			},
		},
		{
			name: "target already reached",
			values: Inputs{Raised: f(254_245), Target: f(100_000),
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
			values: Inputs{Raised: f(254_245), Target: f(100_000)},
			want:   Projection{ProgressRatio: f(2.54245)},
		},
		{
			name:   "no deadline, started: running for ever, a rate but no projection",
			values: Inputs{Raised: f(300), Start: daysFromNow(-30)},
			want:   Projection{DailyRate: f(10)},
		},
		{
			name:   "no target: pace but no shortfall",
			values: Inputs{Raised: f(3_000), Start: daysFromNow(-30), Deadline: daysFromNow(10)},
			want:   Projection{DaysLeft: f(10), DailyRate: f(100), ProjectedTotal: f(4_000)},
		},
		{
			name:   "zero target: no ratio",
			values: Inputs{Raised: f(10), Target: f(0)},
			want:   Projection{},
		},
		{
			name:   "raised unknown (a count-only goal): only the days left",
			values: Inputs{Target: f(100), Deadline: daysFromNow(5)},
			want:   Projection{DaysLeft: f(5)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Project(tc.values, nil, now)
			if err != nil {
				t.Fatalf("Project: %v", err)
			}
			wantState := tc.want.State
			if wantState == "" {
				wantState = StateRunning
			}
			if got.State != wantState {
				t.Errorf("state = %s, want %s", got.State, wantState)
			}
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

func ptrTime(t time.Time) *time.Time { return &t }

// TestProjectRefusesNonFiniteFigures: finite amounts whose arithmetic is not
// finite fail the projection (and so the scrape) with the reason, instead of
// exporting +Inf with donation_up 1.
func TestProjectRefusesNonFiniteFigures(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	start, deadline := now.AddDate(0, 0, -10), now.AddDate(0, 0, 20)
	tests := []struct {
		name   string
		values Inputs
		want   []string
	}{
		{
			name:   "raised 1e308: projected total overflows",
			values: Inputs{Raised: ptr(1e308), Target: ptr(1e6), Start: &start, Deadline: &deadline},
			want:   []string{"projected total is +Inf", "raised 1e+308"},
		},
		{
			name:   "tiny target: progress ratio overflows",
			values: Inputs{Raised: ptr(1e10), Target: ptr(1e-300)},
			want:   []string{"progress ratio is +Inf", "target 1e-300"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Project(tc.values, nil, now)
			if !errors.Is(err, ErrNotFinite) {
				t.Fatalf("Project = %+v, %v; want an ErrNotFinite error", p, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func show(f *float64) any {
	if f == nil {
		return "omitted"
	}
	return *f
}
