package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// checkUpstream serves a campaign page in the GoFundMe 2020 shape, a page
// without the figures, and a 500.
func checkUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/campaign", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<html><body><h2 class="m-progress-meter-heading">$254,245 <span>raised of $100,000 goal</span></h2>
<p>Ends <time datetime="2099-07-08">July 8, 2099</time>, started <time class="start" datetime="2020-12-10T20:52:08-06:00"></time></p>
<p class="donors">2,609 donors</p></body></html>`)
	})
	mux.HandleFunc("/redesigned", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<html><body><h2 class="progress-meter_heading__A6Slt">$350 raised of 1.8K</h2></body></html>`)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "data file missing", http.StatusInternalServerError)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server
}

// campaignEnv returns the variables of campaign i.
func campaignEnv(i int, vars map[string]string) []string {
	var env []string
	for k, v := range vars {
		env = append(env, "DONATION_CAMPAIGN_"+string(rune('0'+i))+"_"+k+"="+v)
	}
	return env
}

func TestRunCheck(t *testing.T) {
	upstream := checkUpstream(t)
	good := func(i int) []string {
		return campaignEnv(i, map[string]string{
			"NAME":              "gofundme",
			"URL":               upstream.URL + "/campaign",
			"RAISED_SELECTOR":   "h2.m-progress-meter-heading | /^(\\S+)/",
			"TARGET_SELECTOR":   "h2.m-progress-meter-heading | /raised of (.*) goal/",
			"START_SELECTOR":    "time.start@datetime",
			"DEADLINE_SELECTOR": "time[datetime]@datetime",
			"DONORS_SELECTOR":   ".donors | /([\\d,]+)/",
		})
	}
	tests := []struct {
		name     string
		args     []string
		environ  []string
		wantCode int
		// wantOut are regular expressions the standard output must match,
		// each on one line; wantErr likewise for the standard error.
		wantOut, wantErr []string
	}{
		{
			// No platform and no selector on an unknown host: zero-config,
			// and each field says which rule read it.
			name: "zero-config",
			args: []string{"check"},
			environ: campaignEnv(0, map[string]string{
				"NAME": "zero",
				"URL":  upstream.URL + "/campaign",
			}),
			wantCode: exitOK,
			wantOut: []string{
				`^  read by: +zero-config$`,
				`^  raised +visible text .*: "\$254,245 raised of \$100,000 goal" +"254245" +254245 USD$`,
				`^  target +visible text .*: "\$254,245 raised of \$100,000 goal" +"100000" +100000 USD$`,
				`^  donors +visible text .*: "2,609 donors" +"2609" +2609$`,
			},
		},
		{
			name:     "every campaign read",
			args:     []string{"check"},
			environ:  good(0),
			wantCode: exitOK,
			wantOut: []string{
				`^campaign "gofundme"$`,
				`^  fetched: +http://127\.0\.0\.1:\d+/campaign, read as html, in (\d+ms|0s)$`,
				`^  FIELD +FROM +TEXT FOUND +VALUE$`,
				`^  raised +h2\.m-progress-meter-heading \| /\^\(\\S\+\)/ +"\$254,245" +254245 USD$`,
				`^  target +h2\.m-progress-meter-heading \| /raised of \(\.\*\) goal/ +"\$100,000" +100000 USD$`,
				`^  start +time\.start@datetime +"2020-12-10T20:52:08-06:00" +2020-12-10T20:52:08-06:00 \(Unix 1607655128\)$`,
				`^  deadline +time\[datetime\]@datetime +"2099-07-08" +2099-07-09T00:00:00Z \(Unix 4087238400\)$`,
				`^  donors +\.donors \| /\(\[\\d,\]\+\)/ +"2,609" +2609$`,
				`^  currency +\(shown with the amounts\) +USD$`,
				`^  progress ratio +2\.54$`,
				`^  days left +\d+(\.\d+)?$`,
				`^  daily rate \(average since the start\) +\d+(\.\d+)? USD$`,
				`^  projected shortfall +0 USD$`,
				`^  required daily rate +0 USD$`,
				`^  state +running$`,
				`^  OK: read raised, target, start, deadline, donors$`,
				`^1 of 1 campaigns read, 0 failed$`,
			},
		},
		{
			name: "check NAME checks that campaign alone",
			args: []string{"check", "gofundme"},
			environ: append(good(0), campaignEnv(1, map[string]string{
				"NAME":            "redesigned",
				"URL":             upstream.URL + "/redesigned",
				"RAISED_SELECTOR": "h2.m-progress-meter-heading",
			})...),
			wantCode: exitOK,
			wantOut:  []string{`^campaign "gofundme"$`, `^1 of 1 campaigns read, 0 failed$`},
		},
		{
			name:     "check NAME of no campaign lists the names",
			args:     []string{"check", "gofund"},
			environ:  good(0),
			wantCode: 2,
			wantErr:  []string{`no campaign named "gofund": the campaigns are "gofundme"`},
		},
		{
			name: "a campaign that fails beside one that works",
			args: []string{"--check"},
			environ: append(append(good(0), campaignEnv(1, map[string]string{
				"NAME":            "redesigned",
				"URL":             upstream.URL + "/redesigned",
				"RAISED_SELECTOR": "h2.m-progress-meter-heading",
				"TARGET_SELECTOR": "h2 | /of (.*)/",
			})...), campaignEnv(2, map[string]string{
				"NAME":            "broken",
				"URL":             upstream.URL + "/broken",
				"RAISED_SELECTOR": ".raised",
			})...),
			wantCode: exitFailed,
			wantOut: []string{
				`^  OK: read raised, target, start, deadline, donors$`,
				`^campaign "redesigned"$`,
				`^  raised +h2\.m-progress-meter-heading +- +no match: matched nothing$`,
				`^  +error: field raised: selector "h2\.m-progress-meter-heading": matched nothing$`,
				`^  target +h2 \| /of \(\.\*\)/ +"1\.8K" +1800$`,
				`^  FAILED: field raised: selector "h2\.m-progress-meter-heading": matched nothing$`,
				`^campaign "broken"$`,
				`^  FAILED: fetch: http://127\.0\.0\.1:\d+/broken: HTTP status 500 Internal Server Error$`,
				`^1 of 3 campaigns read, 2 failed$`,
			},
		},
		{
			name: "configuration error",
			args: []string{"check"},
			environ: append(good(0), campaignEnv(1, map[string]string{
				"NAME": "both", "URL": upstream.URL + "/campaign", "RAISED": "5", "RAISED_SELECTOR": ".raised",
			})...),
			wantCode: exitConfig,
			wantErr:  []string{`DONATION_CAMPAIGN_1_RAISED: set together with RAISED_SELECTOR`},
		},
		{
			// A start still to come is valid configuration; the page's
			// money raised before it fails this campaign alone.
			name: "configured START in the future, money raised",
			args: []string{"check"},
			environ: append(good(0), campaignEnv(1, map[string]string{
				"NAME": "early", "URL": upstream.URL + "/campaign", "RAISED_SELECTOR": "h2.m-progress-meter-heading | /^(\\S+)/",
				"START": time.Now().AddDate(0, 0, 15).Format("2006-01-02"),
			})...),
			wantCode: exitFailed,
			wantOut: []string{
				`^  FAILED: dates that cannot be: DONATION_CAMPAIGN_1_START \(field start\): \d{4}-\d\d-\d\dT00:00:00Z is in the future .*yet the page shows raised 254245`,
				`^1 of 2 campaigns read, 1 failed$`,
			},
		},
		{
			name: "configured START in the future, nothing raised",
			args: []string{"check"},
			environ: campaignEnv(0, map[string]string{
				"NAME": "opens", "URL": upstream.URL + "/campaign", "RAISED": "0",
				"START": time.Now().AddDate(0, 0, 7).Format("2006-01-02"),
			}),
			wantCode: exitOK,
			wantOut: []string{
				`^  state +not_started \(the start is still to come\)$`,
				`^  missing: days left, .* need a deadline: set DONATION_CAMPAIGN_0_DEADLINE \(2026-07-08\) or DONATION_CAMPAIGN_0_DEADLINE_SELECTOR$`,
				`^1 of 1 campaigns read, 0 failed$`,
			},
		},
		{
			name: "configured START after DEADLINE",
			args: []string{"check"},
			environ: append(good(0), campaignEnv(1, map[string]string{
				"NAME": "backwards", "URL": upstream.URL + "/campaign", "RAISED_SELECTOR": ".raised",
				"START": "2026-03-01", "DEADLINE": "2026-01-31",
			})...),
			wantCode: exitConfig,
			wantErr:  []string{`DONATION_CAMPAIGN_1_START: dates that cannot be: "2026-03-01" .* is not before DONATION_CAMPAIGN_1_DEADLINE "2026-01-31"`},
		},
		{
			name: "page dates that cannot be",
			args: []string{"check"},
			environ: campaignEnv(0, map[string]string{
				"NAME": "backwards", "URL": upstream.URL + "/campaign",
				"RAISED_SELECTOR": "h2.m-progress-meter-heading | /^(\\S+)/",
				"START_SELECTOR":  "time[datetime]@datetime", "DEADLINE": "2030-01-01",
			}),
			wantCode: exitFailed,
			wantOut:  []string{`^  FAILED: dates that cannot be: DONATION_CAMPAIGN_0_START_SELECTOR \(field start\): 2099-07-08T00:00:00Z is not before DONATION_CAMPAIGN_0_DEADLINE \(field deadline\) 2030-01-02T00:00:00Z$`},
		},
		{
			name: "amounts too large to compute with",
			args: []string{"check"},
			environ: campaignEnv(0, map[string]string{
				"NAME": "huge", "URL": upstream.URL + "/campaign", "RAISED": "1e308", "TARGET": "1000",
				"START": "2026-01-01", "DEADLINE": "2099-01-01",
			}),
			wantCode: exitFailed,
			wantOut:  []string{`^  FAILED: project: figure out of range: projected total is \+Inf`, `^0 of 1 campaigns read, 1 failed$`},
		},
		{
			name:     "no campaign configured",
			args:     []string{"check"},
			wantCode: exitConfig,
			wantErr:  []string{`no campaign configured`},
		},
		{
			name:     "unknown argument",
			args:     []string{"chekc"},
			environ:  good(0),
			wantCode: exitConfig,
			wantErr:  []string{`unknown command "chekc"`},
		},
		{
			name:     "version",
			args:     []string{"--version"},
			wantCode: exitOK,
			wantOut:  []string{`^donation_exporter, version `},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tc.args, tc.environ, &stdout, &stderr)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
			matchLines(t, "standard output", stdout.String(), tc.wantOut)
			matchLines(t, "standard error", stderr.String(), tc.wantErr)
			if tc.wantOut == nil && stdout.Len() > 0 {
				t.Errorf("standard output is not empty:\n%s", stdout.String())
			}
		})
	}
}

