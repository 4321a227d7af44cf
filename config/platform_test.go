package config

import (
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
)

func TestLoadPlatform(t *testing.T) {
	tests := []struct {
		name string
		vars []string // DONATION_CAMPAIGN_0_ variables beyond NAME
		// preset is the preset expected to supply raised ("" for none).
		preset   string
		fetchURL string
		kind     read.Kind
		scale    float64
		// userFields are fields the configuration, not the preset, sets.
		userFields []read.Field
	}{
		{
			name:     "detected from the host, endpoint derived",
			vars:     []string{"URL=https://opencollective.com/shields"},
			preset:   "opencollective",
			fetchURL: "https://opencollective.com/shields.json",
			kind:     read.KindJSON,
			scale:    0.01,
		},
		{
			name:     "detected on a www host, page read",
			vars:     []string{"URL=https://www.gofundme.com/f/family-memorial-fund"},
			preset:   "gofundme",
			fetchURL: "https://www.gofundme.com/f/family-memorial-fund",
			kind:     read.KindAuto,
			scale:    1,
		},
		{
			name:       "detected, with fixed values that replace the preset's",
			vars:       []string{"URL=https://getsession.org/donate", "DEADLINE=2026-07-08", "CURRENCY=EUR"},
			preset:     "session",
			fetchURL:   "https://getsession.org/api/donation-progress",
			kind:       read.KindAuto,
			scale:      1,
			userFields: []read.Field{read.FieldCurrency, read.FieldDeadline},
		},
		{
			// The user's URL is what is read: an endpoint is not turned
			// into another endpoint (public-with-goal.json was once
			// read as public.json).
			name:     "a URL that already is an endpoint is read as given",
			vars:     []string{"URL=https://liberapay.com/example-org/public-with-goal.json"},
			preset:   "liberapay",
			fetchURL: "https://liberapay.com/example-org/public-with-goal.json",
			kind:     read.KindJSON,
			scale:    1,
		},
		{
			name:     "an endpoint URL keeps its query",
			vars:     []string{"URL=https://liberapay.com/alice/public.json?callback=foo"},
			preset:   "liberapay",
			fetchURL: "https://liberapay.com/alice/public.json?callback=foo",
			kind:     read.KindJSON,
			scale:    1,
		},
		{
			name:     "a page URL with a query maps to the API",
			vars:     []string{"URL=https://www.extra-life.org/index.cfm?fuseaction=donorDrive.participant&participantID=297674"},
			preset:   "donordrive",
			fetchURL: "https://www.extra-life.org/api/participants/297674",
			kind:     read.KindJSON,
			scale:    1,
		},
		{
			name:     "an endpoint on another host",
			vars:     []string{"URL=https://www.kiva.org/lend/1229448"},
			preset:   "kiva",
			fetchURL: "https://api.kivaws.org/v1/loans/1229448.json",
			kind:     read.KindJSON,
			scale:    1,
		},
		{
			name:     "named, on any host, in any case",
			vars:     []string{"URL=http://127.0.0.1:8080/alice", "PLATFORM=LiberaPay"},
			preset:   "liberapay",
			fetchURL: "http://127.0.0.1:8080/alice/public.json",
			kind:     read.KindJSON,
			scale:    1,
		},
		{
			name:       "named, a field overridden by a selector, scale by AMOUNT_SCALE",
			vars:       []string{"URL=https://opencollective.com/shields", "PLATFORM=opencollective", "RAISED_SELECTOR=balance", "AMOUNT_SCALE=1", "TARGET=5000"},
			preset:     "opencollective",
			fetchURL:   "https://opencollective.com/shields.json",
			kind:       read.KindJSON,
			scale:      1,
			userFields: []read.Field{read.FieldRaised, read.FieldTarget},
		},
		{
			// Selectors are written for the page: a preset that can read
			// the page reads it rather than its endpoint.
			name:       "selectors for a page the preset reads too",
			vars:       []string{"URL=https://getsession.org/donate", "RAISED_SELECTOR=div[role=progressbar]@aria-valuenow", "DEADLINE=2026-07-08"},
			preset:     "session",
			fetchURL:   "https://getsession.org/donate",
			kind:       read.KindAuto,
			scale:      1,
			userFields: []read.Field{read.FieldRaised, read.FieldDeadline},
		},
		{
			name:       "generic platform on a known host",
			vars:       []string{"URL=https://www.gofundme.com/f/x", "PLATFORM=html", "RAISED=10"},
			fetchURL:   "https://www.gofundme.com/f/x",
			kind:       read.KindHTML,
			scale:      1,
			userFields: []read.Field{read.FieldRaised},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			environ := campaign0("c", tc.vars...)
			cfg, err := Load(environ, testsupport.Presets())
			if err != nil {
				t.Fatal(err)
			}
			c := cfg.Campaigns[0]
			if c.FetchURL != tc.fetchURL || c.Kind != tc.kind || c.Spec.AmountScale != tc.scale {
				t.Errorf("fetch %q, kind %v, scale %v; want %q, %v, %v", c.FetchURL, c.Kind, c.Spec.AmountScale, tc.fetchURL, tc.kind, tc.scale)
			}
			for _, f := range read.Fields() {
				fs := c.Spec.Fields[f]
				if !fs.IsSet() {
					continue
				}
				want := tc.preset
				for _, u := range tc.userFields {
					if u == f {
						want = ""
					}
				}
				if fs.Preset != want {
					t.Errorf("field %s comes from preset %q, want %q", f, fs.Preset, want)
				}
				if want != "" && fs.Override != "DONATION_CAMPAIGN_0_"+strings.ToUpper(string(f))+"_SELECTOR" {
					t.Errorf("field %s names %q to override it", f, fs.Override)
				}
			}
		})
	}
}

