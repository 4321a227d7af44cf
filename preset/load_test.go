package preset

import (
	"strings"
	"testing"
	"testing/fstest"
)

func mustLoad(t testing.TB) *Registry {
	t.Helper()
	reg, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return reg
}

func TestLoad(t *testing.T) {
	reg := mustLoad(t)
	want := "betterplace donorbox donordrive donorschoose givewp gofundme justgiving kickstarter kiva liberapay opencollective patreon session tiltify tiltifyv3"
	if got := strings.Join(reg.Names(), " "); got != want {
		t.Errorf("Names() = %s, want %s", got, want)
	}
	for _, p := range reg.Presets() {
		if p.Notes == "" || p.Title == "" {
			t.Errorf("%s: title and notes are what docs/platforms.md shows; both are required", p.Name)
		}
	}
}

// TestLoadRejects checks that a preset file with a mistake fails at start
// with a message naming the file and the mistake.
func TestLoadRejects(t *testing.T) {
	const good = `name: x
title: X
kind: html
raised_basis: cumulative
fields:
  raised:
    selectors: ["#raised"]
`
	tests := []struct {
		name, yaml, wantErr string
	}{
		{name: "unknown key", yaml: good + "colour: red\n", wantErr: "line 8: field colour not found"},
		{name: "name is not the file's", yaml: strings.Replace(good, "name: x", "name: y", 1), wantErr: `name "y" must be the file's name, "x"`},
		{name: "auth with query and header", yaml: good + "auth: {key: k, query: api_key, header: X-Key}\n", wantErr: "auth: a query parameter or a header, not both"},
		{name: "auth without key", yaml: good + "auth: {required: true}\n", wantErr: "auth: key is required"},
		{name: "auth header not a name", yaml: good + "auth: {key: k, header: \"X Key\"}\n", wantErr: `auth: header "X Key" is not a header name`},
		{name: "negative min_interval", yaml: good + "min_interval: -15s\n", wantErr: "min_interval -15s must not be negative"},
		{name: "min_interval not a duration", yaml: good + "min_interval: often\n", wantErr: "often"},
		{name: "bad kind", yaml: strings.Replace(good, "kind: html", "kind: xml", 1), wantErr: `kind "xml"`},
		{name: "bad basis", yaml: strings.Replace(good, "cumulative", "weekly", 1), wantErr: `raised_basis "weekly"`},
		{name: "bad selector", yaml: strings.Replace(good, `"#raised"`, `"div[["`, 1), wantErr: `is not a CSS selector`},
		{name: "bad JSONPath", yaml: strings.Replace(good, `"#raised"`, `"$..[?@.a=="`, 1), wantErr: `JSONPath`},
		{name: "variable no page captures", yaml: strings.Replace(good, `"#raised"`, `"$..[?@.slug=='{slug}'].a"`, 1), wantErr: "uses {slug}, which no page pattern captures"},
		{name: "variable unescaped in a JSONPath regexp", yaml: strings.Replace(good, `"#raised"`, `"$..[?search(@.url, '/p/{slug}$')].a"`, 1) + "pages:\n  - page: /p/{slug}\n", wantErr: "puts {slug} into a regular expression unescaped: write {slug:regexp}"},
		{name: "variable unescaped in a regexp stage", yaml: strings.Replace(good, `"#raised"`, `"h1 | /{slug} raised (.*)/"`, 1) + "pages:\n  - page: /p/{slug}\n", wantErr: "puts {slug} into a regular expression unescaped"},
		{name: "unknown modifier", yaml: strings.Replace(good, `"#raised"`, `"$..[?@.s=='{slug:lower}'].a"`, 1) + "pages:\n  - page: /p/{slug}\n", wantErr: "{slug:lower}: the only modifier is :regexp"},
		{name: "unknown field", yaml: good + "  raisd:\n    selectors: [\"#a\"]\n", wantErr: `field "raisd"`},
		{name: "variable not lower-case", yaml: good + "pages:\n  - page: /p/{shortName}\n", wantErr: `"/p/{shortName}": a {name} is lower-case letters`},
		{name: "endpoint variable not captured", yaml: good + "pages:\n  - page: /a/{id}\n    endpoint: /api/{slug}\n", wantErr: "uses {slug}, which the page does not capture"},
		{name: "selector for the other kind", yaml: good + "  target:\n    selectors:\n      - json: goal\n", wantErr: "is for json documents, and the preset reads html"},
		{name: "donors without a basis", yaml: good + "  donors:\n    selectors: [\"#d\"]\n", wantErr: "donors_basis is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{"presets/x.yaml": {Data: []byte(tc.yaml)}}, "presets")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "presets/x.yaml") {
				t.Errorf("load: %v; want an error naming presets/x.yaml and containing %q", err, tc.wantErr)
			}
		})
	}
	if _, err := load(fstest.MapFS{"presets/x.yaml": {Data: []byte(good)}}, "presets"); err != nil {
		t.Errorf("the good preset: %v", err)
	}
}

func TestDetect(t *testing.T) {
	reg := mustLoad(t)
	tests := []struct{ host, want string }{
		{"getsession.org", "session"},
		{"gofundme.com", "gofundme"},
		{"gofund.me", "gofundme"},
		{"WWW.GoFundMe.com.", "gofundme"},
		{"www.kickstarter.com", "kickstarter"},
		{"opencollective.com", "opencollective"},
		{"fr.liberapay.com", "liberapay"},
		{"donorbox.org", "donorbox"},
		{"www.patreon.com", "patreon"},
		{"www.extra-life.org", "donordrive"},
		{"events.donordrive.com", "donordrive"},
		{"www.kiva.org", "kiva"},
		{"www.betterplace.org", "betterplace"},
		{"www.donorschoose.org", "donorschoose"},
		{"www.justgiving.com", "justgiving"},
		{"api.justgiving.com", "justgiving"},
		// Not the platforms' pages.
		{"api.opencollective.com", ""},
		{"notgofundme.com", ""},
		{"gofundme.com.example.org", ""},
		{"127.0.0.1", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			p, ok := reg.Detect(tc.host)
			got := ""
			if ok {
				got = p.Name
			}
			if got != tc.want {
				t.Errorf("Detect(%q) = %q, want %q", tc.host, got, tc.want)
			}
		})
	}
}
