package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/read"

	"github.com/donation-exporter/donation_exporter/source"
)

// writeFile writes a campaigns file into a temporary directory.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "campaigns.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFileSaysWhatVariablesSay sets every campaign setting once as
// variables and once as a file entry: both build the same campaign.
func TestFileSaysWhatVariablesSay(t *testing.T) {
	values := map[string]string{
		"NAME": "spring", "URL": "https://example.org/donate", "PLATFORM": "html",
		"RAISED_SELECTOR": ".raised", "TARGET": "5000", "CURRENCY": "EUR",
		"START": "2026-01-01", "DEADLINE_SELECTOR": ".deadline", "DONORS_SELECTOR": ".donors",
		"AMOUNT_SCALE": "0.01", "TIMEZONE": "Europe/Berlin", "TIMEOUT": "3s",
		"INSECURE_SKIP_VERIFY": "true", "MIN_INTERVAL": "2m",
	}
	environ := []string{"DONATION_CAMPAIGN_0_LABELS=appeal=summer, team=north"}
	file := "campaigns:\n  - labels: {appeal: summer, team: north}\n"
	for k, v := range values {
		environ = append(environ, "DONATION_CAMPAIGN_0_"+k+"="+v)
		file += "    " + strings.ToLower(k) + ": " + v + "\n"
	}
	byVars, err := Load(environ)
	if err != nil {
		t.Fatal(err)
	}
	byFile, err := Load([]string{"DONATION_CONFIG_FILE=" + writeFile(t, file)})
	if err != nil {
		t.Fatal(err)
	}
	v, f := byVars.Campaigns[0], byFile.Campaigns[0]
	if v.Definition != f.Definition {
		t.Errorf("definitions differ:\nvariables: %s\nfile:      %s", v.Definition, f.Definition)
	}
	if !reflect.DeepEqual(v.Labels, f.Labels) || v.Labels["appeal"] != "summer" || v.Labels["team"] != "north" {
		t.Errorf("labels: variables %v, file %v", v.Labels, f.Labels)
	}
	if v.MinInterval != 2*time.Minute || f.MinInterval != v.MinInterval || f.Timeout != v.Timeout || !f.InsecureSkipVerify ||
		f.Spec.AmountScale != v.Spec.AmountScale || f.Spec.Location.String() != "Europe/Berlin" || len(f.Spec.Fields) != len(v.Spec.Fields) {
		t.Errorf("campaigns differ:\nvariables: %+v\nfile:      %+v", v, f)
	}
	// Every key of a file entry is a variable suffix, and the reverse.
	for _, k := range fileKeys() {
		field, ok := reflect.TypeFor[CampaignEnv]().FieldByNameFunc(func(n string) bool {
			sf, _ := reflect.TypeFor[CampaignEnv]().FieldByName(n)
			return sf.Tag.Get("yaml") == k
		})
		if !ok || strings.ToLower(field.Tag.Get("env")) != k {
			t.Errorf("file key %q is not the lower-case suffix of a variable (%v)", k, field.Tag)
		}
	}
}

