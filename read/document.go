package read

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Kind is the kind of document a campaign's page is.
type Kind int

const (
	// KindAuto decides from the response's Content-Type.
	KindAuto Kind = iota
	KindHTML
	KindJSON
)

func (k Kind) String() string {
	switch k {
	case KindHTML:
		return "html"
	case KindJSON:
		return "json"
	default:
		return "auto"
	}
}

// kindForContentType is what KindAuto becomes for a response: JSON for any
// JSON media type ("application/json", "application/vnd.api+json",
// "text/json"), and HTML for everything else.
func kindForContentType(contentType string) Kind {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = strings.ToLower(strings.TrimSpace(contentType))
	}
	if strings.HasSuffix(mediaType, "/json") || strings.HasSuffix(mediaType, "+json") ||
		mediaType == "application/javascript" || mediaType == "text/javascript" {
		return KindJSON
	}
	return KindHTML
}

// pageDoc is a parsed page, ready for selectors.
type pageDoc struct {
	html *goquery.Document
	// json is the JSON document, as the one value its queries see.
	json *jsonValue
	// page holds every JSON value the HTML page carries, found on first
	// use (findInPage) and kept for every field that reads one.
	page     []*jsonValue
	pageErr  error
	pageRead bool
	// inElement holds, by locator, the JSON values in an element's text
	// or attribute: several fields read one script, and finding its JSON
	// costs a pass over it.
	inElement map[string]elementJSON
}

// elementJSON is the JSON in one element's text, or why there is none.
type elementJSON struct {
	values []*jsonValue
	err    error
}

// parsePageDoc parses a response body of the given kind. A JSON body may be
// wrapped (JSONP's "callback({...});"): the first JSON value in it is read.
// JSON nested deeper than MaxJSONDepth is refused before it is parsed.
func parsePageDoc(body []byte, kind Kind) (*pageDoc, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty response body")
	}
	switch kind {
	case KindJSON:
		text, err := jsonDocument(string(body))
		if err != nil {
			return nil, fmt.Errorf("response is not valid JSON: %w", err)
		}
		return &pageDoc{json: &jsonValue{Text: text, Origin: "the document"}}, nil
	case KindHTML:
		root, err := parseHTML(body)
		if err != nil {
			return nil, fmt.Errorf("parse HTML: %w", err)
		}
		return &pageDoc{html: goquery.NewDocumentFromNode(root)}, nil
	default:
		return nil, fmt.Errorf("document kind %v is not resolved", kind)
	}
}

// parseHTML parses an HTML page. The parser refuses pages that nest more
// than 512 elements deep (browsers render them); no donation page does, so
// such a page is refused too, with an error that says why.
func parseHTML(body []byte) (*html.Node, error) {
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil && strings.Contains(err.Error(), "open stack of elements exceeds") {
		return nil, errors.New("the page nests more than 512 elements deep (a broken or hostile page)")
	}
	return root, err
}

// jsonDocument returns the JSON value of a JSON response: the body itself,
// or the first object or array in it (JSONP, a leading "while(1);").
func jsonDocument(body string) (string, error) {
	trimmed := strings.TrimSpace(body)
	if err := checkDepth(trimmed, maxJSONDepth); err != nil {
		return "", err
	}
	if json.Valid([]byte(trimmed)) {
		return trimmed, nil
	}
	values, err := findInText(trimmed, "the document")
	if len(values) > 0 {
		return values[0].Text, nil
	}
	if err != nil {
		return "", err
	}
	var probe any
	if err := json.Unmarshal([]byte(trimmed), &probe); err != nil {
		return "", err
	}
	return "", errors.New("no JSON object in text")
}

// Kind returns the kind of the document: KindHTML or KindJSON.
func (d *pageDoc) Kind() Kind {
	if d.html != nil {
		return KindHTML
	}
	return KindJSON
}

// value is what a selector read, before a field interprets it.
type value struct {
	text     string
	number   float64
	isNumber bool // a JSON number: no text to interpret
	// machine is true for JSON strings and HTML attributes, written for
	// programs: "1.500" there is one and a half, not fifteen hundred.
	machine bool
}

// String returns the value as text, a JSON number in its shortest form.
func (v value) String() string {
	if v.isNumber {
		return strconv.FormatFloat(v.number, 'f', -1, 64)
	}
	return v.text
}

// errNotScalar marks a JSON value that is there but is no figure (an
// object, an array, a boolean): enough for a PresentIf selector.
var errNotScalar = errors.New("not a number or a string")

