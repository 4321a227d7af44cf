package preset

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/read"
)

// variableValue is what a URL variable may hold: it is put into selectors
// (quoted JSONPath strings, regexps) and URLs, so nothing that could end
// a string or mean something there.
var variableValue = regexp.MustCompile(`^[A-Za-z0-9_.~-]+$`)

// pagePattern is a compiled Page.
type pagePattern struct {
	Page
	path *regexp.Regexp
	// endpoint matches a URL that already is this page's endpoint (on the
	// page's host): it is read as given. nil for a whole-URL endpoint.
	endpoint *pagePattern
	names    []string
	// query holds the query parameters the page must have: a literal
	// value, or "{name}" to capture it. Keys compare case-insensitively.
	query map[string]string
}

// compilePage compiles a page pattern: its path and query, and the
// endpoint and donation list it names.
func compilePage(pg Page) (pagePattern, error) {
	pat := pagePattern{Page: pg, query: map[string]string{}}
	for _, text := range []string{pg.Page, pg.Endpoint, pg.Donations} {
		// "{shortName}" is no variable: left as it is, it would match
		// itself only, and the pattern no page.
		if rest := placeholder.ReplaceAllString(text, ""); strings.ContainsAny(rest, "{}") {
			return pat, fmt.Errorf("%q: a {name} is lower-case letters, digits and _, starting with a letter", text)
		}
	}
	rawPath, rawQuery, _ := strings.Cut(pg.Page, "?")
	if err := pat.compilePath(rawPath); err != nil {
		return pat, err
	}
	if err := pat.compileQuery(rawQuery); err != nil {
		return pat, err
	}
	if err := pat.checkTargets(); err != nil {
		return pat, err
	}
	if strings.HasPrefix(pg.Endpoint, "/") {
		ep, err := compilePage(Page{Page: pg.Endpoint})
		if err != nil {
			return pat, fmt.Errorf("endpoint %q: %w", pg.Endpoint, err)
		}
		pat.endpoint = &ep
	}
	return pat, nil
}

// compilePath compiles the pattern's path into pat.path, each {name} a
// group, and adds the names it captures.
func (pat *pagePattern) compilePath(rawPath string) error {
	if !strings.HasPrefix(rawPath, "/") {
		return fmt.Errorf("must start with /")
	}
	var expr strings.Builder
	expr.WriteString("^")
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(rawPath, -1) {
		expr.WriteString(regexp.QuoteMeta(rawPath[last:m[0]]))
		name := rawPath[m[2]:m[3]]
		if slices.Contains(pat.names, name) {
			return fmt.Errorf("{%s} appears twice", name)
		}
		pat.names = append(pat.names, name)
		// Shortest first, so that "{id}-{name}" splits at the first dash.
		expr.WriteString(`([^/]+?)`)
		last = m[1]
	}
	expr.WriteString(regexp.QuoteMeta(strings.TrimSuffix(rawPath[last:], "/")))
	expr.WriteString("/?$")
	re, err := regexp.Compile(expr.String())
	if err != nil {
		return err
	}
	pat.path = re
	return nil
}

// compileQuery records the query parameters the page must have, and adds
// the names of those it captures.
func (pat *pagePattern) compileQuery(rawQuery string) error {
	if rawQuery == "" {
		return nil
	}
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return err
	}
	for k, v := range values {
		pat.query[strings.ToLower(k)] = v[0]
		if m := placeholder.FindStringSubmatch(v[0]); m != nil {
			pat.names = append(pat.names, m[1])
		}
	}
	return nil
}

// checkTargets checks the endpoint and the donation list the page names:
// a path or an https URL, using only variables the page captures.
func (pat *pagePattern) checkTargets() error {
	pg := pat.Page
	for _, v := range placeholders(pg.Endpoint) {
		if !slices.Contains(pat.names, v) {
			return fmt.Errorf("endpoint %q uses {%s}, which the page does not capture", pg.Endpoint, v)
		}
	}
	for _, v := range placeholders(pg.Donations) {
		if !slices.Contains(pat.names, v) {
			return fmt.Errorf("donations %q uses {%s}, which the page does not capture", pg.Donations, v)
		}
	}
	if pg.Donations != "" && !strings.HasPrefix(pg.Donations, "/") && !strings.HasPrefix(pg.Donations, "https://") {
		return fmt.Errorf("donations %q: want a path or an https URL", pg.Donations)
	}
	if pg.Endpoint != "" && !strings.HasPrefix(pg.Endpoint, "/") && !strings.HasPrefix(pg.Endpoint, "https://") {
		return fmt.Errorf("endpoint %q: want a path or an https URL", pg.Endpoint)
	}
	return nil
}

// match returns the variables of u when it is a URL of this page.
func (pat pagePattern) match(u *url.URL) (map[string]string, bool) {
	m := pat.path.FindStringSubmatch(u.EscapedPath())
	if m == nil {
		return nil, false
	}
	vars := map[string]string{}
	for i, name := range pat.names[:pat.path.NumSubexp()] {
		vars[name] = m[i+1]
	}
	if len(pat.query) > 0 {
		query := map[string]string{}
		for k, v := range u.Query() {
			query[strings.ToLower(k)] = v[0]
		}
		for key, want := range pat.query {
			got, ok := query[key]
			if !ok {
				return nil, false
			}
			if name := placeholder.FindStringSubmatch(want); name != nil {
				vars[name[1]] = got
			} else if !strings.EqualFold(got, want) {
				return nil, false
			}
		}
	}
	for _, v := range vars {
		if !variableValue.MatchString(v) {
			return nil, false
		}
	}
	return vars, true
}

