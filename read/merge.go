package read

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
)

// Scripts build their data in steps: `mov.storage = {…}` in one script,
// `$.extend(mov.storage, mov.storage, {…})` in a later one. The object the
// page's own scripts end up with is the figures' truth, so values a page
// assigns to and merges into one name are merged, in page order, into the
// one value that name holds at the end.

// mergeHow is how a value reaches its target.
type mergeHow int

const (
	assign        mergeHow = iota // x = {…}
	assignDefault                 // x = x || {…}, x ?? {…}: only when x has none
	mergeShallow                  // Object.assign, $.extend: top-level keys replaced
	mergeDeep                     // $.extend(true, …), _.merge: nested objects merged
)

// mergeCall is an open parenthesis during the scan: a call that merges
// into target (empty for any other), and how many commas it has passed.
type mergeCall struct {
	target string
	how    mergeHow
	args   int
}

// mergeFuncs are the names (last part) of functions that merge their
// later arguments into the first.
var mergeFuncs = map[string]mergeHow{"extend": mergeShallow, "assign": mergeShallow, "merge": mergeDeep}

// mergeCallAt reads the call whose parenthesis opens at text[i].
func mergeCallAt(text string, i int) mergeCall {
	name := identBefore(text[:i])
	how, ok := mergeFuncs[name[strings.LastIndexByte(name, '.')+1:]]
	if !ok || !strings.Contains(name, ".") {
		return mergeCall{}
	}
	args := strings.TrimLeft(text[i+1:], " \t\r\n")
	if rest, deep := strings.CutPrefix(args, "true"); deep {
		how = mergeDeep
		args = strings.TrimLeft(strings.TrimLeft(rest, " \t\r\n,"), " \t\r\n")
	}
	end := strings.IndexAny(args, ",)")
	if end < 0 {
		return mergeCall{}
	}
	target := normalTarget(args[:end])
	if !isIdent(target) {
		return mergeCall{}
	}
	if how == mergeDeep && strings.HasPrefix(name, "Object.") {
		how = mergeShallow
	}
	return mergeCall{target: target, how: how}
}

// assignedTo returns the name the code before a value assigns it to:
// "mov.storage = ", "var data = ", "x = x || ", "x ?? ".
func assignedTo(before string) (string, mergeHow) {
	s := strings.TrimRight(before, " \t\r\n")
	how := assign
	if rest, ok := cutOperator(s); ok {
		how = assignDefault
		s = strings.TrimRight(rest, " \t\r\n")
		s = strings.TrimRight(s[:len(s)-len(identBefore(s))], " \t\r\n")
	}
	if !strings.HasSuffix(s, "=") || strings.HasSuffix(s, "==") || strings.HasSuffix(s, "!=") ||
		strings.HasSuffix(s, "<=") || strings.HasSuffix(s, ">=") || strings.HasSuffix(s, "=>") {
		return "", assign
	}
	target := normalTarget(identBefore(strings.TrimRight(s[:len(s)-1], " \t\r\n")))
	if !isIdent(target) {
		return "", assign
	}
	return target, how
}

func cutOperator(s string) (string, bool) {
	for _, op := range []string{"||", "??"} {
		if rest, ok := strings.CutSuffix(s, op); ok {
			return rest, true
		}
	}
	return s, false
}

// identBefore returns the dotted name that ends s ("window.mov.storage").
func identBefore(s string) string {
	i := len(s)
	for i > 0 {
		c := s[i-1]
		if c == '.' || c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			i--
			continue
		}
		break
	}
	return s[i:]
}

func normalTarget(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"window.", "self.", "globalThis."} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

func isIdent(s string) bool {
	return s != "" && identBefore(s) == s && s[0] != '.' && (s[0] < '0' || s[0] > '9')
}

// mergeTargets replaces the values assigned to or merged into one name by
// the one value the name holds after them all, where the first of them was.
// A name with a single value keeps it as found.
func mergeTargets(values []*jsonValue) []*jsonValue {
	byTarget := map[string][]*jsonValue{}
	for _, v := range values {
		if v.target != "" {
			byTarget[v.target] = append(byTarget[v.target], v)
		}
	}
	out := values[:0:0]
	for _, v := range values {
		steps := byTarget[v.target]
		switch {
		case v.target == "" || len(steps) < 2:
			out = append(out, v)
		case steps[0] == v:
			if merged, ok := mergeSteps(steps); ok {
				out = append(out, merged)
			} else {
				out = append(out, steps...)
			}
		}
	}
	return out
}

// mergeSteps applies the steps in order; ok is false when a step is not
// an object (then the values are kept as found).
func mergeSteps(steps []*jsonValue) (*jsonValue, bool) {
	var state map[string]any
	for _, s := range steps {
		d, err := s.Decoded()
		obj, isObj := d.(map[string]any)
		if err != nil || !isObj {
			return nil, false
		}
		switch {
		case state == nil:
			state = maps.Clone(obj)
		case s.how == assign:
			state = maps.Clone(obj)
		case s.how == assignDefault:
		case s.how == mergeDeep:
			deepMerge(state, obj)
		default:
			maps.Copy(state, obj)
		}
	}
	text, err := json.Marshal(state)
	if err != nil {
		return nil, false
	}
	// The result keeps its name, as an assignment: a later script may
	// merge into it again.
	return &jsonValue{Text: string(text), Origin: steps[0].Origin + ", " + steps[0].target + " as the scripts leave it (" + strconv.Itoa(len(steps)) + " steps merged)",
		target: steps[0].target, how: assign}, true
}

func deepMerge(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if have, ok := dst[k].(map[string]any); ok {
				merged := maps.Clone(have)
				deepMerge(merged, sub)
				dst[k] = merged
				continue
			}
		}
		dst[k] = v
	}
}
