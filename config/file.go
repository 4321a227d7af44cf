package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// The campaigns file, DONATION_CONFIG_FILE:
//
//	campaigns:
//	  - name: spring-appeal
//	    url: https://example.org/donate
//	    raised_selector: .raised
//	    labels: {appeal: spring, team: north}
//
// Each entry is a CampaignEnv: its keys are the campaign variables'
// suffixes in lower case.

// fileEntry is a campaign read from the file, with where it was.
type fileEntry struct {
	CampaignEnv
	line int
}

// LoadCampaigns builds the campaigns: those of the variables, in index
// order, then those of the campaigns file, in file order. Names are unique
// across both. The file is read anew on every call: this is what a reload
// does. Errors name the variable, or the file, line, entry and key.
//
// previous are the campaigns running, on a reload: one whose definition
// did not change is taken as it was built (its labels are read anew), so a
// reload of 10,000 campaigns compiles only those that changed.
func (e Env) LoadCampaigns(previous ...source.Campaign) ([]source.Campaign, error) {
	var errs []error
	var campaigns []source.Campaign
	built := make(map[string]source.Campaign, len(previous))
	for _, c := range previous {
		if c.Definition != "" {
			built[c.Definition] = c
		}
	}
	presets, err := preset.Load()
	if err != nil {
		return nil, fmt.Errorf("platform presets: %w", err)
	}
	seen := map[string]string{} // campaign name → where it was defined
	zones, selectors := map[string]*time.Location{}, map[string][]read.Selector{}
	add := func(ce CampaignEnv, n naming, nameWhere string) {
		definition := ce.definition(e.MinInterval, e.MaxStaleness)
		c, unchanged := built[definition]
		if unchanged {
			labels, err := ce.Labels.check()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", n.where("LABELS"), err))
				return
			}
			c.Labels = labels
		} else {
			n.zones, n.selectors = zones, selectors
			var err error
			if c, err = ce.compile(n, presets); err != nil {
				errs = append(errs, err)
				return
			}
			if err := e.applyDefaults(ce, n, &c); err != nil {
				errs = append(errs, err)
				return
			}
			c.Definition = definition
		}
		if other, dup := seen[c.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: %q is already the name of %s", n.where("NAME"), c.Name, other))
			return
		}
		seen[c.Name] = nameWhere
		campaigns = append(campaigns, c)
	}
	for i, ce := range e.CampaignVars {
		add(ce, envNaming(i), fmt.Sprintf("campaign %d", i))
	}
	if e.ConfigFile != "" {
		entries, err := readCampaignsFile(e.ConfigFile)
		if err != nil {
			return nil, joinBounded(append(errs, err)...)
		}
		if n := len(e.CampaignVars) + len(entries); n > MaxCampaigns {
			return nil, fmt.Errorf("%d campaigns (%d of variables, %d of %s): more than the %d an exporter watches",
				n, len(e.CampaignVars), len(entries), e.ConfigFile, MaxCampaigns)
		}
		for i, entry := range entries {
			add(entry.CampaignEnv, fileNaming(e.ConfigFile, i, entry), fmt.Sprintf("%s campaigns[%d]", e.ConfigFile, i))
		}
	}
	if err := checkLabelNames(campaigns); err != nil {
		errs = append(errs, err)
	}
	if err := joinBounded(errs...); err != nil {
		return nil, err
	}
	return campaigns, nil
}

// applyDefaults gives c the exporter-wide MIN_INTERVAL and MAX_STALENESS
// where its own settings give none, and checks the two together.
func (e Env) applyDefaults(ce CampaignEnv, n naming, c *source.Campaign) error {
	intervalVar, stalenessVar := Prefix+"MIN_INTERVAL", Prefix+"MAX_STALENESS"
	if strings.TrimSpace(ce.MinInterval) == "" {
		c.MinInterval = e.MinInterval
	} else {
		intervalVar = n.where("MIN_INTERVAL")
	}
	if strings.TrimSpace(ce.MaxStaleness) == "" {
		c.MaxStaleness = e.MaxStaleness
	} else {
		stalenessVar = n.where("MAX_STALENESS")
	}
	if c.MinInterval >= c.MaxStaleness && c.MaxStaleness > 0 {
		return fmt.Errorf("%s: %v must be shorter than %s (%v): figures served between two fetches would be too old to report",
			intervalVar, c.MinInterval, stalenessVar, c.MaxStaleness)
	}
	return nil
}

