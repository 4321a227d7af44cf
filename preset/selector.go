package preset

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/read"
)

// Selector is one selector of a preset: written as a plain string (a
// JSONPath, "$…", applies to both kinds of document; anything else to HTML
// pages), as a map naming the kind it is for, or as a step in a named
// object, the step's dialect named by its key (object.go).
type Selector struct {
	// Text is the selector; {name} stands for a variable of the page URL.
	Text string
	// Kind is the kind of document it applies to; KindAuto: any.
	Kind read.Kind
	// Pick says what to take when a JSON path selects several values
	// ("lowest"); by default they must agree.
	Pick read.Pick
	// Unless names a URL variable whose presence skips the selector: a
	// fallback for URLs that are not the platform's usual page.
	Unless string
	// Object names the preset's object the selector reads in (objects:),
	// and step what it reads there; Text and Kind are resolved from them
	// at load (see object.go).
	Object string
	step   step
	line   int
}

// UnmarshalYAML reads a selector written as a string or as a map with one
// of html, json or selector (either kind), or with object and a step in
// it (css, attr, jsonpath, gjson, regexp: see object.go), and optionally
// pick and unless.
func (s *Selector) UnmarshalYAML(node *yaml.Node) error {
	s.line = node.Line
	if node.Kind == yaml.ScalarNode {
		s.Text = node.Value
		if !strings.HasPrefix(s.Text, "$") {
			s.Kind = read.KindHTML
		}
		return nil
	}
	var m struct {
		HTML     string `yaml:"html"`
		JSON     string `yaml:"json"`
		Selector string `yaml:"selector"`
		Pick     string `yaml:"pick"`
		Unless   string `yaml:"unless"`
		stepKeys `yaml:",inline"`
	}
	if err := checkKeys(node, "selector", append([]string{"html", "json", "selector", "pick", "unless"}, stepKeyNames...)...); err != nil {
		return err
	}
	if err := node.Decode(&m); err != nil {
		return err
	}
	set := 0
	for _, t := range []string{m.HTML, m.JSON, m.Selector} {
		if t != "" {
			set++
		}
	}
	st, err := m.step()
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	switch {
	case set > 0 && (m.Object != "" || st.dialect != ""):
		return fmt.Errorf("line %d: a selector is whole (html, json or selector) or a step (object, css, attr, jsonpath, gjson, regexp), not both", node.Line)
	case set == 0 && m.Object == "" && st.dialect == "":
		return fmt.Errorf("line %d: a selector gives exactly one of html, json or selector, or an object and a step in it", node.Line)
	case set > 1:
		return fmt.Errorf("line %d: a selector gives exactly one of html, json or selector", node.Line)
	}
	switch {
	case set == 0:
		s.Object, s.step = m.Object, st
	case m.HTML != "":
		s.Text, s.Kind = m.HTML, read.KindHTML
	case m.JSON != "":
		s.Text, s.Kind = m.JSON, read.KindJSON
	default:
		s.Text = m.Selector
	}
	pick, err := read.ParsePick(m.Pick)
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	s.Pick, s.Unless = pick, m.Unless
	return nil
}
