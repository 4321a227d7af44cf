package preset

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/read"
)

// Named objects. A page often holds the campaign's figures side by side in
// one object (the project whose slug is the URL's, the script that assigns
// the page's state): a preset names that object once, under objects:, and
// its fields read relative paths in it, as json_exporter's metrics select
// an object and read values relative to it. The object's dialect is said
// by its key, never guessed from its first character:
//
//	css:      a CSS selector (HTML pages); in a css object, a descendant
//	attr:     an attribute of the element the object selects
//	jsonpath: an RFC 9535 JSONPath: "$…" over the page's data (or in the
//	          text of a css object), "@…" relative to a jsonpath object
//	gjson:    a gjson path: of a JSON document, in the text of a css
//	          object, or relative to a gjson object
//	regexp:   cuts the value out of the text (without its slashes); it ends
//	          the selector
//
// Objects and the selectors that use them resolve, at load, to the one-line
// selector text of read.ParseSelector, so that what a preset reads does
// not depend on how it is written: the docs and the reader see that text.

// dialect is the language one step of a selector is written in.
type dialect string

const (
	dialectCSS      dialect = "css"
	dialectAttr     dialect = "attr"
	dialectJSONPath dialect = "jsonpath"
	dialectGJSON    dialect = "gjson"
	dialectRegexp   dialect = "regexp"
)

// step is one stage written with its dialect's key; a zero step refers to
// the object itself.
type step struct {
	dialect dialect
	text    string
	// element is the CSS selector of an attr step written with css beside
	// it ({css: "#pledged", attr: data-goal}): the element's attribute.
	element string
}

// stepKeys are the keys of a step, shared by objects and the selectors that
// refer to them.
type stepKeys struct {
	Object   string `yaml:"object"`
	CSS      string `yaml:"css"`
	Attr     string `yaml:"attr"`
	JSONPath string `yaml:"jsonpath"`
	GJSON    string `yaml:"gjson"`
	Regexp   string `yaml:"regexp"`
}

// step returns the one step the keys give (a zero step for none).
func (k stepKeys) step() (step, error) {
	if k.CSS != "" && k.Attr != "" {
		attr, err := stepKeys{Attr: k.Attr, JSONPath: k.JSONPath, GJSON: k.GJSON, Regexp: k.Regexp}.step()
		attr.element = k.CSS
		if err == nil && strings.Contains(k.CSS, stageSeparator) {
			err = fmt.Errorf("css %q holds %q: write each stage as its own step (an object and a path in it)", k.CSS, stageSeparator)
		}
		return attr, err
	}
	var s step
	for _, c := range []step{{dialect: dialectCSS, text: k.CSS}, {dialect: dialectAttr, text: k.Attr}, {dialect: dialectJSONPath, text: k.JSONPath}, {dialect: dialectGJSON, text: k.GJSON}, {dialect: dialectRegexp, text: k.Regexp}} {
		if c.text == "" {
			continue
		}
		if s.dialect != "" {
			return s, fmt.Errorf("%s and %s: one step at a time; name an object for the first", s.dialect, c.dialect)
		}
		s = c
	}
	if s.dialect != "" && s.dialect != dialectRegexp && strings.Contains(s.text, stageSeparator) {
		return s, fmt.Errorf("%s %q holds %q: write each stage as its own step (an object and a path in it)", s.dialect, s.text, stageSeparator)
	}
	return s, nil
}

// stageSeparator separates the stages of a selector's text (read.Selector).
const stageSeparator = " | "

// Object is a named object of a preset: a step, in the page (or document)
// or in another object.
type Object struct {
	// In names the object this one is found in; empty: the page.
	In   string
	step step
	line int
}

// UnmarshalYAML reads an object: one of css, attr, jsonpath, gjson or
// regexp, and optionally object, the object it is in.
func (o *Object) UnmarshalYAML(node *yaml.Node) error {
	var k stepKeys
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: an object is a map: css, jsonpath or gjson (and object, the object it is in)", node.Line)
	}
	if err := checkKeys(node, "object", stepKeyNames...); err != nil {
		return err
	}
	if err := node.Decode(&k); err != nil {
		return err
	}
	s, err := k.step()
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	if s.dialect == "" {
		return fmt.Errorf("line %d: an object gives one of css, attr, jsonpath, gjson or regexp", node.Line)
	}
	o.In, o.step, o.line = k.Object, s, node.Line
	return nil
}

