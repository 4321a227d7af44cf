package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
)

// Setting is one variable the exporter reads, as --help and
// docs/configuration.md show it.
type Setting struct {
	// Name is the whole variable name; a campaign's has <i> for its number.
	Name string
	// Default is what an unset variable means; empty when unset means
	// "none" (the field is unknown, or the feature off).
	Default string
	// Meaning says what the variable does, in one paragraph.
	Meaning string
	// Flag is the command-line flag that sets the same thing (without its
	// dashes), the name Prometheus exporters share; empty when there is
	// none. A flag given wins over the variable.
	Flag string
}

// CampaignPrefix starts every campaign variable, before its number.
const CampaignPrefix = Prefix + "CAMPAIGN_"

// Settings lists the exporter's variables, then one campaign's, in the
// order of the Env and CampaignEnv fields. It is built from their struct
// tags (env, envDefault, flag, and help plus helpDefault for a default
// that is not envDefault's), so that the reference cannot drift from what Load
// reads; TestSettingsHaveHelp fails for a field without help.
func Settings() []Setting {
	settings := settingsOf(reflect.TypeFor[Env](), Prefix)
	return append(settings, settingsOf(reflect.TypeFor[CampaignEnv](), CampaignPrefix+"<i>_")...)
}

func settingsOf(t reflect.Type, prefix string) []Setting {
	var settings []Setting
	for field := range t.Fields() {
		name, ok := field.Tag.Lookup("env")
		if !ok {
			continue // CampaignVars: listed on their own, after Env's
		}
		def, ok := field.Tag.Lookup("envDefault")
		if !ok {
			def = field.Tag.Get("helpDefault")
		}
		settings = append(settings, Setting{Name: prefix + name, Default: def, Meaning: field.Tag.Get("help"), Flag: field.Tag.Get("flag")})
	}
	return settings
}

// ReferenceMarkdown is docs/configuration.md.
func ReferenceMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Configuration reference

Generated from the struct tags of ` + "`config.Env` and `config.CampaignEnv`" + ` by
` + "`go test ./config -run TestConfigurationDoc -update`" + `: do not edit by hand. ` + "`donation_exporter --help`" + `
prints the same list.

Everything is configured through environment variables; the settings Prometheus exporters share also
have their usual flag (` + "`--web.listen-address`" + `, …), which wins over the variable. Many campaigns may also come from a campaigns
file ([campaigns-file.md](campaigns-file.md)), whose keys are the campaign variables' suffixes in lower
case. Invalid configuration stops the exporter at start with a message naming each variable at fault;
so does a ` + "`DONATION_`" + ` variable it does not know (a typo, or a gap in the campaign numbers).

`)
	env, campaign := splitSettings(Settings())
	b.WriteString("## Exporter\n\n")
	writeTable(&b, env)
	b.WriteString(`
## Campaigns

Campaigns are numbered from 0 with no gap: ` + "`DONATION_CAMPAIGN_0_NAME`, `DONATION_CAMPAIGN_1_NAME`" + `, …
A field is given either as a fixed value (` + "`TARGET`" + `) or as a selector that reads it from the page
(` + "`TARGET_SELECTOR`" + `, see [selectors.md](selectors.md)); setting both is a configuration error. A field with
neither (and no preset that reads it) is unknown, and the gauges that need it are left out.

`)
	writeTable(&b, campaign)
	b.WriteString(limitsMarkdown())
	return b.String()
}

// splitSettings separates the exporter's settings from a campaign's.
func splitSettings(all []Setting) (env, campaign []Setting) {
	for _, s := range all {
		if strings.HasPrefix(s.Name, CampaignPrefix) {
			campaign = append(campaign, s)
		} else {
			env = append(env, s)
		}
	}
	return env, campaign
}

// docPath is a doc named in a setting's help: a link in
// docs/configuration.md, which sits beside it.
var docPath = regexp.MustCompile(`docs/([a-z-]+\.md(?:#[a-z0-9-]+)?)`)

// writeTable writes the settings as a Markdown table, with a Flag column
// when one of them has a flag.
func writeTable(b *strings.Builder, settings []Setting) {
	flags := false
	for _, s := range settings {
		flags = flags || s.Flag != ""
	}
	if flags {
		b.WriteString("| Variable | Flag | Default | Meaning |\n|---|---|---|---|\n")
	} else {
		b.WriteString("| Variable | Default | Meaning |\n|---|---|---|\n")
	}
	for _, s := range settings {
		def := ""
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		meaning := docPath.ReplaceAllString(strings.ReplaceAll(s.Meaning, "|", `\|`), "[$1]($1)")
		fmt.Fprintf(b, "| `%s` ", s.Name)
		if flags {
			flag := ""
			if s.Flag != "" {
				flag = "`--" + s.Flag + "`"
			}
			fmt.Fprintf(b, "| %s ", flag)
		}
		fmt.Fprintf(b, "| %s | %s |\n", def, meaning)
	}
}

// HelpText is what donation_exporter --help prints: the settings with
// their defaults, as plain text for a terminal.
func HelpText() string {
	var b strings.Builder
	env, campaign := splitSettings(Settings())
	b.WriteString("Exporter settings (environment variables, and the flag that wins over the variable):\n\n")
	writeHelp(&b, env)
	b.WriteString("\nCampaign settings, numbered from 0 with no gap (or keys of DONATION_CONFIG_FILE's entries, in lower case):\n\n")
	writeHelp(&b, campaign)
	return b.String()
}

func writeHelp(b *strings.Builder, settings []Setting) {
	for _, s := range settings {
		b.WriteString("  " + s.Name)
		if s.Flag != "" {
			b.WriteString(", --" + s.Flag)
		}
		if s.Default != "" {
			fmt.Fprintf(b, " (default %s)", s.Default)
		}
		b.WriteString("\n")
		for _, line := range wrap(s.Meaning, 72) {
			b.WriteString("      " + line + "\n")
		}
	}
}

// wrap breaks text into lines of at most width runes, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// CampaignsFileKeysMarkdown is the table of keys in docs/campaigns-file.md:
// every campaign setting by its key in the campaigns file, from the yaml
// tags of CampaignEnv, so that a new setting cannot be missing from it.
func CampaignsFileKeysMarkdown() string {
	var b strings.Builder
	b.WriteString("| Key | Variable | Default |\n|---|---|---|\n")
	for field := range reflect.TypeFor[CampaignEnv]().Fields() {
		key, name := field.Tag.Get("yaml"), field.Tag.Get("env")
		if key == "" || name == "" {
			continue
		}
		def := field.Tag.Get("envDefault")
		if def == "" {
			def = field.Tag.Get("helpDefault")
		}
		if def != "" {
			def = "`" + def + "`"
		}
		fmt.Fprintf(&b, "| `%s` | `%s<i>_%s` | %s |\n", key, CampaignPrefix, name, def)
	}
	return b.String()
}