func TestLoadCampaignsFile(t *testing.T) {
	cfg, err := Load([]string{
		"DONATION_MIN_INTERVAL=5m",
		"DONATION_CAMPAIGN_0_NAME=from-vars",
		"DONATION_CAMPAIGN_0_URL=https://example.org/a",
		"DONATION_CAMPAIGN_0_RAISED=10",
		"DONATION_CONFIG_FILE=" + writeFile(t, `
campaigns:
  - name: first
    url: https://example.org/b
    raised_selector: .raised
    target: 5000        # numbers are read as the variables' text
    labels:
      appeal: spring
  - name: second
    url: https://example.org/c
    raised: 7
    min_interval: 0s
`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cfg.Campaigns {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "from-vars,first,second" {
		t.Fatalf("campaigns %s, want the variables' first, then the file's in order", got)
	}
	if c := cfg.Campaigns[1]; c.MinInterval != 5*time.Minute || c.Labels["appeal"] != "spring" || c.Spec.Fields["target"].Literal != "5000" {
		t.Errorf("first = %+v", c)
	}
	if c := cfg.Campaigns[2]; c.MinInterval != 0 || c.Labels != nil {
		t.Errorf("second: min interval %v, labels %v; want 0s as given, no labels", c.MinInterval, c.Labels)
	}
}

func TestLoadCampaignsFileErrors(t *testing.T) {
	entry := "  - name: a\n    url: https://example.org/a\n    raised_selector: .raised\n"
	tests := []struct {
		name    string
		file    string // "" : no file at that path
		environ []string
		want    []string // substrings of the error
	}{
		{name: "missing file", want: []string{"DONATION_CONFIG_FILE", "no such file"}},
		{name: "empty file", file: "\n", want: []string{"campaigns.yml: empty", "campaigns:"}},
		{name: "not a campaigns list", file: "- name: a\n", want: []string{"campaigns.yml", "line 1", "top-level campaigns:"}},
		{name: "unknown top-level key", file: "campaign:\n" + entry, want: []string{"campaigns.yml: line 1", `unknown key "campaign"`}},
		{name: "unknown key names file, line and key", file: "campaigns:\n" + entry + "    raised_selectr: .x\n",
			want: []string{"campaigns.yml: line 5", `unknown key "raised_selectr"`, "raised_selector"}},
		{name: "partial file (cut mid-write)", file: "campaigns:\n" + entry + "  - name: b\n    url: \"https://exa",
			want: []string{"campaigns.yml", "line"}},
		{name: "bad value names file, line, entry, name and key",
			file: "campaigns:\n" + entry + "  - name: b\n    url: https://example.org/b\n    raised: 1\n    timeout: soon\n",
			want: []string{`campaigns.yml:5: campaigns[1] (name "b"): timeout: "soon" is not a positive duration`}},
		{name: "missing key in lower case",
			file: "campaigns:\n  - name: b\n    raised: 1\n",
			want: []string{`campaigns[0] (name "b"): url: required`}},
		{name: "selector that is not CSS, in lower case",
			file: "campaigns:\n  - name: b\n    url: https://example.org/b\n    raised_selector: div[[x\n",
			want: []string{`campaigns[0] (name "b"): raised_selector: selector "div[[x"`}},
		{name: "literal and selector together",
			file: "campaigns:\n" + entry + "    raised: 5\n",
			want: []string{"raised: set together with raised_selector"}},
		{name: "no name", file: "campaigns:\n  - url: https://example.org/b\n    raised: 1\n",
			want: []string{"campaigns.yml:2: campaigns[0]: name: required"}},
		{name: "duplicate name in the file", file: "campaigns:\n" + entry + entry,
			want: []string{`campaigns[1] (name "a"): name: "a" is already the name of`, "campaigns[0]"}},
		{name: "duplicate name across variables and file", file: "campaigns:\n" + entry,
			environ: []string{"DONATION_CAMPAIGN_0_NAME=a", "DONATION_CAMPAIGN_0_URL=https://example.org/v", "DONATION_CAMPAIGN_0_RAISED=1"},
			want:    []string{`campaigns[0] (name "a"): name: "a" is already the name of campaign 0`}},
		{name: "labels not a map", file: "campaigns:\n" + entry + "    labels: appeal=spring\n",
			want: []string{`(name "a"): labels: line 5: want a map`}},
		{name: "reserved label", file: "campaigns:\n" + entry + "    labels: {currency: EUR}\n",
			want: []string{`labels: label name "currency" is reserved`}},
		{name: "label name Prometheus refuses", file: "campaigns:\n" + entry + "    labels: {team-name: north, __x: y}\n",
			want: []string{`"team-name" is not a Prometheus label name`, `"__x": names starting with __ are reserved`}},
		{name: "two documents", file: "campaigns:\n" + entry + "---\ncampaigns: []\n", want: []string{"more than one YAML document"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "campaigns.yml")
			if tc.file != "" {
				path = writeFile(t, tc.file)
			}
			_, err := Load(append(tc.environ, "DONATION_CONFIG_FILE="+path))
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\ndoes not say %q", err, want)
				}
			}
		})
	}
}

func TestLabelsVariable(t *testing.T) {
	base := []string{"DONATION_CAMPAIGN_0_NAME=a", "DONATION_CAMPAIGN_0_URL=https://example.org/a", "DONATION_CAMPAIGN_0_RAISED=1"}
	tests := []struct {
		name, labels string
		want         map[string]string
		wantErr      string
	}{
		{name: "pairs", labels: "appeal=summer,team=north", want: map[string]string{"appeal": "summer", "team": "north"}},
		{name: "spaces and a trailing comma", labels: " appeal = summer , ", want: map[string]string{"appeal": "summer"}},
		{name: "empty", labels: "", want: nil},
		{name: "no equals sign", labels: "appeal", wantErr: `DONATION_CAMPAIGN_0_LABELS: "appeal" is not name=value`},
		{name: "twice", labels: "a=1,a=2", wantErr: `DONATION_CAMPAIGN_0_LABELS: label "a" given twice`},
		{name: "empty value", labels: "a=", wantErr: `label "a" has no value`},
		{name: "reserved", labels: "instance=x", wantErr: `label name "instance" is reserved`},
		{name: "bad name", labels: "1team=x", wantErr: `"1team" is not a Prometheus label name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Load(append(base, "DONATION_CAMPAIGN_0_LABELS="+tc.labels))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Campaigns[0].Labels; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("labels = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDefinitionIgnoresLabels: a reload that changes only a campaign's
// labels keeps its poller.
func TestDefinitionIgnoresLabels(t *testing.T) {
	load := func(labels string, raised string) string {
		cfg, err := Load([]string{"DONATION_CAMPAIGN_0_NAME=a", "DONATION_CAMPAIGN_0_URL=https://example.org/a",
			"DONATION_CAMPAIGN_0_RAISED=" + raised, "DONATION_CAMPAIGN_0_LABELS=" + labels})
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Campaigns[0].Definition
	}
	if load("a=1", "5") != load("a=2", "5") {
		t.Error("changing a label changed the definition")
	}
	if load("a=1", "5") == load("a=1", "6") {
		t.Error("changing RAISED did not change the definition")
	}
}

// TestLoadCampaignsReusesUnchanged: on a reload, a campaign whose
// definition did not change is not built again, but its labels are read
// anew and checked.
func TestLoadCampaignsReusesUnchanged(t *testing.T) {
	entry := func(name, raised, labels string) string {
		return "  - name: " + name + "\n    url: https://example.org/" + name + "\n    raised_selector: " + raised + "\n    labels: " + labels + "\n"
	}
	path := writeFile(t, "campaigns:\n"+entry("a", ".raised", "{team: north}")+entry("b", ".raised", "{team: north}"))
	cfg, err := Load([]string{"DONATION_CONFIG_FILE=" + path})
	if err != nil {
		t.Fatal(err)
	}
	fields := func(c source.Campaign) uintptr { return reflect.ValueOf(c.Spec.Fields).Pointer() }
	if err := os.WriteFile(path, []byte("campaigns:\n"+entry("a", ".raised", "{team: south}")+entry("b", ".amount", "{team: north}")), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := cfg.LoadCampaigns(cfg.Campaigns...)
	if err != nil {
		t.Fatal(err)
	}
	if fields(again[0]) != fields(cfg.Campaigns[0]) || again[0].Labels["team"] != "south" {
		t.Errorf("a (labels changed): rebuilt %v, labels %v; want reused with team=south", fields(again[0]) != fields(cfg.Campaigns[0]), again[0].Labels)
	}
	if fields(again[1]) == fields(cfg.Campaigns[1]) {
		t.Error("b (selector changed) was not built again")
	}
	if err := os.WriteFile(path, []byte("campaigns:\n"+entry("a", ".raised", "{campaign: x}")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.LoadCampaigns(cfg.Campaigns...); err == nil || !strings.Contains(err.Error(), `(name "a"): labels: label name "campaign" is reserved`) {
		t.Errorf("a reused campaign's bad label: err = %v", err)
	}
}

// TestSelectorsParsedOncePerLoad loads campaigns that read their figures
// with the same selector text: they share one parsed selector, and one
// with another text has its own.
func TestSelectorsParsedOncePerLoad(t *testing.T) {
	cfg, err := Load([]string{"DONATION_CONFIG_FILE=" + writeFile(t, `
campaigns:
  - {name: a, url: "https://example.org/a", platform: html, raised_selector: ".raised"}
  - {name: b, url: "https://example.org/b", platform: html, raised_selector: ".raised"}
  - {name: c, url: "https://example.org/c", platform: html, raised_selector: "#raised"}
`)})
	if err != nil {
		t.Fatal(err)
	}
	first := func(i int) *read.Selector { return &cfg.Campaigns[i].Spec.Fields[read.FieldRaised].Selectors[0] }
	if first(0) != first(1) {
		t.Error("campaigns a and b each parsed .raised: want one selector shared")
	}
	if first(0) == first(2) || first(2).String() != "#raised" {
		t.Errorf("campaign c reads %q, want its own #raised", first(2).String())
	}
}
