package preset

import (
	"slices"
	"strings"
	"testing"
)

// TestApplyFetchURL: a page URL maps to the platform's endpoint; a URL
// that already is an endpoint, or that is no page of the platform, is read
// as given.
func TestApplyFetchURL(t *testing.T) {
	reg := mustLoad(t)
	tests := []struct {
		preset, url, want string
		vars              string
		wantErr           string
	}{
		{preset: "session", url: "https://getsession.org/donate", want: "https://getsession.org/api/donation-progress"},
		{preset: "session", url: "http://127.0.0.1:8080/donate/", want: "http://127.0.0.1:8080/api/donation-progress"},
		{preset: "session", url: "https://getsession.org/api/donation-progress", want: "https://getsession.org/api/donation-progress"},
		{preset: "opencollective", url: "https://opencollective.com/shields", want: "https://opencollective.com/shields.json", vars: "slug=shields"},
		{preset: "opencollective", url: "https://opencollective.com/shields/contribute/backers-123", want: "https://opencollective.com/shields.json"},
		{preset: "opencollective", url: "https://opencollective.com/shields.json", want: "https://opencollective.com/shields.json"},
		{preset: "opencollective", url: "https://opencollective.com/", wantErr: "names no page of the platform"},
		{preset: "liberapay", url: "https://fr.liberapay.com/alice/donate?x=1", want: "https://fr.liberapay.com/alice/public.json"},
		{preset: "liberapay", url: "https://liberapay.com/alice/public.json?callback=foo", want: "https://liberapay.com/alice/public.json?callback=foo"},
		{preset: "liberapay", url: "https://liberapay.com/org/public-with-goal.json", want: "https://liberapay.com/org/public-with-goal.json"},
		{preset: "gofundme", url: "https://www.gofundme.com/f/family-memorial-fund?qid=1", want: "https://www.gofundme.com/f/family-memorial-fund?qid=1", vars: "slug=family-memorial-fund"},
		{preset: "kickstarter", url: "https://www.kickstarter.com/projects/802254752/project-gamer/backers", want: "https://www.kickstarter.com/projects/802254752/project-gamer/backers", vars: "creator=802254752 section=backers slug=project-gamer"},
		{preset: "donordrive", url: "https://www.extra-life.org/participant/297674", want: "https://www.extra-life.org/api/participants/297674"},
		{preset: "donordrive", url: "https://www.extra-life.org/index.cfm?fuseaction=donorDrive.participant&participantID=297674", want: "https://www.extra-life.org/api/participants/297674"},
		{preset: "donordrive", url: "https://www.extra-life.org/index.cfm?fuseaction=donordrive.team&teamid=5", want: "https://www.extra-life.org/api/teams/5"},
		{preset: "donordrive", url: "https://www.extra-life.org/index.cfm?fuseaction=donorDrive.participant&participantID=297674&format=json", want: "https://www.extra-life.org/index.cfm?fuseaction=donorDrive.participant&participantID=297674&format=json"},
		{preset: "donordrive", url: "https://www.extra-life.org/event/539", want: "https://www.extra-life.org/api/events/539"},
		{preset: "donordrive", url: "https://www.extra-life.org/api/participants/297674", want: "https://www.extra-life.org/api/participants/297674"},
		{preset: "kiva", url: "https://www.kiva.org/lend/1229448", want: "https://api.kivaws.org/v1/loans/1229448.json"},
		{preset: "betterplace", url: "https://www.betterplace.org/de/projects/1114-unterstutze-skateistan", want: "https://api.betterplace.org/de/api_v4/projects/1114.json"},
		{preset: "betterplace", url: "https://www.betterplace.org/en/fundraising-events/42-run", want: "https://api.betterplace.org/en/api_v4/fundraising_events/42.json"},
		{preset: "donorschoose", url: "https://www.donorschoose.org/project/whos-afraid-of-math-not-us/1390243/", want: "https://api.donorschoose.org/common/json_feed.html?id=1390243&APIKey=DONORSCHOOSE"},
		// A value that could break out of a quoted selector is no variable.
		{preset: "gofundme", url: "https://www.gofundme.com/f/a'%5D", want: "https://www.gofundme.com/f/a'%5D"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			p, ok := reg.Lookup(tc.preset)
			if !ok {
				t.Fatalf("no preset %s", tc.preset)
			}
			c, err := p.Apply(tc.url, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Apply: %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.FetchURL != tc.want {
				t.Errorf("FetchURL = %s, want %s", c.FetchURL, tc.want)
			}
			if tc.vars != "" && describeVars(c.Vars) != tc.vars {
				t.Errorf("Vars = %s, want %s", describeVars(c.Vars), tc.vars)
			}
		})
	}
}

func describeVars(vars map[string]string) string {
	var parts []string
	for k, v := range vars {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