// Campaign is what a preset makes of a campaign's URL.
type Campaign struct {
	// FetchURL is what is read: the page's endpoint, or the URL as given.
	FetchURL string
	// Vars are the variables the URL gave ({slug}, {id}); nil when it is
	// not one of the platform's page URLs.
	Vars map[string]string
	// PageFallback reads the page URL when the endpoint is gone (404 or
	// 410): the page carries the same figures (a preset that reads both
	// kinds of document).
	PageFallback bool
	// Spec reads the figures: the preset's fields, each marked with the
	// preset's name, and override naming the variable that replaces it.
	Spec read.Spec
	// Donations is the campaign's donation list; nil when the platform,
	// or the page the URL names, has none.
	Donations *donations.Spec
}

// Apply makes a campaign of pageURL: the URL to fetch and how to read it.
// override names, for error messages, the variable that replaces a field.
func (p *Preset) Apply(pageURL string, override func(read.Field) string) (Campaign, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return Campaign{}, err
	}
	if len(p.pages) > 0 && strings.Trim(u.Path, "/") == "" {
		return Campaign{}, fmt.Errorf("platform %s: %q names no page of the platform (such as %s)", p.Name, pageURL, p.pages[0].Page.Page)
	}
	c := p.locate(u, pageURL)
	if c.Spec, err = p.spec(c.Vars, override); err != nil {
		return Campaign{}, err
	}
	return c, nil
}

// locate finds the page pattern pageURL (parsed: u) matches: its
// variables, what is fetched and the donation list. A URL that matches no
// pattern is read as given, with no variables.
func (p *Preset) locate(u *url.URL, pageURL string) Campaign {
	c := Campaign{FetchURL: pageURL}
	for _, pat := range p.pages {
		// A URL that already is an endpoint is read as given.
		if pat.endpoint == nil {
			continue
		}
		if vars, ok := pat.endpoint.match(u); ok {
			c.Vars = vars
			c.Donations = p.donationSpec(u, pat.Donations, vars)
			break
		}
	}
	for _, pat := range p.pages {
		if c.Vars != nil {
			break
		}
		vars, ok := pat.match(u)
		if !ok {
			continue
		}
		c.Vars = vars
		c.Donations = p.donationSpec(u, pat.Donations, vars)
		if pat.Endpoint != "" {
			c.FetchURL = endpointURL(u, fillPlaceholders(pat.Endpoint, func(name string) string { return vars[name] }))
			c.PageFallback = p.kind == read.KindAuto
		}
		break
	}
	return c
}

// spec is how the preset's fields read with these URL variables.
func (p *Preset) spec(vars map[string]string, override func(read.Field) string) (read.Spec, error) {
	spec := read.Spec{
		AmountScale: p.AmountScale,
		Fields:      map[read.Field]read.FieldSpec{},
	}
	if spec.AmountScale == 0 {
		spec.AmountScale = 1
	}
	var err error
	if spec.ProgressChecks, err = p.selectors(p.ProgressChecks, vars); err != nil {
		return read.Spec{}, err
	}
	for field, f := range p.Fields {
		fs := read.FieldSpec{Literal: f.Literal, Optional: f.Optional, Preset: p.Name, ChecksNote: f.ChecksNote}
		if override != nil {
			fs.Override = override(field)
		}
		for _, group := range []struct {
			from []Selector
			to   *[]read.Selector
		}{{f.Selectors, &fs.Selectors}, {f.Checks, &fs.Checks}, {f.AbsentIf, &fs.AbsentIf}, {f.PresentIf, &fs.PresentIf}} {
			if *group.to, err = p.selectors(group.from, vars); err != nil {
				return read.Spec{}, err
			}
		}
		spec.Fields[field] = fs
	}
	return spec, nil
}

// endpointURL is the endpoint for the page at u: a whole URL, or a path
// (with its query) on the page's scheme and host.
func endpointURL(u *url.URL, endpoint string) string {
	if strings.Contains(endpoint, "://") {
		return endpoint
	}
	e := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host}
	path, query, _ := strings.Cut(endpoint, "?")
	e.Path, e.RawQuery = path, query
	return e.String()
}

// selectors parses the selectors that apply with these URL variables: one
// that needs a variable the URL did not give, or that is skipped when the
// URL gives one (unless), is left out.
func (p *Preset) selectors(sels []Selector, vars map[string]string) ([]read.Selector, error) {
	var out []read.Selector
	for _, s := range sels {
		if _, ok := vars[s.Unless]; ok && s.Unless != "" {
			continue
		}
		missing := false
		text := fillPlaceholders(s.Text, func(name string) string {
			v, ok := vars[name]
			missing = missing || !ok
			return v
		})
		if missing {
			continue
		}
		sel, err := p.parse(text)
		if err != nil {
			return nil, fmt.Errorf("preset %s: %w", p.Name, err)
		}
		out = append(out, sel.For(s.Kind).WithPick(s.Pick))
	}
	return out, nil
}

// parse parses a selector's text, or takes it from the preset's cache.
func (p *Preset) parse(text string) (read.Selector, error) {
	if sel, ok := p.parsed.Load(text); ok {
		return sel.(read.Selector), nil
	}
	sel, err := read.ParseSelector(text)
	if err != nil {
		return read.Selector{}, err
	}
	p.parsed.Store(text, sel)
	return sel, nil
}
