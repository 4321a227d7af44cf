package read

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// FuzzFindInText feeds the finder hostile scripts. Run it with
//
//	go test ./read -run='^$' -fuzz=FuzzFindInText -fuzztime=60s
//
// Whatever the text, every value found is valid JSON no deeper than
// MaxJSONDepth, and the finder neither panics nor loops.
func FuzzFindInText(f *testing.F) {
	for _, s := range []string{
		`window.x = {"a":1};`,
		`Object.assign(window.patreon.bootstrap, {"creator": {"data": {"type": "campaign"}}});`,
		`window.current_project = "{&quot;a&quot;:&quot;\\&quot;b\\&quot;&quot;}";`,
		`self.__next_f.push([1,"3:{\"a\":1}\n"])`,
		`JSON.parse('{"a":[1,2,{"b":"c"}]}')`,
		`// don't
var a = [{"x": "y"}]; /* it's */`,
		`"\u0041\x41\\"`, `[[[[[[[[`, `{"a":"`, "`{\"a\":1}`",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		values, _ := findInText(text, "fuzz")
		for _, v := range values {
			if !json.Valid([]byte(v.Text)) {
				t.Fatalf("found %q, which is not JSON", v.Text)
			}
			if err := checkDepth(v.Text, maxJSONDepth); err != nil {
				t.Fatalf("found a value deeper than %d", maxJSONDepth)
			}
		}
	})
}

// FuzzFindInPage does the same for whole pages: scripts, data-*
// attributes and flight data.
func FuzzFindInPage(f *testing.F) {
	f.Add(`<script>window.a = {"b": 1}</script><div data-x='{"c":2}'></div>`)
	f.Add(`<script>self.__next_f.push([1,"1:{\"a\":"])</script><script>self.__next_f.push([1,"2}"])</script>`)
	f.Fuzz(func(t *testing.T, page string) {
		root, err := html.Parse(strings.NewReader(page))
		if err != nil {
			return
		}
		values, _ := findInPage(root)
		for _, v := range values {
			if !json.Valid([]byte(v.Text)) {
				t.Fatalf("found %q, which is not JSON", v.Text)
			}
		}
	})
}
