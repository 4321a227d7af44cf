package read

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/andybalholm/cascadia"
)

// A Selector says where on a page a value is. Its text form is
//
//	LOCATOR [ | PATH ] [ | /REGEXP/ ]
//
// On an HTML page LOCATOR is a CSS selector, reading the text of the first
// matching element, or one of its attributes with a trailing "@attr"
// ("div[role=progressbar]@aria-valuenow"). PATH then reads a JSON value out
// of that text ("script#__NEXT_DATA__ | props.pageProps.amount"); the text
// may be JSON itself or hold it, as a script that assigns objects does
// ("window.initialState = {...};"): PATH is tried on each JSON value in the
// text, in order, and the first it matches gives the value.
//
// A LOCATOR that starts with "$" is a JSONPath (RFC 9535) over every JSON
// value the page carries, in page order ("$..currentAmount.amount"; see
// findInPage and compiledQuery).
//
// On a JSON document LOCATOR is the path (a gjson path such as
// "feed.campaign.current_amount", or a JSONPath) and there is no second
// PATH.
//
// A final /REGEXP/ cuts the value out of the text: its first capture group,
// or the whole match when it has none ("h2 | /raised of (.*) goal/"). It
// takes the rest of the selector, so it may itself contain " | ".
type Selector struct {
	raw     string
	locator string
	attr    string            // HTML only: read this attribute instead of the text
	css     cascadia.Selector // nil when locator is not valid CSS
	cssErr  error
	// pageQuery is set when the locator is a JSONPath over the page's
	// JSON; hasQuery when a PATH stage follows a CSS locator. query is
	// that path; docQuery the locator read as a path, for JSON documents.
	pageQuery, hasQuery bool
	query               compiledQuery
	docQuery            compiledQuery
	regexp              *regexp.Regexp
	// pick says what to do when a JSON path selects several values.
	pick Pick
	// only is the kind of document the selector is written for; KindAuto
	// means any. Presets list selectors for a page and for its JSON form
	// side by side, and each applies to its own kind.
	only Kind
}

const stageSeparator = " | "

var attrSuffix = regexp.MustCompile(`^(.*[^\s])\s*@([A-Za-z_:][-A-Za-z0-9_:.]*)$`)

// missedSeparator finds a bar written against a locator or a regexp
// ("#total|/(\d+)/"): stages are separated by a bar with a space each side.
var missedSeparator = regexp.MustCompile(`[^\s|]\|[^\s|=]|[^\s|]\|$|\|/`)

// ParseSelector reads the text form of a selector. A locator that is not
// valid CSS is not an error here when it may be a JSON path; Validate says
// whether it suits a given kind of document.
func ParseSelector(text string) (Selector, error) {
	s := strings.TrimSpace(text)
	sel := Selector{raw: s}
	if s == "" {
		return sel, errors.New("empty selector")
	}
	path, re, err := sel.splitStages()
	if err != nil {
		return sel, fmt.Errorf("selector %q: %w", s, err)
	}
	if re != "" {
		if sel.regexp, err = compileRegexpStage(re); err != nil {
			return sel, fmt.Errorf("selector %q: %w", s, err)
		}
	}
	if err := sel.compileLocator(path); err != nil {
		return sel, fmt.Errorf("selector %q: %w", s, err)
	}
	return sel, nil
}

// splitStages sets the locator and returns the PATH and /REGEXP/ stages
// (either may be "").
func (s *Selector) splitStages() (path, re string, err error) {
	stages := strings.SplitN(s.raw, stageSeparator, 2)
	s.locator = strings.TrimSpace(stages[0])
	if strings.HasPrefix(s.locator, "/") {
		return "", "", errors.New("a /regexp/ must follow a locator")
	}
	if len(stages) == 2 {
		re = strings.TrimSpace(stages[1])
	}
	if re != "" && !strings.HasPrefix(re, "/") {
		parts := strings.SplitN(re, stageSeparator, 2)
		path, re = strings.TrimSpace(parts[0]), ""
		if len(parts) == 2 {
			re = strings.TrimSpace(parts[1])
			if !strings.HasPrefix(re, "/") {
				return "", "", errors.New("the stage after the JSON path must be a /regexp/")
			}
		}
	}
	return path, re, nil
}

