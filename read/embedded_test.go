package read

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func TestFindInText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // the JSON texts found, in order
	}{
		{name: "JSON itself", text: ` {"a":1} `, want: []string{`{"a":1}`}},
		{name: "an assignment", text: `window.initialState = {"feed":{"x":1}};`, want: []string{`{"feed":{"x":1}}`}},
		{
			name: "several assignments and merges in one script",
			text: `window.patreon = window.patreon || {};
			window.patreon.bootstrap = window.patreon.bootstrap || {};
			Object.assign(window.patreon.bootstrap, {"creator": {"id": 1}});
			Object.assign(window.patreon.experiments, {"x": null});`,
			want: []string{`{"creator": {"id": 1}}`, `{"x": null}`},
		},
		{
			name: "HTML-escaped JSON in a JS string",
			text: `window.current_project = "{&quot;id&quot;:1,&quot;name&quot;:&quot;A &amp; B&quot;}";`,
			want: []string{`{"id":1,"name":"A & B"}`},
		},
		{
			// Kickstarter 2013: the blurb's quotes are escaped for JS
			// (\\&quot;) inside the HTML-escaped JSON; JS first, then HTML.
			name: "JS-escaped quotes inside HTML-escaped JSON",
			text: `window.current_project = "{&quot;blurb&quot;:&quot;said \\&quot;hi\\&quot;&quot;,&quot;pledged&quot;:3.36}";`,
			want: []string{`{"blurb":"said \"hi\"","pledged":3.36}`},
		},
		{name: "JSON.parse of a JS string", text: `var d = JSON.parse("{\"a\":[1,2]}");`, want: []string{`{"a":[1,2]}`}},
		{name: "single-quoted JS string", text: `var d = JSON.parse('{"a":2}');`, want: []string{`{"a":2}`}},
		{
			name: "code braces and indexes are not data",
			text: `function f(a) { return a[0] + {x: 1}.x; } if (x) { y() } var z = [1, 2, 3];`,
			want: nil,
		},
		{
			name: "an apostrophe in a comment does not open a string",
			text: "// don't read this\n/* it's a comment */ var a = {\"ok\":true};",
			want: []string{`{"ok":true}`},
		},
		{
			name: "an array of objects",
			text: `var items = [{"id":1},{"id":2}];`,
			want: []string{`[{"id":1},{"id":2}]`},
		},
		{
			name: "JSON inside code that is not JSON",
			text: `init({config: {"a": 1}, other: 2});`,
			want: []string{`{"a": 1}`},
		},
		{name: "unclosed", text: `var a = {"a": 1`, want: nil},
		{name: "JSONP", text: `/**/ callback({"receiving": {"amount": "3.00"}});`, want: []string{`{"receiving": {"amount": "3.00"}}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			values, err := findInText(tc.text, "test")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range values {
				got = append(got, v.Text)
				if !json.Valid([]byte(v.Text)) {
					t.Errorf("%q is not valid JSON", v.Text)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("found\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestFindInPage(t *testing.T) {
	page := `<html><head>
<script type="application/ld+json">{"@type":"Product","name":"x"}</script>
<script id="__NEXT_DATA__" type="application/json">{"props":{"a":1}}</script>
</head><body>
<div class="card" data-project="{&quot;slug&quot;:&quot;other&quot;}" data-count="3"></div>
<script>self.__next_f.push([0])</script>
<script>self.__next_f.push([1,"1:[\"$\",\"div\",null,{\"children\":\"x\"}]\n2:{\"goal\":"])</script>
<script>window.x = {"late": true};</script>
<script>self.__next_f.push([1,"100,\"raised\":40}\n"])</script>
<script src="/app.js"></script>
</body></html>`
	root, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	values, err := findInPage(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range values {
		got = append(got, v.Origin+" "+v.Text)
	}
	// The flight data's chunks are joined (a value may span two), and
	// stand where its first chunk is.
	want := []string{
		`script 1 {"@type":"Product","name":"x"}`,
		`script#__NEXT_DATA__ {"props":{"a":1}}`,
		`div[data-project] attribute {"slug":"other"}`,
		`Next.js flight data ["$","div",null,{"children":"x"}]`,
		`Next.js flight data {"goal":100,"raised":40}`,
		`script 5 {"late": true}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("found\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckDepth(t *testing.T) {
	ok := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
	if err := checkDepth(ok, maxJSONDepth); err != nil {
		t.Errorf("depth %d: %v", maxJSONDepth, err)
	}
	if err := checkDepth("["+ok+"]", maxJSONDepth); !errors.Is(err, errTooDeep) {
		t.Errorf("depth %d: %v, want ErrTooDeep", maxJSONDepth+1, err)
	}
	// Brackets inside strings do not count.
	if err := checkDepth(`{"a":"`+strings.Repeat("[", 2*maxJSONDepth)+`"}`, maxJSONDepth); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}

// TestHostileText: text made to cost the finder the most stays linear in
// its size (the budget), and deep nesting is refused rather than recursed.
func TestHostileText(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{name: "5 MiB of [", text: strings.Repeat("[", 5<<20)},
		{name: "5 MiB of [\"", text: strings.Repeat(`["`, 5<<19)},
		{name: "unclosed objects", text: strings.Repeat(`{"a":`, 1<<20)},
		{name: "deep but closed", text: strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		{name: "many strings", text: strings.Repeat(`"{\"a\":`, 1<<18)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			values, err := findInText(tc.text, "hostile")
			if err != nil && !errors.Is(err, errScanBudget) {
				t.Fatalf("error %v", err)
			}
			for _, v := range values {
				if err := checkDepth(v.Text, maxJSONDepth); err != nil {
					t.Errorf("found a value deeper than %d", maxJSONDepth)
				}
			}
		})
	}
}

func TestQuery(t *testing.T) {
	values := []*jsonValue{
		{Text: `{"similar":[{"slug":"other","pledged":5}]}`, Origin: "cards"},
		{Text: `{"project":{"slug":"mine","pledged":3422.5,"goals":[{"done":100,"amount":10},{"done":40,"amount":300},{"done":10,"amount":200}]}}`, Origin: "current_project"},
		{Text: `{"a":{"amount":1},"b":{"amount":2}}`, Origin: "two amounts"},
	}
	tests := []struct {
		name, query string
		pick        Pick
		want        any
		wantErr     string
	}{
		{name: "key at any depth, first value that has it", query: "$..pledged", want: 5.0},
		{name: "filter by the URL's slug", query: "$..[?@.slug=='mine'].pledged", want: 3422.5},
		{name: "gjson path from the top", query: "project.pledged", want: 3422.5},
		{name: "JSONPath name at the top", query: "$.project.pledged", want: 3422.5},
		{name: "JSONPath bracketed name at the top", query: "$['project']['slug']", want: "mine"},
		{name: "JSONPath $[0] still reads the top", query: "$[0].project.pledged", want: 3422.5},
		{name: "lowest not reached", query: "$..goals[?@.done<100].amount", pick: PickLowest, want: 200.0},
		{name: "several values must agree", query: "$..amount", wantErr: "ambiguous"},
		{name: "nothing", query: "$..backers", wantErr: "matched nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := parseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			m, err := q.Find(values)
			var got any
			if err == nil {
				got, err = m.One(tc.pick)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, %v; want an error containing %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A page whose figures sit in objects a script assigns inside a block and
// merges with $.extend reads through a user's JSONPath from the top.
func TestEmbeddedAssignedAndMerged(t *testing.T) {
	body, err := os.ReadFile("testdata/embedded/movember-style.html")
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		spec Spec
		want Values
	}{
		{name: "a path from the top of the object",
			spec: spec(map[Field]FieldSpec{
				FieldRaised:   sels(`$['mov.donate.entity'].AmountRaised.originalAmount`),
				FieldTarget:   sels(`$['mov.donate.entity'].Target.originalAmount`),
				FieldCurrency: sels(`$['mov.donate.entity'].AmountRaised.originalCurrency`),
				FieldDonors:   sels(`$..DonationCount`),
			}),
			want: Values{Raised: f(1902), Target: f(2500), Currency: "GBP", Donors: f(38)}},
		{name: "a script's object, then a gjson path with the dotted key escaped",
			spec: spec(map[Field]FieldSpec{FieldRaised: sels(`script:contains("mov.storage") | mov\.donate\.entity.AmountRaised.convertedAmount`)}),
			want: Values{Raised: f(1902)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Page(body, "text/html; charset=utf-8", KindHTML, tc.spec, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			assertValues(t, got, tc.want)
		})
	}
	t.Run("every assigned, merged and returned object is found", func(t *testing.T) {
		doc := mustHTML(t, string(body))
		values, err := findInPage(doc.html.Nodes[0])
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, v := range values {
			texts = append(texts, v.Text[:min(len(v.Text), 24)])
		}
		// The assignment and the merge into mov.storage are one value,
		// as the page's scripts leave it.
		want := []string{`{"locale":"en_GB","count`, `{"mov.donate.entity":{"A`, `{"team":{"AmountRaised":`}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("found %q, want %q", texts, want)
		}
	})
}

func TestMergedTargets(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{name: "a later assignment replaces", script: `var d = {"a":1,"b":1}; d = {"a":2};`, want: `{"a":2}`},
		{name: "a default assignment keeps what is there", script: `window.d = {"a":1}; d = d || {"a":2};`, want: `{"a":1}`},
		{name: "Object.assign replaces top-level keys", script: `d = {"a":{"x":1},"b":1}; Object.assign(d, {"a":{"y":2}});`, want: `{"a":{"y":2},"b":1}`},
		{name: "$.extend(true, …) merges deep", script: `d = {"a":{"x":1},"b":1}; $.extend(true, d, {"a":{"y":2}});`, want: `{"a":{"x":1,"y":2},"b":1}`},
		{name: "_.merge merges deep, third argument too", script: `d = {"a":{"x":1}}; _.merge(d, {"b":1}, {"a":{"y":2}});`, want: `{"a":{"x":1,"y":2},"b":1}`},
		{name: "a merge inside a function and an if block", script: `if (x) { d = {"a":1}; } $(function () { jQuery.extend(d, {"b":2}); });`, want: `{"a":1,"b":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustHTML(t, "<script>"+tc.script+"</script>")
			values, err := findInPage(doc.html.Nodes[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(values) != 1 {
				var texts []string
				for _, v := range values {
					texts = append(texts, v.Text)
				}
				t.Fatalf("found %q, want one merged value", texts)
			}
			if got := mustCompact(values[0].Text); got != mustCompact(tc.want) {
				t.Errorf("merged %s, want %s", got, tc.want)
			}
		})
	}
}

func mustCompact(s string) string {
	var v any
	_ = json.Unmarshal([]byte(s), &v)
	b, _ := json.Marshal(v)
	return string(b)
}
