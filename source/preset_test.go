package source_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/source"
)

// sampleCase reads one sample (testdata/<platform>/<file>), or a copy of it
// changed by edit, with a preset.
type sampleCase struct {
	name string
	file string
	// edit changes the real sample the way a platform's new markup or
	// data would; every old text must be in the sample.
	edit []string // old, new, old, new, ...
	want string   // see describe
	// notes holds one substring per note Extract must report.
	notes []string
	// wantErr holds substrings of the error; want is then ignored.
	wantErr []string
}

func runSamples(t *testing.T, preset, pageURL string, cases []sampleCase) {
	t.Helper()
	p, ok := source.LookupPreset(preset)
	if !ok {
		t.Fatalf("no preset %q", preset)
	}
	c := source.Campaign{URL: pageURL, Spec: source.Spec{AmountScale: 1, Location: time.UTC}}
	if err := p.Apply(&c, func(f source.Field) string { return "DONATION_CAMPAIGN_0_" + strings.ToUpper(string(f)) + "_SELECTOR" }); err != nil {
		t.Fatalf("Apply(%q): %v", pageURL, err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := sampleDoc(t, filepath.Join(preset, tc.file), tc.edit...)
			vals, err := source.Extract(doc, c.Spec)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("Extract gave %s, want an error", describe(vals))
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q\ndoes not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if got := describe(vals); got != tc.want {
				t.Errorf("values\n got %s\nwant %s", got, tc.want)
			}
			if len(vals.Notes) != len(tc.notes) {
				t.Fatalf("notes %q, want %d matching %q", vals.Notes, len(tc.notes), tc.notes)
			}
			for i, want := range tc.notes {
				if !strings.Contains(vals.Notes[i], want) {
					t.Errorf("note %q does not contain %q", vals.Notes[i], want)
				}
			}
		})
	}
}

// sampleDoc parses a sample as its extension says, after replacing each
// old text of edit (which must occur) by the new one.
func sampleDoc(t *testing.T, name string, edit ...string) *source.Document {
	t.Helper()
	body := readSample(t, name, edit...)
	kind := source.KindJSON
	if strings.HasSuffix(name, ".html") {
		kind = source.KindHTML
	}
	doc, err := source.ParseDocument([]byte(body), kind)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return doc
}

