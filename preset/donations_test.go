package preset

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestApplyDonations: the pages that name a donation list give its URL,
// on the page's host, with the preset's paths and paging; the others none.
func TestApplyDonations(t *testing.T) {
	reg := mustLoad(t)
	tests := []struct {
		preset, url, want string
	}{
		{preset: "donordrive", url: "https://www.extra-life.org/participant/297674", want: "https://www.extra-life.org/api/participants/297674/donations"},
		{preset: "donordrive", url: "https://www.extra-life.org/index.cfm?fuseaction=donorDrive.team&teamID=5", want: "https://www.extra-life.org/api/teams/5/donations"},
		{preset: "donordrive", url: "http://127.0.0.1:9/event/539", want: "http://127.0.0.1:9/api/events/539/donations"},
		// A URL that is the endpoint already names its list too.
		{preset: "donordrive", url: "https://www.extra-life.org/api/participants/297674", want: "https://www.extra-life.org/api/participants/297674/donations"},
		// The API of before 2018 had no list the preset knows.
		{preset: "donordrive", url: "https://www.extra-life.org/index.cfm?fuseaction=donorDrive.participant&participantID=297674&format=json"},
		{preset: "liberapay", url: "https://liberapay.com/alice"},
	}
	for _, tc := range tests {
		t.Run(tc.preset+" "+tc.url, func(t *testing.T) {
			p, _ := reg.Lookup(tc.preset)
			c, err := p.Apply(tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if c.Donations != nil {
					t.Fatalf("donations = %+v, want none", c.Donations)
				}
				return
			}
			if c.Donations == nil {
				t.Fatalf("no donation list, want %s", tc.want)
			}
			d := *c.Donations
			if d.URL != tc.want || d.Amount != "amount" || d.Time != "createdDateUTC" ||
				d.LimitParam != "limit" || d.MaxLimit != 100 || d.OffsetParam != "offset" || d.TotalHeader != "Num-Records" {
				t.Errorf("donations = %+v, want %s with DonorDrive's paths and paging", d, tc.want)
			}
		})
	}
}

func TestLoadRejectsDonations(t *testing.T) {
	const good = `name: x
title: X
kind: json
raised_basis: cumulative
fields:
  raised:
    selectors: ["$.raised"]
pages:
  - page: /p/{id}
    endpoint: /api/{id}
    donations: /api/{id}/donations
donations:
  amount: amount
  time: at
  order: newest_first
  paging:
    limit: limit
    max_limit: 100
    offset: offset
`
	tests := []struct {
		name, yaml, wantErr string
	}{
		{name: "list named, format not given", yaml: strings.Split(good, "donations:\n  amount")[0], wantErr: "pages name donation lists, and the preset says not how to read them"},
		{name: "format given, no list named", yaml: strings.Replace(good, "    donations: /api/{id}/donations\n", "", 1), wantErr: "no page names a donation list"},
		{name: "variable not captured", yaml: strings.Replace(good, "/api/{id}/donations", "/api/{slug}/donations", 1), wantErr: `donations "/api/{slug}/donations" uses {slug}`},
		{name: "not a path", yaml: strings.Replace(good, "/api/{id}/donations", "ftp://x/{id}", 1), wantErr: "want a path or an https URL"},
		{name: "no time", yaml: strings.Replace(good, "  time: at\n", "", 1), wantErr: "amount and time are required"},
		{name: "oldest first", yaml: strings.Replace(good, "newest_first", "oldest_first", 1), wantErr: `order "oldest_first"`},
		{name: "paging without offset", yaml: strings.Replace(good, "    offset: offset\n", "", 1), wantErr: "paging by limit needs max_limit and offset"},
		{name: "offset without limit", yaml: strings.Replace(strings.Replace(good, "    limit: limit\n", "", 1), "    max_limit: 100\n", "", 1), wantErr: "offset without limit"},
		{name: "an HTML preset", yaml: strings.Replace(strings.Replace(good, "kind: json", "kind: html", 1), `"$.raised"`, `"#raised"`, 1), wantErr: "read from JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{"presets/x.yaml": {Data: []byte(tc.yaml)}}, "presets")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("load: %v; want an error containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := load(fstest.MapFS{"presets/x.yaml": {Data: []byte(good)}}, "presets"); err != nil {
		t.Errorf("the good preset: %v", err)
	}
}
