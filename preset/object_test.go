package preset

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/donation-exporter/donation_exporter/read"
)

// maxWrites is how often a preset may write one object filter before it
// names the object instead: twice is two places that read the
// same object, a third is a table that repeats itself.
const maxWrites = 2

// TestPresetsNameRepeatedObjects fails when a preset writes one object
// filter (a JSONPath or gjson prefix, a CSS selector prefix, a script a
// path is read in) more than maxWrites times instead of naming it once
// under objects:.
func TestPresetsNameRepeatedObjects(t *testing.T) {
	for _, p := range mustLoad(t).Presets() {
		t.Run(p.Name, func(t *testing.T) {
			for _, r := range repeatedFilters(p) {
				t.Errorf("presets/%s.yaml writes %s; name it under objects: and read relative paths in it", p.Name, r)
			}
		})
	}
}

// TestRepeatedFilters checks the counter itself on presets written both
// ways: the same three fields, with the object repeated and named.
func TestRepeatedFilters(t *testing.T) {
	const head = "name: x\ntitle: X\nkind: auto\nraised_basis: cumulative\n"
	tests := []struct {
		name, fields string
		want         []string
	}{
		{
			name: "JSONPath filter written three times",
			fields: `fields:
  raised: {selectors: ["$..[?@.id==1].raised"]}
  target: {selectors: ["$..[?@.id==1].goal.amount"]}
  currency: {selectors: ["$..[?@.id==1].goal.currency"]}
`,
			want: []string{`"$..[?@.id==1]" 3 times`},
		},
		{
			name: "script and path written three times",
			fields: `fields:
  raised: {selectors: [{html: "script#d | $[0].a"}]}
  target: {selectors: [{html: "script#d | $[0].b"}]}
  currency: {selectors: [{html: "script#d | $[0].c"}]}
`,
			want: []string{`"script#d | $[0]" 3 times`, `"script#d" 3 times`},
		},
		{
			name: "gjson and CSS prefixes written three times",
			fields: `fields:
  raised: {selectors: [{json: data.a}, "#box .a"]}
  target: {selectors: [{json: data.b}, "#box .b"]}
  currency: {selectors: [{json: data.c}, "#box .c@title"]}
`,
			want: []string{`"#box" 3 times`, `"data" 3 times`},
		},
		{
			name: "named once",
			fields: `objects:
  item: {jsonpath: "$..[?@.id==1]"}
  script: {css: "script#d"}
  state: {object: script, jsonpath: "$[0]"}
fields:
  raised: {selectors: [{object: item, jsonpath: "@.raised"}, {object: state, jsonpath: "@.a"}]}
  target: {selectors: [{object: item, jsonpath: "@.goal.amount"}, {object: state, jsonpath: "@.b"}]}
  currency: {selectors: [{object: item, jsonpath: "@.goal.currency"}, {object: state, jsonpath: "@.c"}]}
`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse([]byte(head+tc.fields), "x")
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got := repeatedFilters(p)
			if !slices.Equal(got, tc.want) {
				t.Errorf("repeatedFilters = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestObjectErrors checks that a mistake with objects fails the load,
// naming the file, the line and the object.
func TestObjectErrors(t *testing.T) {
	const head = "name: x\ntitle: X\nkind: auto\nraised_basis: cumulative\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{
			name: "unknown object",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
fields:
  raised:
    selectors:
      - {object: project, jsonpath: "@.raised"}
      - {object: projekt, jsonpath: "@.pledged"}
`,
			want: []string{"line 11", `object "projekt" is not defined`, "objects: project"},
		},
		{
			name: "cycle",
			yaml: `objects:
  a: {object: b, css: ".a"}
  b: {object: a, css: ".b"}
fields:
  raised:
    selectors:
      - {object: a, css: ".raised"}
`,
			want: []string{"line 6", `object "a" is in itself: a → b → a`},
		},
		{
			name: "cycle no field uses",
			yaml: `objects:
  a: {object: b, css: ".a"}
  b: {object: a, css: ".b"}
fields:
  raised: {selectors: ["#raised"]}
`,
			want: []string{"line 6", `object "a" is in itself: a → b → a`, `object "a" is used by no field`, `object "b" is used by no field`},
		},
		{
			name: "misspelt key in a selector",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
fields:
  raised: {selectors: [{object: project, jsonpath: "@.raised", unles: slug}]}
`,
			want: []string{"line 8", `selector: unknown key "unles"`},
		},
		{
			name: "misspelt key in an object",
			yaml: `objects:
  project: {jsonpth: "$..[?@.id==1]"}
fields:
  raised: {selectors: [{object: project, jsonpath: "@.raised"}]}
`,
			want: []string{"line 6", `object: unknown key "jsonpth"`},
		},
		{
			name: "object in itself",
			yaml: `objects:
  a: {object: a, css: ".a"}
fields:
  raised: {selectors: [{object: a}]}
`,
			want: []string{"line 6", `object "a" is in itself: a → a`},
		},
		{
			name: "unused object",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
  spare: {css: "#spare"}
fields:
  raised:
    selectors:
      - {object: project, jsonpath: "@.raised"}
`,
			want: []string{"line 7", `object "spare" is used by no field`},
		},
		{
			name: "object used only by an unused object",
			yaml: `objects:
  script: {css: "script#d"}
  state: {object: script, jsonpath: "$[0]"}
fields:
  raised: {selectors: ["#raised"]}
`,
			want: []string{"line 6", `object "script" is used by no field`, "line 7", `object "state" is used by no field`},
		},
		{
			name: "relative JSONPath without @",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
fields:
  raised: {selectors: [{object: project, jsonpath: ".raised"}]}
`,
			want: []string{"line 8", `jsonpath ".raised": a path in a jsonpath object starts with @`},
		},
		{
			name: "dialect that cannot follow",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
fields:
  raised: {selectors: [{object: project, css: ".raised"}]}
`,
			want: []string{"line 8", `css ".raised" cannot be read in a jsonpath object`},
		},
		{
			name: "two steps at once",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]", gjson: "a.b"}
fields:
  raised: {selectors: [{object: project}]}
`,
			want: []string{"line 6", "jsonpath and gjson: one step at a time"},
		},
		{
			name: "whole selector and object",
			yaml: `objects:
  project: {jsonpath: "$..[?@.id==1]"}
fields:
  raised: {selectors: [{object: project, html: "#a"}]}
`,
			want: []string{"line 8", "not both"},
		},
		{
			name: "resolved selector checked",
			yaml: `objects:
  box: {css: "#box"}
fields:
  raised: {selectors: [{object: box, css: "a[["}]}
`,
			want: []string{`"#box a[["`, "is not a CSS selector"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{"presets/x.yaml": {Data: []byte(head + tc.yaml)}}, "presets")
			if err == nil {
				t.Fatalf("load: no error; want one naming presets/x.yaml and %q", tc.want)
			}
			for _, want := range append([]string{"presets/x.yaml"}, tc.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("load: %v; want it to contain %q", err, want)
				}
			}
		})
	}
}

// TestObjectsResolve checks what a selector written with an object reads:
// the text and kind read.ParseSelector gets, for each dialect that may
// follow each other.
func TestObjectsResolve(t *testing.T) {
	const head = "name: x\ntitle: X\nkind: auto\nraised_basis: cumulative\nobjects:\n" +
		"  item: {jsonpath: \"$..[?@.id==1]\"}\n" +
		"  script: {css: \"script#d\"}\n" +
		"  state: {object: script, jsonpath: \"$[0]\"}\n" +
		"  attrs: {css: \"#box\", attr: data-box}\n" +
		"  feed: {gjson: feed.campaign}\n" +
		"  box: {css: \"#box\"}\n" +
		"fields:\n  raised:\n    selectors:\n      - "
	tests := []struct {
		sel, want string
		kind      read.Kind
	}{
		{sel: `{object: item, jsonpath: "@.a.b"}`, want: "$..[?@.id==1].a.b", kind: read.KindAuto},
		{sel: `{object: item, jsonpath: "@[0]"}`, want: "$..[?@.id==1][0]", kind: read.KindAuto},
		{sel: `{object: item, regexp: "(\\d+)"}`, want: `$..[?@.id==1] | /(\d+)/`, kind: read.KindAuto},
		{sel: `{object: state, jsonpath: "@.a"}`, want: "script#d | $[0].a", kind: read.KindHTML},
		{sel: `{object: script, gjson: a.b}`, want: "script#d | a.b", kind: read.KindHTML},
		{sel: `{object: attrs, gjson: pledged}`, want: "#box@data-box | pledged", kind: read.KindHTML},
		{sel: `{object: box, attr: title}`, want: "#box@title", kind: read.KindHTML},
		{sel: `{object: box, css: ".a", attr: title}`, want: "#box .a@title", kind: read.KindHTML},
		{sel: `{object: box, css: "> .a"}`, want: "#box > .a", kind: read.KindHTML},
		{sel: `{object: box}`, want: "#box", kind: read.KindHTML},
		{sel: `{object: feed, gjson: amount}`, want: "feed.campaign.amount", kind: read.KindJSON},
		{sel: `{gjson: feed.total, object: ""}`, want: "feed.total", kind: read.KindJSON},
		{sel: `{css: "#total"}`, want: "#total", kind: read.KindHTML},
		{sel: `{jsonpath: "$..total"}`, want: "$..total", kind: read.KindAuto},
	}
	for _, tc := range tests {
		t.Run(tc.sel, func(t *testing.T) {
			// Every object must be used: a second field uses them all.
			yaml := head + tc.sel + "\n  target:\n    selectors:\n"
			for _, o := range []string{"item", "state", "attrs", "feed", "box"} {
				yaml += "      - {object: " + o + "}\n"
			}
			p, err := parse([]byte(yaml), "x")
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got := p.Fields[read.FieldRaised].Selectors[0]
			if got.Text != tc.want || got.Kind != tc.kind {
				t.Errorf("resolved to %q (%v), want %q (%v)", got.Text, got.Kind, tc.want, tc.kind)
			}
		})
	}
}

// repeatedFilters returns the object filters a preset writes more than
// maxWrites times, as `"FILTER" N times`, sorted. A filter is a proper
// prefix of what a selector writes, cut at the steps of its dialects (CSS
// compounds, an @attr, JSONPath segments, gjson keys, stages); prefixes
// written relative to a named object count per object.
func repeatedFilters(p *Preset) []string {
	count := map[string]int{}
	note := func(object string, steps []string, withWhole bool) {
		n := len(steps) - 1
		if withWhole {
			n = len(steps)
		}
		for i := 1; i <= n; i++ {
			prefix := strings.Join(steps[:i], "")
			if object != "" {
				prefix = object + ": " + prefix
			}
			count[prefix]++
		}
	}
	for _, o := range p.Objects {
		// An object is a filter written once: its whole text counts.
		note(o.In, stepsOf(o.step), true)
	}
	for _, sels := range p.selectorGroups() {
		for _, s := range sels {
			if s.Object != "" || s.step.dialect != "" {
				note(s.Object, stepsOf(s.step), false)
				continue
			}
			note("", textSteps(s.Text, s.Kind), false)
		}
	}
	var out []string
	for prefix, n := range count {
		if n > maxWrites {
			out = append(out, fmt.Sprintf("%q %d times", prefix, n))
		}
	}
	slices.Sort(out)
	return out
}

// stepsOf cuts one step written with its dialect's key.
func stepsOf(s step) []string {
	var steps []string
	if s.element != "" {
		steps = cssSteps(s.element)
	}
	switch s.dialect {
	case dialectCSS:
		return append(steps, cssSteps(s.text)...)
	case dialectAttr:
		return append(steps, "@"+s.text)
	case dialectJSONPath:
		return append(steps, jsonPathSteps(s.text)...)
	case dialectGJSON:
		return append(steps, gjsonSteps(s.text)...)
	case dialectRegexp:
		return append(steps, " | /"+s.text+"/")
	}
	return steps
}

var attrAtEnd = regexp.MustCompile(`^(.*[^\s])\s*(@[A-Za-z_:][-A-Za-z0-9_:.]*)$`)

// textSteps cuts a selector written whole, by the rules of
// read.ParseSelector: LOCATOR [ | PATH ] [ | /REGEXP/ ].
func textSteps(text string, kind read.Kind) []string {
	stages := strings.SplitN(text, " | ", 2)
	var steps []string
	switch locator := stages[0]; {
	case strings.HasPrefix(locator, "$"):
		steps = jsonPathSteps(locator)
	case kind == read.KindJSON:
		steps = gjsonSteps(locator)
	default:
		if m := attrAtEnd.FindStringSubmatch(locator); m != nil {
			steps = append(cssSteps(m[1]), m[2])
		} else {
			steps = cssSteps(locator)
		}
	}
	if len(stages) == 1 {
		return steps
	}
	rest := stages[1]
	if !strings.HasPrefix(rest, "/") {
		path, re, _ := strings.Cut(rest, " | ")
		var pathSteps []string
		if strings.HasPrefix(path, "$") {
			pathSteps = jsonPathSteps(path)
		} else {
			pathSteps = gjsonSteps(path)
		}
		pathSteps[0] = " | " + pathSteps[0]
		steps = append(steps, pathSteps...)
		rest = re
	}
	if rest != "" {
		steps = append(steps, " | "+rest)
	}
	return steps
}

// cssSteps cuts a CSS selector at its combinators (outside brackets,
// parentheses and quotes): "#a .b > c" is "#a", " .b", " > c".
func cssSteps(css string) []string {
	var steps []string
	start, depth := 0, 0
	var quote rune
	for i, r := range css {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '(' || r == '[':
			depth++
		case r == ')' || r == ']':
			depth--
		case depth == 0 && r == ' ' && i > start && css[i-1] != ' ' && !strings.ContainsRune(">+~", rune(css[i-1])):
			steps = append(steps, css[start:i])
			start = i
		}
	}
	return append(steps, css[start:])
}

