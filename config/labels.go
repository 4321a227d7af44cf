package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/source"
)

// Labels are a campaign's extra labels, put on every series of the
// campaign: DONATION_CAMPAIGN_<i>_LABELS="appeal=summer,team=north" as a
// variable, a map under labels: in the campaigns file. Reading never fails
// here; check says what is wrong, so that the error names the variable or
// the key like every other campaign setting.
type Labels struct {
	text     string            // as the variable gives it
	pairs    map[string]string // as the file gives it
	fromText bool
	yamlErr  error
}

// UnmarshalText keeps the variable's text for check.
func (l *Labels) UnmarshalText(b []byte) error {
	l.text, l.fromText = string(b), true
	return nil
}

// UnmarshalYAML reads a map of label names to values.
func (l *Labels) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		l.yamlErr = fmt.Errorf("line %d: want a map of label names to values, such as {appeal: summer, team: north}", node.Line)
		return nil
	}
	pairs := map[string]string{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			l.yamlErr = fmt.Errorf("line %d: label %q: want a text value", v.Line, k.Value)
			return nil
		}
		if _, dup := pairs[k.Value]; dup {
			l.yamlErr = fmt.Errorf("line %d: label %q given twice", k.Line, k.Value)
			return nil
		}
		pairs[k.Value] = v.Value
	}
	l.pairs = pairs
	return nil
}

// reservedLabels are set by the exporter itself (every label name a
// donation_* metric carries: TestReservedLabelsCoverMetrics in package
// collector keeps the list whole) or by Prometheus on every target; a
// campaign's label of that name would clash with them.
var reservedLabels = map[string]string{
	"campaign":     "the exporter's campaign name",
	"currency":     "the exporter's currency label",
	"platform":     "a label of donation_campaign_info",
	"raised_basis": "a label of donation_campaign_info",
	"donors_basis": "a label of donation_campaign_info",
	"forecast":     "a label of donation_campaign_info",
	"state":        "the exporter's campaign state label",
	"window":       "the window label of donation_recent_raised",
	"job":          "a Prometheus target label",
	"instance":     "a Prometheus target label",
}

var labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ReservedLabelNames lists the label names a campaign may not use.
func ReservedLabelNames() []string {
	names := make([]string, 0, len(reservedLabels))
	for n := range reservedLabels {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// check returns the labels as a map (nil when there are none) or what is
// wrong with them.
func (l Labels) check() (map[string]string, error) {
	if l.yamlErr != nil {
		return nil, l.yamlErr
	}
	pairs := l.pairs
	if l.fromText {
		pairs = map[string]string{}
		for _, item := range strings.Split(l.text, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			name, value, ok := strings.Cut(item, "=")
			if !ok {
				return nil, fmt.Errorf("%q is not name=value (write appeal=summer,team=north)", item)
			}
			name = strings.TrimSpace(name)
			if _, dup := pairs[name]; dup {
				return nil, fmt.Errorf("label %q given twice", name)
			}
			pairs[name] = strings.TrimSpace(value)
		}
	}
	if len(pairs) == 0 {
		return nil, nil
	}
	if len(pairs) > MaxLabelsPerCampaign {
		return nil, fmt.Errorf("%d labels: a campaign has at most %d", len(pairs), MaxLabelsPerCampaign)
	}
	var errs []error
	for _, name := range sortedKeys(pairs) {
		switch why, reserved := reservedLabels[name]; {
		case len(name) > MaxLabelNameBytes:
			errs = append(errs, fmt.Errorf("label name %s: %d bytes, at most %d", shortText(name), len(name), MaxLabelNameBytes))
		case len(pairs[name]) > MaxLabelValueBytes:
			errs = append(errs, fmt.Errorf("label %q: its value is %d bytes, at most %d", name, len(pairs[name]), MaxLabelValueBytes))
		case !labelNameRE.MatchString(name):
			errs = append(errs, fmt.Errorf("label name %q is not a Prometheus label name (letters, digits and _, not starting with a digit)", name))
		case strings.HasPrefix(name, "__"):
			errs = append(errs, fmt.Errorf("label name %q: names starting with __ are reserved for Prometheus", name))
		case reserved:
			errs = append(errs, fmt.Errorf("label name %q is reserved: it is %s", name, why))
		case pairs[name] == "":
			errs = append(errs, fmt.Errorf("label %q has no value (an empty label is no label: leave it out)", name))
		case !utf8.ValidString(pairs[name]):
			errs = append(errs, fmt.Errorf("label %q: its value %q is not valid UTF-8", name, pairs[name]))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return pairs, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkUTF8 reports each text setting of a campaign that is not valid
// UTF-8: names, label values and whatever else ends up in series, logs and
// pages must be text, and one bad byte must not reach a scrape.
func (ce CampaignEnv) checkUTF8(n naming) []error {
	var errs []error
	v := reflect.ValueOf(ce)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if s, ok := v.Field(i).Interface().(string); ok && !utf8.ValidString(s) {
			errs = append(errs, fmt.Errorf("%s: %q is not valid UTF-8", n.where(f.Tag.Get("env")), s))
		}
	}
	if !utf8.ValidString(ce.Labels.text) {
		errs = append(errs, fmt.Errorf("%s: %q is not valid UTF-8", n.where("LABELS"), ce.Labels.text))
	}
	return errs
}

// checkLabelNames bounds the label names all campaigns use together: every
// series of every campaign carries each of them, empty where a campaign
// has no such label.
func checkLabelNames(campaigns []source.Campaign) error {
	names := map[string]bool{}
	for _, c := range campaigns {
		for name := range c.Labels {
			names[name] = true
		}
	}
	if len(names) > MaxLabelNames {
		return fmt.Errorf("the campaigns use %d different label names together, more than %d: every series of every campaign carries each of them", len(names), MaxLabelNames)
	}
	return nil
}
