package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
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
	list, err := campaignsList(path, raw)
	if list == nil || err != nil {
		return nil, err
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
		if err := decodeEntry(path, i, node, known, &entries[i].CampaignEnv); err != nil {
			errs = append(errs, err...)
		}
	}
	if err := joinBounded(errs...); err != nil {
		return nil, err
	}
	return entries, nil
}

// campaignsList parses the file's one YAML document and returns its
// campaigns: list, nil when the file lists none.
func campaignsList(path string, raw []byte) (*yaml.Node, error) {
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
	return list, nil
}

// decodeEntry decodes campaigns[i] into ce, refusing keys that are not
// known: a misspelt key would otherwise be ignored.
func decodeEntry(path string, i int, node *yaml.Node, known map[string]bool, ce *CampaignEnv) []error {
	if node.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: line %d: campaigns[%d]: want a campaign (a map of its keys)", path, node.Line, i)}
	}
	var errs []error
	for j := 0; j < len(node.Content); j += 2 {
		if key := node.Content[j]; !known[key.Value] {
			errs = append(errs, fmt.Errorf("%s: line %d: campaigns[%d]: unknown key %q (known: %s)",
				path, key.Line, i, key.Value, strings.Join(fileKeys(), ", ")))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if err := node.Decode(ce); err != nil {
		return []error{fmt.Errorf("%s: campaigns[%d]: %w", path, i, yamlError(err))}
	}
	return nil
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
