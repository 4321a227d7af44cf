package read

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"

	nethtml "golang.org/x/net/html"
)

// maxJSONDepth bounds how deeply the JSON a page carries may nest. Real
// pages stay far below it (Next.js flight data, the deepest seen, nests
// about 60 levels); beyond it a value is refused before anything that
// recurses (decoding, gjson) touches it, so that a page of "[[[[…" costs
// one linear pass instead of the stack and the memory of the process.
const maxJSONDepth = 512

// errTooDeep is the error for JSON nested deeper than MaxJSONDepth.
var errTooDeep = fmt.Errorf("JSON nests deeper than %d levels", maxJSONDepth)

// jsonValue is one JSON value found in a page, with where it was found.
type jsonValue struct {
	// Text is the value's JSON text, checked to be valid JSON no deeper
	// than MaxJSONDepth.
	Text string
	// Origin says where the value was found, for people reading errors
	// and traces: `script#__NEXT_DATA__`, `script 3, JS string`, ….
	Origin string

	// node is the element whose attribute held the value (nil for a
	// script's): zero-config asks whose figures it holds.
	node *nethtml.Node
	// target is what a script assigns the value to or merges it into
	// ("mov.storage"), and how; "" when it is neither.
	target string
	how    mergeHow

	once    sync.Once
	decoded any
	err     error
}

// Decoded returns the value decoded as encoding/json does into an any
// (numbers are float64). It decodes once, on first use: most values a page
// carries are never asked for.
func (v *jsonValue) Decoded() (any, error) {
	v.once.Do(func() {
		v.err = json.Unmarshal([]byte(v.Text), &v.decoded)
	})
	return v.decoded, v.err
}