// selectValue applies the selector to the document.
func (d *pageDoc) selectValue(s Selector) (value, error) {
	var v value
	var err error
	switch {
	case d.html == nil:
		v, err = selectJSONDoc(d.json, s)
	case s.pageQuery:
		var values []*jsonValue
		values, err = d.pageJSON()
		if err == nil || len(values) > 0 {
			v, err = selectJSON(values, s)
		}
	case s.hasQuery:
		v, err = d.selectInElement(s)
	default:
		v, err = d.locate(s)
	}
	if err != nil {
		return value{}, err
	}
	if s.regexp == nil {
		return v, nil
	}
	text := v.String()
	m := s.regexp.FindStringSubmatch(text)
	if m == nil {
		return value{}, fmt.Errorf("regexp /%s/ %w in %q", s.regexp, errNoMatch, truncate(text))
	}
	captured := strings.TrimSpace(m[len(m)-1])
	return value{text: captured, machine: v.machine || v.isNumber}, nil
}

// matches reports whether the selector finds anything on the page: a
// value, or a JSON object, array or boolean.
func (d *pageDoc) matches(s Selector) bool {
	if s.regexp == nil && (d.html == nil || s.pageQuery || s.hasQuery) {
		// Any node will do, however many and whatever they are.
		s.pick = PickAny
	}
	_, err := d.selectValue(s)
	return err == nil || errors.Is(err, errNotScalar)
}

// pageJSON returns every JSON value the HTML page carries.
func (d *pageDoc) pageJSON() ([]*jsonValue, error) {
	if !d.pageRead {
		d.page, d.pageErr = findInPage(d.html.Nodes[0])
		d.pageRead = true
	}
	return d.page, d.pageErr
}

func (d *pageDoc) selectInElement(s Selector) (value, error) {
	e, ok := d.inElement[s.locator]
	if !ok {
		var v value
		v, e.err = d.locate(s)
		if e.err == nil {
			e.values, e.err = findInText(v.text, s.locator)
			if len(e.values) == 0 && e.err == nil {
				e.err = fmt.Errorf("text holds no JSON, so a path cannot apply: %w", errNoMatch)
			}
		}
		if d.inElement == nil {
			d.inElement = map[string]elementJSON{}
		}
		d.inElement[s.locator] = e
	}
	if len(e.values) == 0 {
		return value{}, e.err
	}
	return selectJSON(e.values, s)
}

// locate reads the text, or attribute, of the first element s matches.
func (d *pageDoc) locate(s Selector) (value, error) {
	if s.cssErr != nil {
		return value{}, fmt.Errorf("not a CSS selector: %w", s.cssErr)
	}
	found := d.html.FindMatcher(goquery.SingleMatcher(s.css))
	if found.Length() == 0 {
		return value{}, errNoMatch
	}
	if s.attr != "" {
		attr, ok := found.Attr(s.attr)
		if !ok {
			return value{}, fmt.Errorf("attribute %q: %w", s.attr, errNoMatch)
		}
		return value{text: strings.TrimSpace(attr), machine: true}, nil
	}
	return value{text: strings.Join(strings.Fields(found.Text()), " ")}, nil
}

// selectJSON applies the selector's query to values, in order (see
// compiledQuery.Find), and reads the one value it stands for.
func selectJSON(values []*jsonValue, s Selector) (value, error) {
	find := s.query.Find
	if s.pick == PickSole {
		find = s.query.FindSole
	}
	m, err := find(values)
	if err != nil {
		return value{}, err
	}
	node, err := m.One(s.pick)
	if err != nil {
		return value{}, fmt.Errorf("JSON path %q: %w", s.query, err)
	}
	switch n := node.(type) {
	case float64:
		return value{number: n, isNumber: true, machine: true}, nil
	case string:
		return value{text: strings.TrimSpace(n), machine: true}, nil
	case nil:
		return value{}, fmt.Errorf("JSON path %q is null: %w", s.query, errNoMatch)
	case bool:
		return value{}, fmt.Errorf("JSON path %q is a boolean, %w", s.query, errNotScalar)
	default:
		return value{}, fmt.Errorf("JSON path %q is an object or array, %w", s.query, errNotScalar)
	}
}

// selectJSONDoc applies the selector's locator, a path, to a JSON document.
func selectJSONDoc(doc *jsonValue, s Selector) (value, error) {
	s.query = s.docQuery
	return selectJSON([]*jsonValue{doc}, s)
}
