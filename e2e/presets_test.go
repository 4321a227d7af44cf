package e2e

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// page is what a test site serves at one path.
type page struct {
	file        string // under testdata/
	contentType string
	status      int      // 0 means 200
	edit        []string // see sampleCase.edit
}

// site serves pages at the paths the real platform uses, and records the
// paths asked for.
type site struct {
	*httptest.Server
	mu        sync.Mutex
	requested []string
}

func newSite(t *testing.T, pages map[string]page) *site {
	t.Helper()
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requested = append(s.requested, r.URL.RequestURI())
		s.mu.Unlock()
		p, ok := pages[r.URL.Path]
		if cb := r.URL.Query().Get("callback"); ok && cb != "" {
			// Liberapay answers ?callback= with JSONP.
			p, ok = pages[r.URL.Path+"?callback="+cb]
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p.contentType)
		if p.status != 0 {
			w.WriteHeader(p.status)
		}
		_, _ = w.Write([]byte(readSample(t, p.file, p.edit...)))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *site) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requested)
}

const (
	htmlType = "text/html; charset=utf-8"
	jsonType = "application/json; charset=utf-8"
)

// help is what /metrics says of each metric the presets feed.
var help = map[string]string{
	"donation_up":                         "1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.",
	"donation_raised":                     "Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.",
	"donation_target":                     "Fundraising target, in currency units.",
	"donation_progress_ratio":             "Amount raised divided by the target.",
	"donation_days_left":                  "Days until the deadline, fractional, 0 once it has passed.",
	"donation_daily_rate":                 "Average amount raised per day since the start, in currency units.",
	"donation_projected_shortfall":        "Target minus donation_projected_raised, 0 when the campaign is on track, in currency units.",
	"donation_required_daily_rate":        "Amount needed per day from now to reach the target by the deadline, in currency units.",
	"donation_start_timestamp_seconds":    "Start of the campaign, as a Unix timestamp.",
	"donation_deadline_timestamp_seconds": "Deadline of the campaign (the end of its last day), as a Unix timestamp.",
	"donation_donors":                     "Number of donors the page shows: people, donations, patrons or backers, as donation_campaign_info's donors_basis says.",
}

var campaignLabel = regexp.MustCompile(`campaign="([^"]*)"`)

// exposition writes samples ("name{labels} value" lines, grouped by name)
// in the text format, with the HELP and TYPE lines of each metric. A
// sample of campaign="a|b" stands for the same sample of a and of b.
func exposition(samples string) string {
	var b strings.Builder
	last := ""
	for _, line := range strings.Split(strings.TrimSpace(samples), "\n") {
		line = strings.TrimSpace(line)
		name, _, _ := strings.Cut(line, "{")
		if name != last {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help[name], name)
			last = name
		}
		m := campaignLabel.FindStringSubmatchIndex(line)
		if m == nil {
			b.WriteString(line + "\n")
			continue
		}
		for _, c := range strings.Split(line[m[2]:m[3]], "|") {
			b.WriteString(line[:m[2]] + c + line[m[3]:] + "\n")
		}
	}
	return b.String()
}

// sessionWant is the Session campaign with $65,000 of $1M raised and 31
// days left.
const sessionWant = `
	donation_days_left{campaign="session"} 31
	donation_deadline_timestamp_seconds{campaign="session"} 1.7835552e+09
	donation_progress_ratio{campaign="session"} 0.065
	donation_raised{campaign="session",currency="USD"} 65000
	donation_required_daily_rate{campaign="session",currency="USD"} 30161.290322580644
	donation_target{campaign="session",currency="USD"} 1e+06
	donation_up{campaign="session"} 1`