// checkDepth reports ErrTooDeep when the JSON text nests deeper than max.
// It does not validate the text otherwise; it reads it once, without
// recursion.
func checkDepth(text string, max int) error {
	depth := 0
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return errTooDeep
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// finder collects the JSON values of one text, and bounds the work it may
// spend on hostile text (a bracket that never closes makes every attempt
// read to the end).
type finder struct {
	found []*jsonValue
	// calls are the parentheses open at the scan's position, each with
	// the object a merge call ($.extend, Object.assign, _.merge) merges
	// into.
	calls  []mergeCall
	budget int // bytes it may still scan
	// gaveUp is set when the budget ran out: what was found until then is
	// kept, and the caller can say why more was not.
	gaveUp bool
}

// errScanBudget says that a text was too costly to search for JSON to the
// end; what was found before stopping is kept.
var errScanBudget = errors.New("gave up searching the page for embedded JSON: its scripts are too large or too malformed")

// scanBudget is how many bytes the finder may read for a text of n bytes:
// every byte a few times over, and a floor for small texts.
func scanBudget(n int) int { return 16*n + 1<<20 }

// maxStringLevel bounds how deeply JSON is looked for inside string
// literals inside string literals (JSON in a JS string is one level).
const maxStringLevel = 2

// findInText returns the JSON values in text, in the order they appear:
// text itself when it is JSON; the objects and arrays a script assigns,
// passes or merges (`x = {…}`, `Object.assign(x, {…})`, several per
// script); and JSON written as a JS string literal, escaped for JS or for
// HTML or both (`x = "{&quot;a&quot;:1}"`, `JSON.parse("{\"a\":1}")`).
// origin prefixes each value's Origin. The error is ErrScanBudget when the
// search stopped early; the values found until then are returned with it.
func findInText(text, origin string) ([]*jsonValue, error) {
	f := &finder{budget: scanBudget(len(text))}
	f.scan(text, origin, 0)
	found := mergeTargets(f.found)
	if f.gaveUp {
		return found, errScanBudget
	}
	return found, nil
}

// addAt adds the JSON value at text[i:end], with what it is assigned to or
// merged into.
func (f *finder) addAt(text string, i, end int, origin string) {
	v := &jsonValue{Text: text[i:end], Origin: origin}
	if n := len(f.calls); n > 0 && f.calls[n-1].target != "" && f.calls[n-1].args > 0 {
		v.target, v.how = f.calls[n-1].target, f.calls[n-1].how
	} else if target, how := assignedTo(text[:i]); target != "" {
		v.target, v.how = target, how
	}
	f.found = append(f.found, v)
}

// scan walks text once. Outside string literals, an opening bracket that
// can start JSON is matched with its closing one; a span that is valid JSON
// is taken whole, and anything else (code) is walked into. String literals
// are decoded and searched in turn when they look like JSON.
func (f *finder) scan(text, origin string, level int) {
	for i := 0; i < len(text); {
		if f.budget <= 0 {
			f.gaveUp = true
			return
		}
		switch c := text[i]; c {
		case '"', '\'', '`':
			end, content, ok := jsString(text, i)
			if !ok {
				i++
				continue
			}
			f.budget -= end - i
			if level < maxStringLevel && mayHoldJSON(content) {
				if strings.Contains(content, "&quot;") || strings.Contains(content, "&#34;") || strings.Contains(content, "&#x22;") {
					content = html.UnescapeString(content)
				}
				f.scan(content, origin+", string", level+1)
			}
			i = end
		case '/':
			i = skipComment(text, i)
		case '{', '[':
			if !mayStartJSON(text, i) {
				i++
				continue
			}
			end, tooDeepAt := f.matchBracket(text, i)
			if end < 0 {
				i = max(i+1, skipDeepRun(text, tooDeepAt))
				continue
			}
			span := text[i:end]
			f.budget -= len(span)
			if json.Valid([]byte(span)) && keep(span) {
				f.addAt(text, i, end, origin)
				i = end
				continue
			}
			i++
		case '(':
			f.calls = append(f.calls, mergeCallAt(text, i))
			i++
		case ',':
			if n := len(f.calls); n > 0 {
				f.calls[n-1].args++
			}
			i++
		case ')':
			if n := len(f.calls); n > 0 {
				f.calls = f.calls[:n-1]
			}
			i++
		default:
			i++
		}
	}
}

// mayStartJSON reports whether the bracket at text[i] may open a JSON
// value worth keeping: an object with a key, or an array of objects,
// arrays or strings (Next.js flight data is [1,"…"]). Code braces
// ("{ return x }") and indexes ("a[0]") fail here, without a scan.
func mayStartJSON(text string, i int) bool {
	j := i + 1
	for j < len(text) && isSpace(text[j]) {
		j++
	}
	if j >= len(text) {
		return false
	}
	next := text[j]
	if text[i] == '{' {
		return next == '"'
	}
	return next == '{' || next == '[' || next == '"' || (next >= '0' && next <= '9')
}

// keep drops arrays of numbers alone, which are never a page's data.
func keep(span string) bool {
	if span[0] == '{' {
		return true
	}
	return strings.ContainsAny(span, "{\"")
}

// matchBracket returns the index just past the bracket that closes the one
// at text[i], reading JSON strings as strings; -1 when it does not close,
// nests deeper than MaxJSONDepth (tooDeepAt is then where), or the budget
// runs out.
func (f *finder) matchBracket(text string, i int) (end, tooDeepAt int) {
	depth := 0
	inString := false
	limit := min(len(text), i+f.budget)
	for j := i; j < limit; j++ {
		c := text[j]
		if inString {
			switch c {
			case '\\':
				j++
			case '"':
				inString = false
			case '\n':
				// JSON strings hold no raw newline: this is code.
				f.budget -= j - i
				return -1, -1
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > maxJSONDepth {
				f.budget -= j - i
				return -1, j
			}
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1, -1
			}
		}
	}
	f.budget -= limit - i
	return -1, -1
}

// skipDeepRun returns where to resume after a value that nested too deep
// at text[at]: every bracket of the run of opening brackets there, but for
// the last MaxJSONDepth, opens a value at least as deep. Without this, a
// page of "[[[[…" would cost MaxJSONDepth bytes of scanning per bracket.
func skipDeepRun(text string, at int) int {
	if at < 0 {
		return -1
	}
	end := at
	for end < len(text) && (text[end] == '[' || text[end] == '{' || isSpace(text[end])) {
		end++
	}
	return end - maxJSONDepth
}

// mayHoldJSON reports whether a string literal's content may be or hold
// JSON: it has an opening bracket and a quote of some form.
func mayHoldJSON(s string) bool {
	return len(s) >= 2 && strings.ContainsAny(s, "{[") && (strings.Contains(s, `"`) || strings.Contains(s, "&quot;") || strings.Contains(s, "&#34;") || strings.Contains(s, "&#x22;"))
}
