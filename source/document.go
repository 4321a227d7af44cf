package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/tidwall/gjson"
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

// KindForContentType is what KindAuto becomes for a response: JSON for any
// JSON media type ("application/json", "application/vnd.api+json",
// "text/json"), and HTML for everything else.
func KindForContentType(contentType string) Kind {
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

// Document is a parsed page, ready for selectors.
type Document struct {
	html *goquery.Document
	json string
	// embedded holds, by locator, the JSON found in an element's text:
	// several fields read one script ("window.initialState = {...}") or
	// attribute, and finding its JSON costs a parse of it.
	embedded map[string]embedded
}

// embedded is the JSON in one element's text, or why there is none.
type embedded struct {
	json string
	err  error
}

// ParseDocument parses a response body of the given kind. A JSON body may be
// wrapped (JSONP's "callback({...});"): the JSON then starts at the first "{".
func ParseDocument(body []byte, kind Kind) (*Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("empty response body")
	}
	switch kind {
	case KindJSON:
		text, err := embeddedJSON(string(body))
		if err != nil {
			return nil, fmt.Errorf("response is not valid JSON: %w", err)
		}
		return &Document{json: text}, nil
	case KindHTML:
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("parse HTML: %w", err)
		}
		return &Document{html: doc}, nil
	default:
		return nil, fmt.Errorf("document kind %v is not resolved", kind)
	}
}

// embeddedJSON returns the JSON value in text: text itself when it is JSON,
// else the object that starts at its first "{" (a script assigning an
// object, JSONP), without what follows it.
func embeddedJSON(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	if gjson.Valid(trimmed) {
		return trimmed, nil
	}
	i := strings.IndexByte(trimmed, '{')
	if i < 0 {
		return "", errors.New("no JSON object in text")
	}
	var raw json.RawMessage
	if err := json.NewDecoder(strings.NewReader(trimmed[i:])).Decode(&raw); err != nil {
		return "", err
	}
	return string(raw), nil
}

// Kind returns the kind of the document: KindHTML or KindJSON.
func (d *Document) Kind() Kind {
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

// errNoMatch marks a selector that found nothing, so that a field with
// several selectors can go on to the next one.
var errNoMatch = errors.New("matched nothing")

// Select applies the selector to the document.
func (d *Document) selectValue(s Selector) (value, error) {
	var v value
	var err error
	if d.html != nil {
		v, err = d.selectHTML(s)
	} else {
		v, err = selectJSON(d.json, s.locator)
	}
	if err != nil {
		return value{}, err
	}
	if s.regexp == nil {
		return v, nil
	}
	text := v.text
	if v.isNumber {
		text = fmt.Sprint(v.number)
	}
	m := s.regexp.FindStringSubmatch(text)
	if m == nil {
		return value{}, fmt.Errorf("regexp /%s/ %w in %q", s.regexp, errNoMatch, truncate(text))
	}
	captured := strings.TrimSpace(m[len(m)-1])
	return value{text: captured, machine: v.machine || v.isNumber}, nil
}

func (d *Document) selectHTML(s Selector) (value, error) {
	if s.path == "" {
		return d.locate(s)
	}
	e, ok := d.embedded[s.locator]
	if !ok {
		var v value
		v, e.err = d.locate(s)
		if e.err == nil {
			if e.json, e.err = embeddedJSON(v.text); e.err != nil {
				e.err = fmt.Errorf("text is not JSON, so a path cannot apply: %w", e.err)
			}
		}
		if d.embedded == nil {
			d.embedded = map[string]embedded{}
		}
		d.embedded[s.locator] = e
	}
	if e.err != nil {
		return value{}, e.err
	}
	return selectJSON(e.json, s.path)
}

// locate reads the text, or attribute, of the first element s matches.
func (d *Document) locate(s Selector) (value, error) {
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

func selectJSON(doc, path string) (value, error) {
	r := gjson.Get(doc, path)
	switch r.Type {
	case gjson.Number:
		return value{number: r.Num, isNumber: true, machine: true}, nil
	case gjson.String:
		return value{text: strings.TrimSpace(r.Str), machine: true}, nil
	case gjson.Null:
		if !r.Exists() {
			return value{}, fmt.Errorf("JSON path %q %w", path, errNoMatch)
		}
		return value{}, fmt.Errorf("JSON path %q is null", path)
	case gjson.JSON:
		return value{}, fmt.Errorf("JSON path %q is an object or array, not a value", path)
	default:
		return value{}, fmt.Errorf("JSON path %q is a boolean, not a value", path)
	}
}