// compileRegexpStage compiles a /REGEXP/ stage: between slashes, with at
// most one capture group.
func compileRegexpStage(stage string) (*regexp.Regexp, error) {
	if len(stage) < 2 || !strings.HasSuffix(stage, "/") {
		return nil, fmt.Errorf("regexp %q must be written between slashes", stage)
	}
	re, err := regexp.Compile(stage[1 : len(stage)-1])
	if err != nil {
		return nil, err
	}
	if re.NumSubexp() > 1 {
		return nil, fmt.Errorf("regexp %s has %d capture groups, at most one is read", stage, re.NumSubexp())
	}
	return re, nil
}

// compileLocator compiles the locator, as a JSONPath over the page's data
// when it starts with "$", else as CSS (and as a path for JSON documents),
// and path, the JSON stage that follows a CSS locator.
func (s *Selector) compileLocator(path string) error {
	var err error
	if strings.HasPrefix(s.locator, "$") {
		if path != "" {
			return errors.New("a JSONPath locator takes no second path")
		}
		if s.query, err = parseQuery(s.locator); err != nil {
			return err
		}
		s.pageQuery, s.docQuery = true, s.query
		return nil
	}
	if path != "" {
		if s.query, err = parseQuery(path); err != nil {
			return err
		}
		s.hasQuery = true
	}
	s.docQuery, _ = parseQuery(s.locator) // a gjson path: any text is one
	css := s.locator
	if m := attrSuffix.FindStringSubmatch(css); m != nil {
		css, s.attr = m[1], m[2]
	}
	s.css, s.cssErr = cascadia.Compile(css)
	if s.cssErr != nil && missedSeparator.MatchString(s.locator) {
		return fmt.Errorf("stages are separated by a bar with a space on each side: \" | \"; %q is not a CSS selector: %w", s.locator, s.cssErr)
	}
	if s.cssErr != nil && (s.hasQuery || looksLikeCSS(s.locator)) {
		return fmt.Errorf("%q is not a CSS selector: %w", s.locator, s.cssErr)
	}
	return nil
}

// looksLikeCSS reports whether a locator that failed to compile as CSS was
// meant as CSS rather than as a JSON path: JSON paths hold none of these.
func looksLikeCSS(locator string) bool {
	return strings.ContainsAny(locator[:1], "#.[*:>") || strings.ContainsAny(locator, "[]")
}

// MustParseSelector is ParseSelector for selectors written in the program
// (presets, the demo), where a syntax error is a bug.
func MustParseSelector(text string) Selector {
	sel, err := ParseSelector(text)
	if err != nil {
		panic(err)
	}
	return sel
}

// Validate says whether the selector can be applied to a document of the
// given kind. KindAuto accepts anything that suits either kind.
func (s Selector) Validate(kind Kind) error {
	if s.pageQuery {
		return nil // a JSONPath suits both
	}
	htmlErr := s.cssErr
	if htmlErr != nil {
		htmlErr = fmt.Errorf("selector %q: not a CSS selector: %w", s.raw, htmlErr)
	}
	var jsonErr error
	if s.hasQuery {
		jsonErr = fmt.Errorf("selector %q: a JSON document takes a path alone, not a locator and a path", s.raw)
	}
	switch kind {
	case KindHTML:
		return htmlErr
	case KindJSON:
		return jsonErr
	default:
		if htmlErr != nil && jsonErr != nil {
			return htmlErr
		}
		return nil
	}
}

// WithPick returns the selector taking pick when its JSON path selects
// several values.
func (s Selector) WithPick(pick Pick) Selector {
	s.pick = pick
	return s
}

// For returns the selector restricted to documents of the given kind:
// applied to another kind, it is skipped rather than tried.
func (s Selector) For(kind Kind) Selector {
	s.only = kind
	return s
}

// appliesTo reports whether the selector is to be tried on a document of
// the given kind.
func (s Selector) appliesTo(kind Kind) bool { return s.only == KindAuto || s.only == kind }

// String returns the selector as it was written.
func (s Selector) String() string { return s.raw }