// fileNaming names an entry's keys in errors: the file, the entry's line,
// index and name, then the key.
func fileNaming(path string, i int, entry fileEntry) naming {
	name := strings.TrimSpace(entry.Name)
	if name == "" {
		return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d]: ", path, entry.line, i), lower: true}
	}
	return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d] (name %s): ", path, entry.line, i, shortText(name)), lower: true}
}

// readCampaignsFile reads and strictly decodes the campaigns file: an
// unknown key is an error naming the file, the line and the key. The text
// is parsed once, into nodes; the keys are checked here (yaml's own
// KnownFields works on a Decoder only, which would mean parsing twice to
// also know each entry's line).
func readCampaignsFile(path string) ([]fileEntry, error) {
	raw, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty: want a top-level campaigns: list", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document: want one, with a top-level campaigns: list", path)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: want a map with a top-level campaigns: list", path, root.Line)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if key.Value != "campaigns" {
			return nil, fmt.Errorf("%s: line %d: unknown key %q: the file holds campaigns: alone", path, key.Line, key.Value)
		}
		list = value
	}
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s: line %d: campaigns: want a list of campaigns", path, list.Line)
	}
	if len(list.Content) > MaxCampaigns {
		return nil, fmt.Errorf("%s: line %d: %d campaigns, more than the %d an exporter watches", path, list.Line, len(list.Content), MaxCampaigns)
	}
	known := map[string]bool{}
	for _, k := range fileKeys() {
		known[k] = true
	}
	entries := make([]fileEntry, len(list.Content))
	var errs []error
	for i, node := range list.Content {
		entries[i].line = node.Line
		if node.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("%s: line %d: campaigns[%d]: want a campaign (a map of its keys)", path, node.Line, i))
			continue
		}
		bad := false
		for j := 0; j < len(node.Content); j += 2 {
			if key := node.Content[j]; !known[key.Value] {
				errs = append(errs, fmt.Errorf("%s: line %d: campaigns[%d]: unknown key %q (known: %s)",
					path, key.Line, i, key.Value, strings.Join(fileKeys(), ", ")))
				bad = true
			}
		}
		if bad {
			continue
		}
		if err := node.Decode(&entries[i].CampaignEnv); err != nil {
			errs = append(errs, fmt.Errorf("%s: campaigns[%d]: %w", path, i, yamlError(err)))
		}
	}
	if err := joinBounded(errs...); err != nil {
		return nil, err
	}
	return entries, nil
}

// yamlError says what the decoder's Go types stand for.
func yamlError(err error) error {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return err
	}
	return errors.New(strings.ReplaceAll(strings.Join(typeErr.Errors, "; "), "into string", "as a setting: want a text value"))
}

// fileKeys lists the keys a campaign entry accepts.
func fileKeys() []string {
	t := reflect.TypeFor[CampaignEnv]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if k := t.Field(i).Tag.Get("yaml"); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// definition is the campaign's configuration, labels aside, in a canonical
// form (see source.Campaign.Definition), with the default MIN_INTERVAL it
// was built with: the same settings, from variables or from the file, give
// the same text, and the same text builds the same campaign. It is kept as
// the text's SHA-256: the text itself was 1.5 KB a campaign, kept for as
// long as the campaign is watched.
func (ce CampaignEnv) definition(defaultMinInterval, defaultMaxStaleness time.Duration) string {
	ce.Labels = Labels{}
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v default_min_interval=%v default_max_staleness=%v", ce, defaultMinInterval, defaultMaxStaleness))
	return hex.EncodeToString(sum[:])
}