// objectName is what an object may be called.
var objectName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// resolved is an object's or a selector's text, the kind of document it
// applies to, and the dialect of its last step.
type resolved struct {
	text string
	kind read.Kind
	last dialect
}

// objectResolver resolves objects once each, finding cycles and recording
// which objects the fields use.
type objectResolver struct {
	objects map[string]*Object
	done    map[string]resolved
	used    map[string]bool
	// failed holds the objects whose mistake has been reported.
	failed map[string]bool
}

// resolveObjects fills in the text and kind of every selector that refers
// to an object, and checks the objects: each defined, in no cycle, and
// used.
func (p *Preset) resolveObjects() []error {
	r := &objectResolver{objects: p.Objects, done: map[string]resolved{}, used: map[string]bool{}, failed: map[string]bool{}}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Objects)) {
		if !objectName.MatchString(name) {
			errs = append(errs, fmt.Errorf("line %d: object %q: a name is lower-case letters, digits and _", p.Objects[name].line, name))
		}
	}
	for where, sels := range p.selectorGroups() {
		for i := range sels {
			if err := r.resolveSelector(&sels[i]); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
			}
		}
	}
	used := maps.Clone(r.used)
	names := slices.Sorted(maps.Keys(p.Objects))
	// Objects no field uses are resolved too, so that a cycle or a bad
	// step among them is named as such; each mistake is reported once.
	for _, name := range names {
		if r.failed[name] {
			continue
		}
		if _, err := r.resolve(name, p.Objects[name].line, nil); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range names {
		if !used[name] {
			errs = append(errs, fmt.Errorf("line %d: object %q is used by no field: remove it, or read a field with it", p.Objects[name].line, name))
		}
	}
	return errs
}

// checkKeys fails a map node with a key not in known: a misspelt key
// would otherwise be dropped without a word.
func checkKeys(node *yaml.Node, what string, known ...string) error {
	if node.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if k := node.Content[i]; !slices.Contains(known, k.Value) {
			return fmt.Errorf("line %d: %s: unknown key %q (want %s)", k.Line, what, k.Value, strings.Join(known, ", "))
		}
	}
	return nil
}

// stepKeyNames are the keys of stepKeys.
var stepKeyNames = []string{"object", "css", "attr", "jsonpath", "gjson", "regexp"}

// selectorGroups yields every list of selectors of the preset, named for
// messages, fields in a fixed order.
func (p *Preset) selectorGroups() func(yield func(string, []Selector) bool) {
	return func(yield func(string, []Selector) bool) {
		for _, field := range slices.Sorted(func(y func(read.Field) bool) {
			for f := range p.Fields {
				if !y(f) {
					return
				}
			}
		}) {
			f := p.Fields[field]
			for _, g := range []struct {
				name string
				sels []Selector
			}{{"selectors", f.Selectors}, {"checks", f.Checks}, {"absent_if", f.AbsentIf}, {"present_if", f.PresentIf}} {
				if !yield("field "+string(field)+" "+g.name, g.sels) {
					return
				}
			}
		}
		yield("progress_checks", p.ProgressChecks)
	}
}

// resolveSelector sets the text and kind of a selector that refers to an
// object, or that is written as one step with its dialect's key.
func (r *objectResolver) resolveSelector(s *Selector) error {
	if s.Object == "" && s.step.dialect == "" {
		return nil // written as a whole selector
	}
	var parent resolved
	if s.Object != "" {
		var err error
		if parent, err = r.resolve(s.Object, s.line, nil); err != nil {
			return err
		}
	}
	res, err := join(parent, s.step)
	if err != nil {
		return fmt.Errorf("line %d: %w", s.line, err)
	}
	s.Text, s.Kind = res.text, res.kind
	return nil
}

