package config

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/configuration.md from the struct tags")

const configurationDoc = "../docs/configuration.md"

// TestConfigurationDoc fails when docs/configuration.md is not what the
// struct tags say. Regenerate it with
//
//	go test ./config -run TestConfigurationDoc -update
func TestConfigurationDoc(t *testing.T) {
	want := ReferenceMarkdown()
	if *updateDocs {
		if err := os.WriteFile(configurationDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(configurationDoc)
	if err != nil {
		t.Fatalf("%v: generate it with go test ./config -run TestConfigurationDoc -update", err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./config -run TestConfigurationDoc -update", configurationDoc)
	}
}

// TestSettingsHaveHelp: every variable Load reads has a description, so
// that a new one cannot be added without one in --help and the docs.
func TestSettingsHaveHelp(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[Env](), reflect.TypeFor[CampaignEnv]()} {
		for field := range typ.Fields() {
			if _, ok := field.Tag.Lookup("env"); !ok {
				continue
			}
			t.Run(typ.Name()+"."+field.Name, func(t *testing.T) {
				if strings.TrimSpace(field.Tag.Get("help")) == "" {
					t.Errorf("%s.%s has no help tag: add help:\"what it does\" (it is shown by --help and in docs/configuration.md)", typ.Name(), field.Name)
				}
			})
		}
	}
}

// TestSettingsListEveryVariable: the reference names every variable the
// loader accepts, with the default the loader applies.
func TestSettingsListEveryVariable(t *testing.T) {
	byName := map[string]Setting{}
	for _, s := range Settings() {
		if _, dup := byName[s.Name]; dup {
			t.Errorf("%s listed twice", s.Name)
		}
		byName[s.Name] = s
	}
	for _, tc := range []struct{ name, def string }{
		{"DONATION_LISTEN_ADDRESS", ":9366"},
		{"DONATION_METRICS_PATH", "/metrics"},
		{"DONATION_MAX_BODY_BYTES", "5242880"},
		{"DONATION_DEMO", "false"},
		{"DONATION_CAMPAIGN_<i>_NAME", ""},
		{"DONATION_CAMPAIGN_<i>_TIMEOUT", "10s"},
		{"DONATION_CAMPAIGN_<i>_LABELS", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := byName[tc.name]
			if !ok {
				t.Fatalf("not in Settings()")
			}
			if s.Default != tc.def {
				t.Errorf("default %q, want %q", s.Default, tc.def)
			}
		})
	}
	// Every variable in the reference is one Load accepts.
	environ := []string{"DONATION_CAMPAIGN_0_NAME=x", "DONATION_CAMPAIGN_0_URL=http://127.0.0.1:1/"}
	for _, s := range Settings() {
		name := strings.ReplaceAll(s.Name, "<i>", "0")
		if _, err := Load(append(environ, name+"=")); err != nil && strings.Contains(err.Error(), "unknown") {
			t.Errorf("%s: Load does not know it: %v", s.Name, err)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"empty", "", nil},
		{"fits", "a b c", []string{"a b c"}},
		{"breaks at a space", "aaaa bbbb cccc", []string{"aaaa", "bbbb", "cccc"}},
		{"long word kept whole", "aaaaaaaaaa b", []string{"aaaaaaaaaa", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrap(tc.text, 5); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("wrap(%q, 5) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

const campaignsFileDoc = "../docs/campaigns-file.md"

// keysSection is the generated part of docs/campaigns-file.md.
var keysSection = regexp.MustCompile(`(?s)(<!-- begin keys[^>]*-->\n).*?(<!-- end keys -->)`)

// TestCampaignsFileDoc fails when the key table of docs/campaigns-file.md
// is not CampaignEnv's keys. Regenerate it with
//
//	go test ./config -run TestCampaignsFileDoc -update
func TestCampaignsFileDoc(t *testing.T) {
	doc, err := os.ReadFile(campaignsFileDoc)
	if err != nil {
		t.Fatal(err)
	}
	if !keysSection.Match(doc) {
		t.Fatalf("%s has no <!-- begin keys --> … <!-- end keys --> section", campaignsFileDoc)
	}
	want := keysSection.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := keysSection.FindSubmatch(m)
		return slices.Concat(sub[1], []byte(CampaignsFileKeysMarkdown()), sub[2])
	})
	if *updateDocs {
		if err := os.WriteFile(campaignsFileDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(doc, want) {
		t.Errorf("the key table of %s is stale: run go test ./config -run TestCampaignsFileDoc -update", campaignsFileDoc)
	}
}

// TestDocsNameReservedLabels: the LABELS help and docs/campaigns-file.md
// name every label a campaign may not use, so that a new metric label is
// not left out of what users read.
func TestDocsNameReservedLabels(t *testing.T) {
	doc, err := os.ReadFile(campaignsFileDoc)
	if err != nil {
		t.Fatal(err)
	}
	field, _ := reflect.TypeFor[CampaignEnv]().FieldByName("Labels")
	for _, name := range ReservedLabelNames() {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("%s does not name the reserved label %s", campaignsFileDoc, name)
			}
			if !regexp.MustCompile(`\b` + name + `\b`).MatchString(field.Tag.Get("help")) {
				t.Errorf("the help of LABELS does not name the reserved label %s", name)
			}
		})
	}
}
