package forecast

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseRefusesBadCurves(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"not a number", "0,0\n0.5,half\n1,1\n", "line 2: share_of_final \"half\""},
		{"out of range", "0,0\n0.5,1.5\n1,1\n", "line 2: share_of_final \"1.5\" is not a number from 0 to 1"},
		{"decreasing share", "0,0\n0.5,0.6\n0.7,0.4\n1,1\n", "line 3: shares must not decrease"},
		{"elapsed out of order", "0,0\n0.5,0.2\n0.5,0.3\n1,1\n", "line 3: elapsed_fraction 0.5 does not follow 0.5"},
		{"no start row", "0.1,0\n1,1\n", "a curve starts at 0,0"},
		{"does not end at 1", "0,0\n1,0.9\n", "a curve ends at 1,1"},
		{"mixed columns", "0,0,0,0\n0.5,0.4\n1,1,1,1\n", "line 2: 2 columns where earlier rows have 4"},
		{"range not holding share", "0,0,0,0\n0.5,0.4,0.5,0.6\n1,1,1,1\n", "line 2: share_low 0.5"},
		{"one row", "0,0\n", "1 rows"},
		{"three columns", "0,0,0\n1,1,1\n", "line 1: 3 columns"},
		{"NaN", "0,0\n0.5,NaN\n1,1\n", "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("test", strings.NewReader(tc.file))
			if !errors.Is(err, ErrCurve) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, %v; want an ErrCurve error containing %q", c, err, tc.want)
			}
		})
	}
}

func TestProjectAlongCurve(t *testing.T) {
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	deadline := start.AddDate(0, 0, 30)
	at := func(f float64) time.Time { return start.Add(time.Duration(f * float64(deadline.Sub(start)))) }
	curve, err := Parse("u", strings.NewReader("# a U\n0,0,0,0\n0.5,0.4,0.2,0.5\n1,1,1,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := ptr
	tests := []struct {
		name            string
		raised, target  *float64
		now             time.Time
		total, low, hig *float64
	}{
		{name: "half way: raised / share, range from the shares", raised: f(40), target: f(100), now: at(0.5), total: f(100), low: f(80), hig: f(200)},
		{name: "a quarter: interpolated shares 0.2, 0.1, 0.25", raised: f(20), now: at(0.25), total: f(100), low: f(80), hig: f(200)},
		{name: "at the start: share 0, nothing to say", raised: f(5), now: at(0)},
		{name: "nothing raised: 0, with no upper bound", raised: f(0), now: at(0.5), total: f(0), low: f(0)},
		{name: "before the start", raised: f(0), now: at(-0.1)},
		{name: "after the deadline", raised: f(100), now: at(1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Project(Inputs{Raised: tc.raised, Target: tc.target, Start: &start, Deadline: &deadline}, curve, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if p.Curve != "u" {
				t.Errorf("curve = %q", p.Curve)
			}
			for _, c := range []struct {
				name string
				g, w *float64
			}{{"total", p.ProjectedTotal, tc.total}, {"low", p.ProjectedLow, tc.low}, {"high", p.ProjectedHigh, tc.hig}} {
				if (c.g == nil) != (c.w == nil) || (c.g != nil && math.Abs(*c.g-*c.w) > 1e-9) {
					t.Errorf("%s = %v, want %v", c.name, show(c.g), show(c.w))
				}
			}
		})
	}
	t.Run("no deadline: no projection", func(t *testing.T) {
		p, err := Project(Inputs{Raised: f(10), Start: &start}, curve, at(0.5))
		if err != nil || p.ProjectedTotal != nil {
			t.Fatalf("Project = %+v, %v; want no projection", p, err)
		}
	})
}

func TestBuiltinsLoad(t *testing.T) {
	for _, name := range BuiltinNames() {
		c, err := Builtin(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name != LinearName && (!c.HasRange() || len(c.Source) == 0) {
			t.Errorf("%s: a built-in curve must carry its range and provenance", name)
		}
	}
	if _, err := Builtin("../curves/kickstarter"); err == nil {
		t.Error("a path is not a built-in name")
	}
	if _, err := Builtin("nosuch"); err == nil || !strings.Contains(err.Error(), "kickstarter") {
		t.Errorf("unknown name: %v, want the list of built-ins", err)
	}
}

func TestDeriveRoundTrips(t *testing.T) {
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	deadline := start.AddDate(0, 0, 10)
	tl := func(name string, mid float64) Timeline {
		return Timeline{Name: name, Start: start, Deadline: deadline, Observations: []Observation{
			{start, 0}, {start.AddDate(0, 0, 5), mid}, {deadline, 100}, {deadline.Add(time.Hour), 50}}}
	}
	c, err := Derive("mine", []Timeline{tl("a", 30), tl("b", 50), tl("c", 40)})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.At(0.5).Share; math.Abs(got-0.4) > 1e-9 {
		t.Errorf("median share at 0.5 = %v, want 0.4", got)
	}
	var b strings.Builder
	if err := c.Format(&b); err != nil {
		t.Fatal(err)
	}
	back, err := Parse("mine", strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("a derived curve does not parse: %v\n%s", err, b.String())
	}
	if !back.HasRange() || back.At(0.5) != c.At(0.5) {
		t.Errorf("round trip: %+v, want %+v", back.At(0.5), c.At(0.5))
	}
	one, err := Derive("one", []Timeline{tl("a", 30)})
	if err != nil || one.HasRange() {
		t.Errorf("one timeline: %v, range %v; want a curve without range", err, one != nil && one.HasRange())
	}
}