// resolve returns an object's text; path is the chain of objects being
// resolved, to name a cycle.
func (r *objectResolver) resolve(name string, line int, path []string) (res resolved, err error) {
	r.used[name] = true
	defer func() {
		if err != nil {
			r.failed[name] = true
		}
	}()
	if done, ok := r.done[name]; ok {
		return done, nil
	}
	o, ok := r.objects[name]
	if !ok {
		return resolved{}, fmt.Errorf("line %d: object %q is not defined (objects: %s)", line, name, strings.Join(r.names(), ", "))
	}
	if i := slices.Index(path, name); i >= 0 {
		return resolved{}, fmt.Errorf("line %d: object %q is in itself: %s", o.line, name, strings.Join(append(path[i:], name), " → "))
	}
	var parent resolved
	if o.In != "" {
		if parent, err = r.resolve(o.In, o.line, append(path, name)); err != nil {
			return resolved{}, err
		}
	}
	res, err = join(parent, o.step)
	if err != nil {
		return resolved{}, fmt.Errorf("line %d: object %q: %w", o.line, name, err)
	}
	r.done[name] = res
	return res, nil
}

func (r *objectResolver) names() []string {
	var names []string
	for n := range r.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"none"}
	}
	return names
}

// join appends a step to what it is read in (the zero resolved: the page),
// in the selector syntax of read.ParseSelector.
func join(in resolved, s step) (resolved, error) {
	if s.dialect == "" {
		return in, nil // the object itself
	}
	if s.element != "" {
		el, err := join(in, step{dialect: dialectCSS, text: s.element})
		if err != nil {
			return in, err
		}
		return join(el, step{dialect: dialectAttr, text: s.text})
	}
	if in.last == dialectRegexp {
		return in, errors.New("a regexp ends a selector: nothing is read after it")
	}
	if in.last == "" {
		return first(s)
	}
	out := resolved{kind: in.kind, last: s.dialect}
	switch {
	case s.dialect == dialectRegexp:
		out.text = in.text + stageSeparator + "/" + s.text + "/"
	case in.last == dialectCSS && s.dialect == dialectCSS:
		out.text = in.text + " " + s.text
	case in.last == dialectCSS && s.dialect == dialectAttr:
		out.text = in.text + "@" + s.text
	case (in.last == dialectCSS || in.last == dialectAttr) && s.dialect == dialectGJSON:
		out.text = in.text + stageSeparator + s.text
	case (in.last == dialectCSS || in.last == dialectAttr) && s.dialect == dialectJSONPath:
		if !strings.HasPrefix(s.text, "$") {
			return in, fmt.Errorf("jsonpath %q: a JSONPath in an element's text starts with $", s.text)
		}
		out.text = in.text + stageSeparator + s.text
	case in.last == dialectJSONPath && s.dialect == dialectJSONPath:
		rel, ok := strings.CutPrefix(s.text, "@")
		if !ok || rel == "" {
			return in, fmt.Errorf("jsonpath %q: a path in a jsonpath object starts with @ (\"@.key\", \"@[0]\")", s.text)
		}
		out.text = in.text + rel
	case in.last == dialectGJSON && s.dialect == dialectGJSON:
		out.text = in.text + "." + s.text
	default:
		return in, fmt.Errorf("%s %q cannot be read in a %s object", s.dialect, s.text, in.last)
	}
	return out, nil
}

// first is a step read in the page itself: its dialect says which kinds
// of document it applies to.
func first(s step) (resolved, error) {
	switch s.dialect {
	case dialectCSS:
		return resolved{text: s.text, kind: read.KindHTML, last: s.dialect}, nil
	case dialectJSONPath:
		if !strings.HasPrefix(s.text, "$") {
			return resolved{}, fmt.Errorf("jsonpath %q: a JSONPath over the page starts with $", s.text)
		}
		return resolved{text: s.text, kind: read.KindAuto, last: s.dialect}, nil
	case dialectGJSON:
		return resolved{text: s.text, kind: read.KindJSON, last: s.dialect}, nil
	}
	return resolved{}, fmt.Errorf("%s %q needs an object to be read in", s.dialect, s.text)
}