func TestLoadPlatformErrors(t *testing.T) {
	tests := []struct {
		name    string
		vars    []string
		wantErr []string
	}{
		{
			name:    "unknown platform lists the known ones",
			vars:    []string{"URL=https://example.org/", "PLATFORM=myspace"},
			wantErr: []string{`DONATION_CAMPAIGN_0_PLATFORM: unknown platform "myspace" (known: html, json, betterplace, donorbox, donordrive, donorschoose, givewp, gofundme, justgiving, kickstarter, kiva, liberapay, opencollective, patreon, session, tiltify, tiltifyv3)`},
		},
		{
			name: "session needs a deadline",
			vars: []string{"URL=https://getsession.org/donate"},
			wantErr: []string{`DONATION_CAMPAIGN_0_DEADLINE: required with platform session: getsession.org gives its deadline only in prose`,
				"DEADLINE=2026-07-08"},
		},
		{
			name:    "a page URL with no name to derive the endpoint from",
			vars:    []string{"URL=https://opencollective.com/"},
			wantErr: []string{`DONATION_CAMPAIGN_0_URL: platform opencollective: "https://opencollective.com/" names no page of the platform (such as /{slug})`},
		},
		{
			name:    "an override that does not suit the endpoint",
			vars:    []string{"URL=https://liberapay.com/alice", "PLATFORM=liberapay", "TARGET_SELECTOR=div.goal | amount"},
			wantErr: []string{`DONATION_CAMPAIGN_0_TARGET_SELECTOR: selector "div.goal | amount": a JSON document takes a path alone`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			environ := campaign0("c", tc.vars...)
			_, err := Load(environ, testsupport.Presets())
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\nlacks %q", err, want)
				}
			}
		})
	}
}

// campaign0 is the environment of one campaign named name, with its other
// DONATION_CAMPAIGN_0_ variables written without the prefix ("URL=…").
func campaign0(name string, vars ...string) []string {
	environ := []string{"DONATION_CAMPAIGN_0_NAME=" + name}
	for _, v := range vars {
		environ = append(environ, "DONATION_CAMPAIGN_0_"+v)
	}
	return environ
}