// TestPresetsEndToEnd configures campaigns by environment variables, as a
// person would, against sites laid out like the real platforms, and reads
// the result through /metrics.
func TestPresetsEndToEnd(t *testing.T) {
	tests := []struct {
		name  string
		pages map[string]page
		// env holds the variables of each campaign, without the
		// DONATION_CAMPAIGN_<i>_ prefix; "{site}" in a URL is the site.
		env      []map[string]string
		now      time.Time
		want     string // samples, see exposition
		wantPath []string
		wantLog  []string
	}{
		{
			name: "session reads its endpoint",
			pages: map[string]page{
				"/donate":                {file: "session/donate-page-65000.html", contentType: htmlType},
				"/api/donation-progress": {file: "session/api-donation-progress-65000.json", contentType: jsonType},
			},
			env:      []map[string]string{{"NAME": "session", "URL": "{site}/donate", "PLATFORM": "session", "DEADLINE": "2026-07-08"}},
			now:      time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC),
			want:     sessionWant,
			wantPath: []string{"/api/donation-progress"},
		},
		{
			name: "session reads its page when the endpoint is gone",
			pages: map[string]page{
				"/donate": {file: "session/donate-page-65000.html", contentType: htmlType},
			},
			env:      []map[string]string{{"NAME": "session", "URL": "{site}/donate", "PLATFORM": "session", "DEADLINE": "2026-07-08"}},
			now:      time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC),
			want:     sessionWant,
			wantPath: []string{"/api/donation-progress", "/donate"},
			wantLog:  []string{"level=DEBUG", "/api/donation-progress answered HTTP status 404 Not Found, so the page was read instead"},
		},
		{
			name: "session without its data file",
			pages: map[string]page{
				"/donate":                {file: "session/donate-page-error-500.html", contentType: htmlType, status: 500},
				"/api/donation-progress": {file: "session/donate-page-error-500.html", contentType: htmlType, status: 500},
			},
			env:      []map[string]string{{"NAME": "session", "URL": "{site}/donate", "PLATFORM": "session", "DEADLINE": "2026-07-08"}},
			want:     `donation_up{campaign="session"} 0`,
			wantPath: []string{"/api/donation-progress"},
			wantLog:  []string{"level=ERROR", "campaign=session", "/api/donation-progress", "HTTP status 500 Internal Server Error"},
		},
		{
			// The README's hand-written configuration: selectors are for
			// the page, so the page is read.
			name: "session with selectors of its own",
			pages: map[string]page{
				"/donate":                {file: "session/donate-page-65000.html", contentType: htmlType},
				"/api/donation-progress": {file: "session/api-donation-progress-65000.json", contentType: jsonType},
			},
			env: []map[string]string{{"NAME": "session", "URL": "{site}/donate", "PLATFORM": "session", "DEADLINE": "2026-07-08",
				"RAISED_SELECTOR": "div[role=progressbar]@aria-valuenow", "TARGET": "2000000"}},
			now: time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC),
			want: `
				donation_days_left{campaign="session"} 31
				donation_deadline_timestamp_seconds{campaign="session"} 1.7835552e+09
				donation_progress_ratio{campaign="session"} 0.0325
				donation_raised{campaign="session",currency="USD"} 65000
				donation_required_daily_rate{campaign="session",currency="USD"} 62419.354838709674
				donation_target{campaign="session",currency="USD"} 2e+06
				donation_up{campaign="session"} 1`,
			wantPath: []string{"/donate"},
		},
		{
			name: "session endpoint gone and page failing",
			pages: map[string]page{
				"/donate": {file: "session/donate-page-error-500.html", contentType: htmlType, status: 500},
			},
			env:      []map[string]string{{"NAME": "session", "URL": "{site}/donate", "PLATFORM": "session", "DEADLINE": "2026-07-08"}},
			want:     `donation_up{campaign="session"} 0`,
			wantPath: []string{"/api/donation-progress", "/donate"},
			wantLog:  []string{"level=ERROR", "/donate (endpoint ", "/api/donation-progress: HTTP status 404 Not Found): HTTP status 500 Internal Server Error"},
		},
		{
			name: "gofundme",
			pages: map[string]page{
				"/f/family-memorial-fund":          {file: "gofundme/campaign-page-2020.html", contentType: htmlType},
				"/samples/initial-state-2020.json": {file: "gofundme/initial-state-2020.json", contentType: jsonType},
			},
			env: []map[string]string{
				{"NAME": "page", "URL": "{site}/f/family-memorial-fund", "PLATFORM": "gofundme"},
				{"NAME": "state", "URL": "{site}/samples/initial-state-2020.json", "PLATFORM": "gofundme"},
			},
			now: time.Date(2021, 1, 10, 2, 52, 8, 0, time.UTC), // 30 days after the launch
			want: `
				donation_daily_rate{campaign="page|state",currency="USD"} 8474.833333333334
				donation_donors{campaign="page|state"} 2609
				donation_progress_ratio{campaign="page|state"} 2.54245
				donation_raised{campaign="page|state",currency="USD"} 254245
				donation_start_timestamp_seconds{campaign="page|state"} 1.607655128e+09
				donation_target{campaign="page|state",currency="USD"} 100000
				donation_up{campaign="page|state"} 1`,
			wantPath: []string{"/f/family-memorial-fund", "/samples/initial-state-2020.json"},
		},
		{
			name: "gofundme page whose markup changed",
			pages: map[string]page{
				"/f/family-memorial-fund": {file: "gofundme/campaign-page-2020.html", contentType: htmlType,
					edit: []string{"window.initialState", "window.__STATE__", "m-progress-meter-heading", "campaign-progress"}},
			},
			env:      []map[string]string{{"NAME": "page", "URL": "{site}/f/family-memorial-fund", "PLATFORM": "gofundme", "TARGET": "100000"}},
			want:     `donation_up{campaign="page"} 0`,
			wantPath: []string{"/f/family-memorial-fund"},
			wantLog: []string{"level=ERROR", "campaign=page",
				`preset gofundme: field raised: matched nothing by any selector tried: `,
				`set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`},
		},
		{
			name: "kickstarter",
			pages: map[string]page{
				"/discover/categories/art":        {file: "kickstarter/discover-card-2017.html", contentType: htmlType},
				"/samples/data-project-2017.json": {file: "kickstarter/data-project-2017.json", contentType: jsonType},
			},
			env: []map[string]string{
				{"NAME": "card", "URL": "{site}/discover/categories/art", "PLATFORM": "kickstarter"},
				{"NAME": "object", "URL": "{site}/samples/data-project-2017.json", "PLATFORM": "kickstarter"},
			},
			now: time.Date(2017, 8, 11, 16, 36, 20, 0, time.UTC), // 10 days after the launch
			want: `
				donation_daily_rate{campaign="card|object",currency="USD"} 306.1
				donation_days_left{campaign="card|object"} 20.266435185185185
				donation_deadline_timestamp_seconds{campaign="card|object"} 1.5042204e+09
				donation_donors{campaign="card|object"} 48
				donation_progress_ratio{campaign="card|object"} 0.10203333333333334
				donation_projected_shortfall{campaign="card|object",currency="USD"} 22084.047835697325
				donation_raised{campaign="card|object",currency="USD"} 3061
				donation_required_daily_rate{campaign="card|object",currency="USD"} 1329.2421560005027
				donation_start_timestamp_seconds{campaign="card|object"} 1.50160538e+09
				donation_target{campaign="card|object",currency="USD"} 30000
				donation_up{campaign="card|object"} 1`,
			wantPath: []string{"/discover/categories/art", "/samples/data-project-2017.json"},
		},
		{
			// Amounts per week; no deadline, so no days left and no
			// projection.
			name: "liberapay",
			pages: map[string]page{
				"/alice/public.json":              {file: "liberapay/public.json", contentType: jsonType},
				"/alice/public.json?callback=foo": {file: "liberapay/public-jsonp.js", contentType: "application/javascript"},
				"/example-org/public.json":        {file: "liberapay/public-with-goal.json", contentType: jsonType},
			},
			env: []map[string]string{
				{"NAME": "alice", "URL": "{site}/alice", "PLATFORM": "liberapay"},
				{"NAME": "alice-jsonp", "URL": "{site}/alice/public.json?callback=foo", "PLATFORM": "liberapay"},
				{"NAME": "org", "URL": "{site}/example-org/", "PLATFORM": "liberapay"},
			},
			want: `
				donation_donors{campaign="alice|alice-jsonp"} 1
				donation_donors{campaign="org"} 42
				donation_progress_ratio{campaign="org"} 0.5825
				donation_raised{campaign="alice|alice-jsonp",currency="EUR"} 3
				donation_raised{campaign="org",currency="EUR"} 58.25
				donation_target{campaign="org",currency="EUR"} 100
				donation_up{campaign="alice|alice-jsonp"} 1
				donation_up{campaign="org"} 1`,
			wantPath: []string{"/alice/public.json", "/alice/public.json?callback=foo", "/example-org/public.json"},
		},
		{
			// Cents in the endpoint; raised is the yearly income; the goal
			// comes from the configuration.
			name: "opencollective",
			pages: map[string]page{
				"/shields.json": {file: "opencollective/collective.json", contentType: jsonType},
			},
			env: []map[string]string{
				{"NAME": "shields", "URL": "{site}/shields", "PLATFORM": "opencollective"},
				{"NAME": "shields-goal", "URL": "{site}/shields", "PLATFORM": "opencollective", "TARGET": "5000"},
			},
			want: `
				donation_donors{campaign="shields|shields-goal"} 35
				donation_progress_ratio{campaign="shields-goal"} 0.314742
				donation_raised{campaign="shields|shields-goal",currency="USD"} 1573.71
				donation_target{campaign="shields-goal",currency="USD"} 5000
				donation_up{campaign="shields|shields-goal"} 1`,
			wantPath: []string{"/shields.json", "/shields.json"},
		},
		{
			name: "donorbox",
			pages: map[string]page{
				"/help-example-project":        {file: "donorbox/campaign-en.html", contentType: htmlType},
				"/helft-uns-online-zu-bleiben": {file: "donorbox/campaign-de.html", contentType: htmlType},
			},
			env: []map[string]string{
				{"NAME": "en", "URL": "{site}/help-example-project", "PLATFORM": "donorbox"},
				{"NAME": "de", "URL": "{site}/helft-uns-online-zu-bleiben", "PLATFORM": "donorbox"},
			},
			want: `
				donation_donors{campaign="en"} 312
				donation_progress_ratio{campaign="de"} 0.25974064705882355
				donation_progress_ratio{campaign="en"} 0.41136923076923076
				donation_raised{campaign="de",currency="EUR"} 44155.91
				donation_raised{campaign="en",currency="USD"} 26739
				donation_target{campaign="de",currency="EUR"} 170000
				donation_target{campaign="en",currency="USD"} 65000
				donation_up{campaign="de"} 1
				donation_up{campaign="en"} 1`,
			wantPath: []string{"/help-example-project", "/helft-uns-online-zu-bleiben"},
		},
		{
			// A goal counted in donors has no money: donors only, and no
			// raised, target or progress, rather than a 0.
			name: "givewp",
			pages: map[string]page{
				"/donations/support-our-library/": {file: "givewp/goal-amount.html", contentType: htmlType},
				"/donations/adopt-a-shelter-dog/": {file: "givewp/goal-donors.html", contentType: htmlType},
			},
			env: []map[string]string{
				{"NAME": "library", "URL": "{site}/donations/support-our-library/", "PLATFORM": "givewp"},
				{"NAME": "shelter", "URL": "{site}/donations/adopt-a-shelter-dog/", "PLATFORM": "givewp"},
			},
			want: `
				donation_donors{campaign="shelter"} 37
				donation_progress_ratio{campaign="library"} 0.0027266666666666667
				donation_raised{campaign="library",currency="USD"} 4090
				donation_target{campaign="library",currency="USD"} 1.5e+06
				donation_up{campaign="library"} 1
				donation_up{campaign="shelter"} 1`,
			wantPath: []string{"/donations/support-our-library/", "/donations/adopt-a-shelter-dog/"},
		},
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range help {
			if !yield(name) {
				return
			}
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, tc.pages)
			var environ []string
			for i, vars := range tc.env {
				for k, v := range vars {
					environ = append(environ, fmt.Sprintf("DONATION_CAMPAIGN_%d_%s=%s", i, k, strings.ReplaceAll(v, "{site}", s.URL)))
				}
			}
			cfg, err := config.Load(environ, testsupport.Presets())
			if err != nil {
				t.Fatalf("config: %v", err)
			}
			var logs bytes.Buffer
			c := collector.NewScraper(collector.Config{
				Campaigns: cfg.Campaigns,
				Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{UserAgent: "donation_exporter/test"}),
				Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Now:       func() time.Time { return tc.now },
			})
			exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
			t.Cleanup(exporter.Close)

			if err := testutil.ScrapeAndCompare(exporter.URL, strings.NewReader(exposition(tc.want)), names...); err != nil {
				t.Error(err)
			}
			got, want := s.paths(), slices.Clone(tc.wantPath)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("requested %q, want %q", got, want)
			}
			for _, want := range tc.wantLog {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, logs.String())
				}
			}
			if tc.wantLog == nil && strings.Contains(logs.String(), "notes=") {
				t.Errorf("unexpected notes in the log:\n%s", logs.String())
			}
		})
	}
}

// readSample reads a platform sample (preset/testdata/<platform>/<file>),
// after replacing each old text of edit (which must occur) by the new one.
func readSample(t *testing.T, name string, edit ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	for i := 0; i+1 < len(edit); i += 2 {
		if !strings.Contains(body, edit[i]) {
			t.Fatalf("sample %s does not contain %q", name, edit[i])
		}
		body = strings.ReplaceAll(body, edit[i], edit[i+1])
	}
	return body
}
