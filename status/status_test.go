package status

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/donation-exporter/donation_exporter/collector"
	"github.com/donation-exporter/donation_exporter/demo"
	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// hostileName is a campaign name that would run a script if the page did
// not escape it.
const hostileName = `<script>document.body.dataset.pwned = 'name'</script>`

// newStatusServer serves the status page over the demo page (as of now,
// launched at now) and a page whose figure is text that fails to parse and
// holds a script, watched by a campaign called hostileName.
func newStatusServer(t *testing.T, now time.Time) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/donate", demo.NewPage(now, func() time.Time { return now }))
	mux.HandleFunc("/hostile", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<p class="raised">&lt;script&gt;document.body.dataset.pwned = 'yes'&lt;/script&gt;</p>`)
	})
	upstream := httptest.NewServer(mux)
	t.Cleanup(upstream.Close)

	hostile := source.Campaign{
		Name: hostileName, URL: upstream.URL + "/hostile", Kind: read.KindHTML,
		Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
			read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector(".raised")}},
		}},
	}
	coll := collector.NewScraper(collector.Config{
		Campaigns: []source.Campaign{demo.Campaign(upstream.URL + "/donate"), hostile},
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:       func() time.Time { return now },
	})
	server := httptest.NewServer(NewHandler(Config{
		Campaigns:   coll,
		Name:        "Donation Exporter",
		MetricsPath: "/metrics",
		ProbePath:   "/probe",
		Now:         func() time.Time { return now.Add(90 * time.Second) },
	}))
	t.Cleanup(server.Close)
	return server
}

func getPage(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestStatusPage(t *testing.T) {
	// Noon, so that the demo's deadline (the end of its 37th day) is 37.5
	// days away; 75 days after the start at $200,000 is $2,666.67 a day,
	// $300,000 by the deadline, $700,000 short of the $1,000,000 target.
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	server := newStatusServer(t, now)
	status, body := getPage(t, server.URL+"/")
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	cell := func(campaign, class string) string {
		row := doc.Find("tr.campaign").FilterFunction(func(_ int, s *goquery.Selection) bool {
			name, _ := s.Attr("data-campaign")
			return name == campaign
		})
		if row.Length() != 1 {
			t.Fatalf("%d rows for campaign %q, want 1", row.Length(), campaign)
		}
		return strings.Join(strings.Fields(row.Find("td."+class).Text()), " ")
	}
	attr := func(selector, name string) string {
		v, _ := doc.Find(selector).Attr(name)
		return v
	}

	tests := []struct {
		name, got, want string
	}{
		{"demo row is ok", attr(`tr[data-campaign="demo"]`, "class"), "campaign ok"},
		{"demo probe link", attr(`tr[data-campaign="demo"] a.probe`, "href"), "probe?campaign=demo"},
		{"raised and target", cell("demo", "progress"), "200,000 USD of 1,000,000 USD 20.0% 20.0%"},
		{"progress bar value", attr(`tr[data-campaign="demo"] progress`, "value"), "0.2"},
		{"progress bar max", attr(`tr[data-campaign="demo"] progress`, "max"), "1"},
		{"days left", cell("demo", "days-left"), "37.5"},
		{"projected shortfall, projection, range and curve", cell("demo", "shortfall"), "700,000 USD" +
			"projected 300,000 USDlikely 208,029.96 USD to 651,041.67 USDcurve linear"},
		{"range", doc.Find(`tr[data-campaign="demo"] small.range`).Text(), "likely 208,029.96 USD to 651,041.67 USD"},
		{"shortfall marked", attr(`tr[data-campaign="demo"] td.shortfall`, "class"), "shortfall short"},
		{"failed row", attr(`tr.failed`, "data-campaign"), hostileName},
		{"hostile name shown as text", doc.Find("tr.failed td.name a").First().Text(), hostileName},
		{"metrics link kept", attr(`a[href="/metrics"]`, "href"), "/metrics"},
		{"probe form", attr(`form`, "action"), "/probe"},
		{"no profiling links", attr(`#pprof`, "id"), ""},
		{"no script element", doc.Find("script").Text(), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	if got := cell("demo", "scrape"); !strings.HasPrefix(got, "OK 1m30s ago, took ") {
		t.Errorf("demo scrape cell %q, want OK 1m30s ago and the duration", got)
	}
	if got := doc.Find("tr.failed .error").Text(); !strings.HasPrefix(got, "field raised: ") ||
		!strings.Contains(got, `<script>document.body.dataset.pwned = 'yes'</script>`) {
		t.Errorf("error text %q does not show the page's script as text", doc.Find("tr.failed .error").Text())
	}
	if strings.Contains(body, "<script") {
		t.Errorf("page holds an unescaped <script:\n%s", body)
	}
	if href := attr(`tr[data-campaign="demo"] td.name a`, "href"); !strings.HasSuffix(href, "/donate") {
		t.Errorf("demo campaign links %q, want its page", href)
	}
}

func TestStatusPageOnlyAtRoot(t *testing.T) {
	server := newStatusServer(t, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	if status, _ := getPage(t, server.URL+"/elsewhere"); status != http.StatusNotFound {
		t.Errorf("GET /elsewhere: status %d, want 404", status)
	}
}

// TestStatusPageLifecycle: an ended campaign says "ended" instead of "Days
// left 0.0", with no red projected shortfall; one not started says so.
func TestStatusPageLifecycle(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	pages := map[string]string{
		"/ended":       `<p class="raised">$3,061</p><p class="target">$5,000</p><p class="start">2017-08-01</p><p class="deadline">2017-08-30</p>`,
		"/not-started": `<p class="raised">$0</p><p class="target">$5,000</p><p class="start">2026-06-15</p><p class="deadline">2026-07-14</p>`,
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, pages[r.URL.Path])
	}))
	t.Cleanup(upstream.Close)
	sel := func(s string) read.FieldSpec {
		return read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(s)}}
	}
	var campaigns []source.Campaign
	for _, name := range []string{"ended", "not-started"} {
		campaigns = append(campaigns, source.Campaign{
			Name: name, URL: upstream.URL + "/" + name, Kind: read.KindHTML,
			Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
				read.FieldRaised: sel(".raised"), read.FieldTarget: sel(".target"),
				read.FieldStart: sel(".start"), read.FieldDeadline: sel(".deadline"),
			}},
		})
	}
	coll := collector.NewScraper(collector.Config{
		Campaigns: campaigns,
		Fetcher:   fetch.NewFetcher(fetch.FetcherConfig{}),
		Now:       func() time.Time { return now },
	})
	server := httptest.NewServer(NewHandler(Config{Campaigns: coll, Name: "Donation Exporter", MetricsPath: "/metrics",
		Now: func() time.Time { return now }}))
	t.Cleanup(server.Close)
	_, body := getPage(t, server.URL+"/")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	row := func(name string) *goquery.Selection { return doc.Find(`tr[data-campaign="` + name + `"]`) }
	text := func(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }
	tests := []struct {
		name, got, want string
	}{
		{"ended state", row("ended").AttrOr("data-state", ""), "ended"},
		{"ended instead of days left", text(row("ended").Find("td.days-left")), "ended on 2017-08-30"},
		{"no projected shortfall once ended", text(row("ended").Find("td.shortfall")), "— no projection: the campaign has ended"},
		{"not red once ended", row("ended").Find("td.shortfall").AttrOr("class", ""), "shortfall"},
		{"not started state", row("not-started").AttrOr("data-state", ""), "not_started"},
		{"not started days left", text(row("not-started").Find("td.days-left")), "43.5 not started yet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

// TestStatusPagePaged serves 250 campaigns: PageSize a page, with links
// to the neighbour pages; a page past the last is a 404, a page number
// that is not one a 400.
func TestStatusPagePaged(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, `<p class="raised">$10</p>`)
	}))
	t.Cleanup(upstream.Close)
	var campaigns []source.Campaign
	for i := range 250 {
		campaigns = append(campaigns, source.Campaign{
			Name: fmt.Sprintf("c%03d", i), URL: upstream.URL, Kind: read.KindHTML,
			Spec: read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{
				read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector(".raised")}},
			}},
		})
	}
	coll := collector.NewScraper(collector.Config{Campaigns: campaigns, Fetcher: fetch.NewFetcher(fetch.FetcherConfig{})})
	server := httptest.NewServer(NewHandler(Config{Campaigns: coll, MetricsPath: "/metrics"}))
	t.Cleanup(server.Close)
	for _, tc := range []struct {
		query       string
		code        int
		first, last string
		rows        int
		prev, next  string
	}{
		{"", http.StatusOK, "c000", "c099", 100, "", "?page=2"},
		{"?page=2", http.StatusOK, "c100", "c199", 100, "?page=1", "?page=3"},
		{"?page=3", http.StatusOK, "c200", "c249", 50, "?page=2", ""},
		{"?page=4", http.StatusNotFound, "", "", 0, "", ""},
		{"?page=0", http.StatusBadRequest, "", "", 0, "", ""},
		{"?page=x", http.StatusBadRequest, "", "", 0, "", ""},
	} {
		t.Run(tc.query, func(t *testing.T) {
			code, body := getPage(t, server.URL+"/"+tc.query)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %.300s", code, tc.code, body)
			}
			if code != http.StatusOK {
				return
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rows := doc.Find("tr.campaign")
			if rows.Length() != tc.rows {
				t.Errorf("%d rows, want %d", rows.Length(), tc.rows)
			}
			if got := rows.First().AttrOr("data-campaign", ""); got != tc.first {
				t.Errorf("first row %q, want %q", got, tc.first)
			}
			if got := rows.Last().AttrOr("data-campaign", ""); got != tc.last {
				t.Errorf("last row %q, want %q", got, tc.last)
			}
			if got := doc.Find(`a[rel=prev]`).AttrOr("href", ""); got != tc.prev {
				t.Errorf("previous page link %q, want %q", got, tc.prev)
			}
			if got := doc.Find(`a[rel=next]`).AttrOr("href", ""); got != tc.next {
				t.Errorf("next page link %q, want %q", got, tc.next)
			}
		})
	}
}