// matchLines fails unless each pattern matches a line of text.
func matchLines(t *testing.T, what, text string, patterns []string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		found := false
		for _, line := range lines {
			if re.MatchString(line) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no line of the %s matches %s:\n%s", what, p, text)
		}
	}
}

func TestWriteCheckReport(t *testing.T) {
	// The worked example: $200,000 raised 75 days after the start, 37 days
	// left, target $1,000,000. The raised figure is found by the second of
	// two selectors, as a platform preset with fallbacks would.
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	page := `<div class="meter" aria-valuenow="200000"></div>`
	spec := read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
		read.FieldRaised: {Selectors: []read.Selector{
			read.MustParseSelector("[role=progressbar]@aria-valuenow"),
			read.MustParseSelector(".meter@aria-valuenow"),
		}},
		read.FieldTarget:   {Literal: "1000000"},
		read.FieldCurrency: {Literal: "usd"},
		read.FieldStart:    {Literal: now.AddDate(0, 0, -75).Format(time.RFC3339)},
		read.FieldDeadline: {Literal: now.AddDate(0, 0, 37).Format(time.RFC3339)},
	}}
	vals, trace, err := read.Page([]byte(page), "text/html", read.KindHTML, spec, now)
	if err != nil {
		t.Fatal(err)
	}
	reports := []checkReport{{
		Campaign: source.Campaign{Name: "worked", URL: "https://example.org/donate"},
		Values:   vals,
		Trace:    source.Trace{Trace: trace},
		Duration: 12 * time.Millisecond,
	}}
	var out bytes.Buffer
	if err := writeCheckReport(&out, reports, now); err != nil {
		t.Fatal(err)
	}
	want := `campaign "worked"
  page:     https://example.org/donate
  fetched:  https://example.org/donate, read as html, in 12ms

  FIELD     FROM                              TEXT FOUND              VALUE
  raised    [role=progressbar]@aria-valuenow  -                       no match: matched nothing
            .meter@aria-valuenow              "200000"                200000 USD
  target    configured value                  "1000000"               1000000 USD
  currency  configured value                  "usd"                   USD
  start     configured value                  "2026-03-18T00:00:00Z"  2026-03-18T00:00:00Z (Unix 1773792000)
  deadline  configured value                  "2026-07-08T00:00:00Z"  2026-07-08T00:00:00Z (Unix 1783468800)

  DERIVED                               VALUE
  state                                 running
  progress ratio                        0.2
  days left                             37
  daily rate (average since the start)  2666.67 USD
  projected total at the deadline       298666.67 USD
  likely range (80 %)                   208029.96 USD to 643929.81 USD
  projected shortfall                   701333.33 USD
  required daily rate                   21621.62 USD
  forecast curve                        linear

  OK: read raised, target, currency, start, deadline; the selector that found nothing is a fallback: the next one was used

1 of 1 campaigns read, 0 failed
`
	if got := out.String(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteCheckReportEnded(t *testing.T) {
	// A Kickstarter that raised 3,061 in 30 days, checked years later.
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	start, deadline := time.Date(2017, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2017, 8, 31, 0, 0, 0, 0, time.UTC)
	raised, target := 3061.0, 2500.0
	reports := []checkReport{{
		Campaign: source.Campaign{Name: "ended", URL: "https://example.org/ended"},
		Values:   read.Values{Raised: &raised, Target: &target, Currency: "USD", Start: &start, Deadline: &deadline},
		Trace: source.Trace{Trace: read.Trace{Kind: read.KindJSON, Fields: []read.FieldTrace{
			{Field: read.FieldRaised, Tries: []read.SelectorTry{{Selector: "pledged"}}, Text: "3061"},
			{Field: read.FieldDonors, Tries: []read.SelectorTry{{Selector: "backers_count", Err: errors.New("matched nothing")}}},
		}}},
	}}
	var out bytes.Buffer
	if err := writeCheckReport(&out, reports, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"  state                                         ended (the deadline has passed: figures are final)\n",
		"  days left                                     0\n",
		"  daily rate (average from start to deadline)  102.03 USD\n",
		"  projected total at the deadline               not exported: the campaign has ended\n",
		"  required daily rate                           not exported: the campaign has ended\n",
		"  OK: read raised; not on the page, left out (optional): donors\n",
	} {
		squeeze := func(s string) string { return strings.Join(strings.Fields(s), " ") }
		if !strings.Contains(squeeze(out.String()), squeeze(want)) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{0, "0"}, {0.2, "0.2"}, {2666.666667, "2666.67"}, {0.0027103, "0.00271"}, {0.5, "0.5"},
		{0.999, "0.999"}, {37, "37"}, {1e-30, "1e-30"}, {-0.0042, "-0.0042"}, {1e21, "1000000000000000000000"},
	} {
		if got := number(&tc.f); got != tc.want {
			t.Errorf("number(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