func readSample(t *testing.T, name string, edit ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
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

// describe writes every field of v on one line; "-" is unknown.
func describe(v source.Values) string {
	num := func(f *float64) string {
		if f == nil {
			return "-"
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	date := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	currency := v.Currency
	if currency == "" {
		currency = "-"
	}
	return "raised=" + num(v.Raised) + " target=" + num(v.Target) + " currency=" + currency +
		" start=" + date(v.Start) + " deadline=" + date(v.Deadline) + " donors=" + num(v.Donors)
}

func TestPresetSession(t *testing.T) {
	const want = "raised=65000 target=1000000 currency=USD start=- deadline=- donors=-"
	runSamples(t, "session", "https://getsession.org/donate", []sampleCase{
		{name: "data file", file: "donation-progress.json", want: want},
		{name: "API endpoint", file: "api-donation-progress-65000.json", want: want},
		// Each figure is on the page twice, and as compact text with
		// React's <!-- --> inside: the exact attribute is read, and the
		// other places agree with it.
		{name: "donate page", file: "donate-page-65000.html", want: want},
		{
			name: "page whose bars moved on but its data did not",
			file: "donate-page-65000.html",
			edit: []string{`aria-valuenow="65000"`, `aria-valuenow="90000"`},
			want: "raised=90000 target=1000000 currency=USD start=- deadline=- donors=-",
			notes: []string{
				`raised: 90000 read by "div[role=progressbar][aria-valuemax]@aria-valuenow", but 65000 by "script#__NEXT_DATA__`,
				`raised: 90000 read by "div[role=progressbar][aria-valuemax]@aria-valuenow", but 65000 by "span.font-bold:contains(\"raised\")`,
			},
		},
		{
			name: "error page",
			file: "donate-page-error-500.html",
			wantErr: []string{
				`preset session: field raised: matched nothing by any selector tried: "div[role=progressbar][aria-valuemax]@aria-valuenow" (matched nothing), "script#__NEXT_DATA__ | props.pageProps.donationProgress.currentAmount" (`,
				"; set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override",
				"preset session: field target: ",
				"; set DONATION_CAMPAIGN_0_TARGET_SELECTOR to override",
			},
		},
	})
}

func TestPresetGoFundMe(t *testing.T) {
	const want = "raised=254245 target=100000 currency=USD start=2020-12-11T02:52:08Z deadline=- donors=2609"
	// The progress heading of GoFundMe's CSS-module pages, as public
	// scrapers of 2024 read it (progress-meter_progressMeterHeading__A6Slt
	// holding the amount and "raised of <goal>").
	const newHeading = `<div class="progress-meter_progressMeterHeading__A6Slt hrt-text-body-sm">` +
		`<div class="hrt-disp-inline progress-meter_largeType__L_4O8">$350</div>` +
		`<span class="hrt-text-body-sm hrt-text-gray">raised of 1.8K</span></div>`
	oldHeading := `<h2 class="m-progress-meter-heading">$254,245 <span class="text-stat text-stat-title">raised of $100,000 goal</span></h2>`
	runSamples(t, "gofundme", "https://www.gofundme.com/f/family-memorial-fund", []sampleCase{
		{name: "initial state", file: "initial-state-2020.json", want: want},
		{name: "campaign page", file: "campaign-page-2020.html", want: want},
		{
			name: "heading disagrees with the state",
			file: "campaign-page-2020.html",
			edit: []string{"$254,245 <span", "$250,000 <span"},
			want: want,
			notes: []string{
				`raised: 254245 read by "script:contains(\"window.initialState\") | feed.campaign.current_amount", but 250000 by ".m-progress-meter-heading | /^(.+?)\\s*raised\\b/"`,
			},
		},
		{
			name: "newer page: hashed classes, no state",
			file: "campaign-page-2020.html",
			edit: []string{oldHeading, newHeading, "window.initialState", "window.somethingElse"},
			want: "raised=350 target=1800 currency=USD start=- deadline=- donors=-",
		},
		{
			name: "markup no longer matches",
			file: "campaign-page-2020.html",
			edit: []string{"window.initialState", "window.__STATE__", "m-progress-meter-heading", "campaign-progress"},
			wantErr: []string{
				`preset gofundme: field raised: matched nothing by any selector tried: ` +
					`"script:contains(\"window.initialState\") | feed.campaign.current_amount" (matched nothing), ` +
					`".m-progress-meter-heading | /^(.+?)\\s*raised\\b/" (matched nothing), ` +
					`"[class*=progress-meter_progressMeterHeading] | /^(.+?)\\s*raised\\b/" (matched nothing); ` +
					`set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`,
				"preset gofundme: field target: ",
			},
		},
	})
}

func TestPresetKickstarter(t *testing.T) {
	// deadline 1504220400 and launched_at 1501605380 are Unix seconds.
	const want = "raised=3061 target=30000 currency=USD start=2017-08-01T16:36:20Z deadline=2017-08-31T23:00:00Z donors=48"
	runSamples(t, "kickstarter", "https://www.kickstarter.com/projects/801305394/enemy-kitchen-by-michael-rakowitz-at-mca-chicago", []sampleCase{
		{name: "project object", file: "data-project-2017.json", want: want},
		{name: "escaped in data-project", file: "discover-card-2017.html", want: want},
		{
			name:    "no data-project attribute",
			file:    "discover-card-2017.html",
			edit:    []string{"data-project=", "data-card="},
			wantErr: []string{`preset kickstarter: field raised: selector "[data-project]@data-project | pledged": matched nothing; set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`},
		},
	})
}

func TestPresetLiberapay(t *testing.T) {
	runSamples(t, "liberapay", "https://liberapay.com/alice", []sampleCase{
		// goal null: no goal, so no target; amounts are per week.
		{name: "no goal", file: "public.json", want: "raised=3 target=- currency=EUR start=- deadline=- donors=1"},
		{name: "JSONP", file: "public-jsonp.js", want: "raised=3 target=- currency=EUR start=- deadline=- donors=1"},
		{name: "goal", file: "public-with-goal.json", want: "raised=58.25 target=100 currency=EUR start=- deadline=- donors=42"},
		{
			name: "goal absent",
			file: "public-with-goal.json",
			edit: []string{`"goal": {
        "amount": "100.00",
        "currency": "EUR"
    },`, ""},
			want: "raised=58.25 target=- currency=EUR start=- deadline=- donors=42",
		},
		{
			name:    "receiving hidden",
			file:    "public.json",
			edit:    []string{`"receiving": {`, `"hidden": {`},
			wantErr: []string{`preset liberapay: field raised: selector "receiving.amount": JSON path "receiving.amount" matched nothing; set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`},
		},
	})
}

func TestPresetOpenCollective(t *testing.T) {
	runSamples(t, "opencollective", "https://opencollective.com/shields", []sampleCase{
		// yearlyIncome 157371 cents; no goal in the endpoint.
		{name: "collective", file: "collective.json", want: "raised=1573.71 target=- currency=USD start=- deadline=- donors=35"},
	})
}

func TestPresetDonorbox(t *testing.T) {
	runSamples(t, "donorbox", "https://donorbox.org/help-example-project", []sampleCase{
		{name: "English", file: "campaign-en.html", want: "raised=26739 target=65000 currency=USD start=- deadline=- donors=312"},
		{name: "German separators", file: "campaign-de.html", want: "raised=44155.91 target=170000 currency=EUR start=- deadline=- donors=-"},
		{
			name:    "total moved",
			file:    "campaign-en.html",
			edit:    []string{`id="total-raised"`, `id="raised-total"`},
			wantErr: []string{`preset donorbox: field raised: selector "#total-raised": matched nothing; set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`},
		},
	})
}

func TestPresetGiveWP(t *testing.T) {
	runSamples(t, "givewp", "https://example.org/donations/support-our-library/", []sampleCase{
		// The bar's 0.27 (percent) agrees with 4,090 / 1.5 million.
		{name: "amount goal", file: "goal-amount.html", want: "raised=4090 target=1500000 currency=USD start=- deadline=- donors=-"},
		{
			name:  "amount goal, bar disagrees",
			file:  "goal-amount.html",
			edit:  []string{`aria-valuenow="0.27"`, `aria-valuenow="2.7"`},
			want:  "raised=4090 target=1500000 currency=USD start=- deadline=- donors=-",
			notes: []string{`progress: raised / target is 0.2727%, but ".give-goal-progress .give-progress-bar@aria-valuenow" reads 2.7%`},
		},
		{
			name:  "goal reached, bar stops at 100",
			file:  "goal-amount.html",
			edit:  []string{"$4,090", "$1,600,000", `aria-valuenow="0.27"`, `aria-valuenow="100"`},
			want:  "raised=1600000 target=1500000 currency=USD start=- deadline=- donors=-",
			notes: nil,
		},
		// Count goals: no money on the page, so no money figures.
		{name: "donors goal", file: "goal-donors.html", want: "raised=- target=- currency=- start=- deadline=- donors=37"},
		{
			name: "donations goal",
			file: "goal-donors.html",
			edit: []string{">37<", ">12<", "donors", "donations"},
			want: "raised=- target=- currency=- start=- deadline=- donors=12",
		},
		{
			name: "percentage goal shows no amount",
			file: "goal-amount.html",
			edit: []string{`<span class="income">$4,090</span> of <span class="goal-text">$1.5 million</span> raised`,
				`<span class="give-percentage">0%</span> funded`},
			wantErr: []string{
				`preset givewp: field raised: selector ".give-goal-progress .income": matched nothing; set DONATION_CAMPAIGN_0_RAISED_SELECTOR to override`,
				`preset givewp: field donors: `,
			},
		},
	})
}

func TestPresetFetchURL(t *testing.T) {
	tests := []struct {
		preset, page, want, wantErr string
	}{
		{preset: "session", page: "https://getsession.org/donate", want: "https://getsession.org/api/donation-progress"},
		{preset: "session", page: "https://getsession.org/de/donate?utm_source=x#goal", want: "https://getsession.org/api/donation-progress"},
		{preset: "session", page: "http://127.0.0.1:8080/donate", want: "http://127.0.0.1:8080/api/donation-progress"},
		{preset: "opencollective", page: "https://opencollective.com/shields", want: "https://opencollective.com/shields.json"},
		{preset: "opencollective", page: "https://opencollective.com/shields/contribute/backers-123", want: "https://opencollective.com/shields.json"},
		{preset: "opencollective", page: "https://opencollective.com/shields.json", want: "https://opencollective.com/shields.json"},
		{preset: "opencollective", page: "https://opencollective.com/", wantErr: `platform opencollective: "https://opencollective.com/" does not name a page (expected https://opencollective.com/<name>, read at /<name>.json)`},
		{preset: "liberapay", page: "https://liberapay.com/alice", want: "https://liberapay.com/alice/public.json"},
		{preset: "liberapay", page: "https://fr.liberapay.com/alice/donate?x=1", want: "https://fr.liberapay.com/alice/public.json"},
		{preset: "liberapay", page: "https://liberapay.com/alice/public.json?callback=foo", want: "https://liberapay.com/alice/public.json?callback=foo"},
		{preset: "gofundme", page: "https://www.gofundme.com/f/family-memorial-fund?qid=1", want: "https://www.gofundme.com/f/family-memorial-fund?qid=1"},
	}
	for _, tc := range tests {
		t.Run(tc.preset+" "+tc.page, func(t *testing.T) {
			p, ok := source.LookupPreset(tc.preset)
			if !ok {
				t.Fatalf("no preset %q", tc.preset)
			}
			got, err := p.FetchURL(tc.page)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("FetchURL(%q) = %q, %v; want error %q", tc.page, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("FetchURL(%q) = %q, %v; want %q", tc.page, got, err, tc.want)
			}
		})
	}
}

func TestDetectPreset(t *testing.T) {
	tests := []struct{ host, want string }{
		{"getsession.org", "session"},
		{"www.getsession.org", "session"},
		{"gofundme.com", "gofundme"},
		{"www.gofundme.com", "gofundme"},
		{"gofund.me", "gofundme"},
		{"WWW.GoFundMe.com.", "gofundme"},
		{"www.kickstarter.com", "kickstarter"},
		{"kickstarter.com", "kickstarter"},
		{"opencollective.com", "opencollective"},
		{"www.opencollective.com", "opencollective"},
		{"liberapay.com", "liberapay"},
		{"fr.liberapay.com", "liberapay"},
		{"donorbox.org", "donorbox"},
		{"www.donorbox.org", "donorbox"},
		// Not the platforms' campaign pages.
		{"api.opencollective.com", ""},
		{"docs.opencollective.com", ""},
		{"notgofundme.com", ""},
		{"gofundme.com.example.org", ""},
		{"liberapay.com.example.org", ""},
		{"127.0.0.1", ""},
		{"example.org", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			p, ok := source.DetectPreset(tc.host)
			if got := p.Name; got != tc.want || ok != (tc.want != "") {
				t.Errorf("DetectPreset(%q) = %q, %v; want %q", tc.host, got, ok, tc.want)
			}
		})
	}
}

func TestPresetTable(t *testing.T) {
	wantKinds := map[string]source.Kind{
		"donorbox": source.KindHTML, "givewp": source.KindHTML, "gofundme": source.KindAuto,
		"kickstarter": source.KindAuto, "liberapay": source.KindJSON, "opencollective": source.KindJSON,
		"session": source.KindAuto,
	}
	names := source.PresetNames()
	if !slices.IsSorted(names) || len(names) != len(wantKinds) {
		t.Fatalf("PresetNames() = %q, want the %d presets sorted", names, len(wantKinds))
	}
	for _, p := range source.Presets() {
		t.Run(p.Name, func(t *testing.T) {
			if got := p.Kind(); got != wantKinds[p.Name] {
				t.Errorf("Kind() = %v, want %v", got, wantKinds[p.Name])
			}
			if !p.Fields[source.FieldRaised].IsSet() {
				t.Error("the preset does not read raised")
			}
			for field, fs := range p.Fields {
				for _, sel := range slices.Concat(fs.Selectors, fs.Checks, fs.AbsentIf) {
					if err := sel.Validate(p.Kind()); err != nil && p.Kind() != source.KindAuto {
						t.Errorf("field %s: %v", field, err)
					}
				}
			}
		})
	}
}
