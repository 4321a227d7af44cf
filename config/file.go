package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/source"
)

// campaignsFile is the campaigns file, DONATION_CONFIG_FILE:
//
//	campaigns:
//	  - name: spring-appeal
//	    url: https://example.org/donate
//	    raised_selector: .raised
//	    labels: {appeal: spring, team: north}
//
// Each entry is a CampaignEnv: its keys are the campaign variables'
// suffixes in lower case.
type campaignsFile struct {
	Campaigns []CampaignEnv `yaml:"campaigns"`
}

// fileEntry is a campaign read from the file, with where it was.
type fileEntry struct {
	CampaignEnv
	line int
}

// LoadCampaigns builds the campaigns: those of the variables, in index
// order, then those of the campaigns file, in file order. Names are unique
// across both. The file is read anew on every call: this is what a reload
// does. Errors name the variable, or the file, line, entry and key.
func (e Env) LoadCampaigns() ([]source.Campaign, error) {
	var errs []error
	var campaigns []source.Campaign
	seen := map[string]string{} // campaign name → where it was defined
	add := func(ce CampaignEnv, n naming, nameWhere string) {
		c, err := ce.compile(n)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if other, dup := seen[c.Name]; dup {
			errs = append(errs, fmt.Errorf("%s: %q is already the name of %s", n.where("NAME"), c.Name, other))
			return
		}
		seen[c.Name] = nameWhere
		if strings.TrimSpace(ce.MinInterval) == "" {
			c.MinInterval = e.MinInterval
		}
		c.Definition = ce.definition(c.MinInterval)
		campaigns = append(campaigns, c)
	}
	for i, ce := range e.CampaignVars {
		add(ce, envNaming(i), fmt.Sprintf("campaign %d", i))
	}
	if e.ConfigFile != "" {
		entries, err := readCampaignsFile(e.ConfigFile)
		if err != nil {
			return nil, errors.Join(append(errs, err)...)
		}
		for i, entry := range entries {
			add(entry.CampaignEnv, fileNaming(e.ConfigFile, i, entry), fmt.Sprintf("%s campaigns[%d]", e.ConfigFile, i))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return campaigns, nil
}

// fileNaming names an entry's keys in errors: the file, the entry's line,
// index and name, then the key.
func fileNaming(path string, i int, entry fileEntry) naming {
	name := strings.TrimSpace(entry.Name)
	if name == "" {
		return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d]: ", path, entry.line, i), lower: true}
	}
	return naming{prefix: fmt.Sprintf("%s:%d: campaigns[%d] (name %q): ", path, entry.line, i, name), lower: true}
}

// readCampaignsFile reads and strictly decodes the campaigns file: an
// unknown key is an error naming the file, the line and the key.
func readCampaignsFile(path string) ([]fileEntry, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%sCONFIG_FILE: %w", Prefix, err)
	}
	var f campaignsFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty: want a top-level campaigns: list", path)
		}
		return nil, fmt.Errorf("%s: %w", path, yamlError(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document: want one, with a top-level campaigns: list", path)
	}
	// Decoded again as nodes for the line of each entry: the strict decoder
	// above does not tell it, and the errors of compile need it.
	var nodes struct {
		Campaigns []yaml.Node `yaml:"campaigns"`
	}
	if err := yaml.Unmarshal(raw, &nodes); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	entries := make([]fileEntry, len(f.Campaigns))
	for i, ce := range f.Campaigns {
		entries[i] = fileEntry{CampaignEnv: ce}
		if i < len(nodes.Campaigns) {
			entries[i].line = nodes.Campaigns[i].Line
		}
	}
	return entries, nil
}

// typeNames say what the decoder's Go types stand for.
var typeNames = strings.NewReplacer(
	"into config.campaignsFile", "as the file: want a map with a top-level campaigns: list",
	"into []config.CampaignEnv", "as campaigns: want a list of campaigns",
	"into config.CampaignEnv", "as a campaign: want a map of its keys",
	"into string", "as a setting: want a text value",
)

var unknownFieldRE = regexp.MustCompile(`field (\S+) not found in type \S+`)

// yamlError rewrites the decoder's "field X not found in type
// config.CampaignEnv" as an unknown key, listing the known ones.
func yamlError(err error) error {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return err
	}
	known := strings.Join(fileKeys(), ", ")
	msgs := make([]string, len(typeErr.Errors))
	for i, m := range typeErr.Errors {
		msgs[i] = unknownFieldRE.ReplaceAllStringFunc(m, func(match string) string {
			key := unknownFieldRE.FindStringSubmatch(match)[1]
			return fmt.Sprintf("unknown key %q (known: %s)", key, known)
		})
		msgs[i] = typeNames.Replace(msgs[i])
	}
	return errors.New(strings.Join(msgs, "; "))
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
// form (see source.Campaign.Definition): the same settings, from variables
// or from the file, give the same text.
func (ce CampaignEnv) definition(minInterval any) string {
	ce.Labels = Labels{}
	return fmt.Sprintf("%#v min_interval=%v", ce, minInterval)
}
