package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/forecast"
)

const shippedTimelines = "../../forecast/testdata/timelines"

func TestBacktestSubcommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(t.Context(), []string{"backtest", "--timelines", shippedTimelines}, nil, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"18 timelines", "kickstarter  25 %  6", "marathon     50 %  6", "linear (the seed's arithmetic)", "range held final"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	errOut.Reset()
	if code := run(t.Context(), []string{"backtest", "--timelines", t.TempDir()}, nil, &out, &errOut); code != exitConfig || !strings.Contains(errOut.String(), "MANIFEST.json") {
		t.Errorf("a folder without MANIFEST.json: exit %d, %q", code, errOut.String())
	}
}

// TestCurveSubcommand: a curve measured on two past years loads as
// FORECAST_CURVE does; a bad timeline is refused naming its line.
func TestCurveSubcommand(t *testing.T) {
	dir := filepath.Join(shippedTimelines, "jinglejam")
	path := filepath.Join(t.TempDir(), "mine.csv")
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"curve", "--out", path,
		"--timeline", filepath.Join(dir, "jinglejam-2019.csv") + ",2019-12-01T17:00:00Z,2020-01-01T08:00:00Z",
		"--timeline", filepath.Join(dir, "jinglejam-2020.csv") + ",2020-12-01T17:00:00Z,2020-12-15T00:00:00Z"}, nil, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	c, err := forecast.Load(path, func(p string) (io.ReadCloser, error) { return os.Open(p) })
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "file:mine" || !c.HasRange() {
		t.Errorf("curve %q, range %v; want file:mine with a range", c.Name, c.HasRange())
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("timestamp_utc,raised\n2025-12-01T17:00:00Z,10\n2025-12-02,20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	code = run(t.Context(), []string{"curve", "--timeline", bad + ",2025-12-01T17:00:00Z,2025-12-31T17:00:00Z"}, nil, &out, &errOut)
	if code != exitConfig || !strings.Contains(errOut.String(), "line 3: timestamp \"2025-12-02\" is not RFC 3339") {
		t.Errorf("bad timeline: exit %d, %q", code, errOut.String())
	}
}