// jsonPathSteps cuts a JSONPath into its segments, the root ($ or @) with
// the first: "$..[?@.a==1].b[0]" is "$..[?@.a==1]", ".b", "[0]".
func jsonPathSteps(path string) []string {
	var segs []string
	for i := 1; i < len(path); {
		j := i
		if strings.HasPrefix(path[j:], "..") {
			j += 2
		} else if path[j] == '.' {
			j++
		}
		if j < len(path) && path[j] == '[' {
			j = closingBracket(path, j) + 1
		} else {
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
		}
		segs = append(segs, path[i:j])
		i = j
	}
	if len(segs) == 0 {
		return []string{path}
	}
	segs[0] = path[:1] + segs[0]
	return segs
}

// closingBracket returns the index of the ] that closes the [ at open,
// outside quotes; the last index when none does.
func closingBracket(path string, open int) int {
	depth := 0
	var quote byte
	for i := open; i < len(path); i++ {
		c := path[i]
		switch {
		case quote != 0:
			if c == quote && path[i-1] != '\\' {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(path) - 1
}

// gjsonSteps cuts a gjson path at its dots (not escaped ones, not those in
// a #(…) query): "feed.campaign.amount" is "feed", ".campaign", ".amount".
func gjsonSteps(path string) []string {
	var steps []string
	start, depth := 0, 0
	for i, r := range path {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == '.' && depth == 0 && i > 0 && path[i-1] != '\\':
			steps = append(steps, path[start:i])
			start = i
		}
	}
	return append(steps, path[start:])
}
