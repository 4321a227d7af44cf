package read

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// findInPage returns every JSON value an HTML page carries, in page order:
// the JSON of each script (<script type="application/json"> such as
// Next.js' __NEXT_DATA__, application/ld+json, and what scripts assign,
// merge or hold in string literals), the JSON in data-* attributes, and
// Next.js flight data (self.__next_f.push([1,"…"])), whose chunks are
// joined before they are searched and which counts from its first chunk.
// The error is ErrScanBudget when the search stopped early.
func findInPage(root *html.Node) ([]*jsonValue, error) {
	p := pageFinder{}
	p.walk(root)
	if p.flight.Len() > 0 {
		found, err := findInText(p.flight.String(), "Next.js flight data")
		p.errs = append(p.errs, err)
		// The flight data's values take the place of its first chunk.
		p.found = append(p.found[:p.flightAt], append(found, p.found[p.flightAt:]...)...)
	}
	return mergeTargets(p.found), errors.Join(p.errs...)
}

type pageFinder struct {
	found    []*jsonValue
	errs     []error
	scripts  int
	flight   strings.Builder
	flightAt int // index in found where the flight data belongs
	inFlight bool
}

func (p *pageFinder) walk(n *html.Node) {
	if n.Type == html.ElementNode {
		p.element(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.walk(c)
	}
}

func (p *pageFinder) element(n *html.Node) {
	for _, a := range n.Attr {
		v := strings.TrimSpace(a.Val)
		if !strings.HasPrefix(a.Key, "data-") || v == "" || (v[0] != '{' && v[0] != '[') {
			continue
		}
		before := len(p.found)
		p.text(v, fmt.Sprintf("%s[%s] attribute", n.Data, a.Key))
		for _, found := range p.found[before:] {
			found.node = n
		}
	}
	if n.Data != "script" {
		return
	}
	p.scripts++
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	text := b.String()
	if strings.TrimSpace(text) == "" {
		return
	}
	origin := fmt.Sprintf("script %d", p.scripts)
	for _, a := range n.Attr {
		if a.Key == "id" && a.Val != "" {
			origin = "script#" + a.Val
		}
	}
	if p.flightChunk(text) {
		return
	}
	p.text(text, origin)
}

func (p *pageFinder) text(text, origin string) {
	found, err := findInText(text, origin)
	p.found = append(p.found, found...)
	if err != nil {
		p.errs = append(p.errs, fmt.Errorf("%s: %w", origin, err))
	}
}

// flightChunk takes the string of a script that is nothing but
// self.__next_f.push([1,"…"]) into the flight data, and reports whether
// it did.
func (p *pageFinder) flightChunk(text string) bool {
	s := strings.TrimSpace(text)
	const push = "self.__next_f.push("
	if !strings.HasPrefix(s, push) {
		return false
	}
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(s, push), ";"), ")")
	var chunk []json.RawMessage
	if err := json.Unmarshal([]byte(s), &chunk); err != nil || len(chunk) != 2 || string(chunk[0]) != "1" {
		// [0] opens the stream, [2,…] carries form state: no data.
		return err == nil
	}
	var data string
	if err := json.Unmarshal(chunk[1], &data); err != nil {
		return false
	}
	if !p.inFlight {
		p.inFlight, p.flightAt = true, len(p.found)
	}
	p.flight.WriteString(data)
	return true
}
