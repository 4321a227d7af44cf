// Package preset holds what donation_exporter knows about donation
// platforms, as data: one YAML file per platform under presets/, loaded
// and checked once at start. A preset says which hosts are the platform's,
// how a page URL maps to the machine-readable endpoint it is read at, and
// where each figure is, as ordered selectors run by the same reader as a
// campaign configured by hand.
package preset

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"github.com/donation-exporter/donation_exporter/forecast"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/donation-exporter/donation_exporter/read"
)

//go:embed presets/*.yaml
var files embed.FS

// Bases of the amount raised: what donation_raised counts.
var raisedBases = []string{"cumulative", "per_week", "per_month", "last_12_months"}

// Bases of the donor count: what donation_donors counts.
var donorsBases = []string{"donors", "donations", "patrons", "backers"}

// Preset is one platform.
type Preset struct {
	// Name is what PLATFORM takes, and the file's name.
	Name string `yaml:"name"`
	// Title and Homepage name the platform for people.
	Title    string `yaml:"title"`
	Homepage string `yaml:"homepage"`
	// Hosts select the preset when a campaign names no platform:
	// "example.org" matches that host, "*.example.org" its subdomains too.
	Hosts []string `yaml:"hosts"`
	// Kind is how the page read is parsed: html, json, or auto (by the
	// response's Content-Type).
	KindName string `yaml:"kind"`
	// AmountScale multiplies the amounts read (0.01 for cents); 0 means 1.
	AmountScale float64 `yaml:"amount_scale"`
	// RaisedBasis says what the amount raised counts (cumulative,
	// per_week, per_month, last_12_months), DonorsBasis what the donor
	// count counts (donors, donations, patrons, backers).
	RaisedBasis string `yaml:"raised_basis"`
	DonorsBasis string `yaml:"donors_basis"`
	// Forecast names the built-in pace curve the platform's campaigns
	// follow (forecast.BuiltinNames); empty is linear.
	Forecast string `yaml:"forecast"`
	// Notes say, for people, what the preset reads and what it cannot.
	Notes string `yaml:"notes"`
	// MinInterval is the least time between two fetches of one campaign
	// that the platform asks for (DonorDrive: one request every 15 s): a
	// floor under every campaign's MIN_INTERVAL, whatever it is set to.
	MinInterval time.Duration `yaml:"min_interval"`
	// Pages are the platform's page URLs, tried in order: the first that
	// matches a campaign's URL gives the variables selectors use ({slug})
	// and, when it has one, the endpoint read instead of the page. A URL
	// that matches none (an endpoint already, or a custom page) is read as
	// given.
	Pages []Page `yaml:"pages"`
	// Objects name what several fields read in (the campaign's object in
	// the page's data, a script): fields refer to them by name.
	Objects map[string]*Object `yaml:"objects"`
	// Fields say how to read each figure.
	Fields map[read.Field]Field `yaml:"fields"`
	// ProgressChecks read the percentage the page shows, to cross-check
	// raised / target.
	ProgressChecks []Selector `yaml:"progress_checks"`
	// Requires names the fields the configuration must give, and why.
	Requires map[read.Field]string `yaml:"requires"`
	// Donations says how the platform's donation lists are read, for the
	// pages that name one (Page.Donations); nil when it publishes none.
	Donations *DonationList `yaml:"donations"`
	// Auth says how the platform's API takes a key (TOKEN_FILE); nil: a
	// key, when given, goes as a bearer token.
	Auth *Auth `yaml:"auth"`

	kind  read.Kind
	pages []pagePattern
	// parsed caches selectors by their text once variables are filled in:
	// 10,000 campaigns of one platform share all but their {slug} ones.
	// Selectors are immutable once parsed, so campaigns may share them.
	parsed sync.Map // string → read.Selector
}

// Auth is how a platform's API takes a key.
type Auth struct {
	// Required makes TOKEN_FILE required: the API answers nothing
	// without a key.
	Required bool `yaml:"required"`
	// Key says, for people, what the key is and where to get one.
	Key string `yaml:"key"`
	// Query names the query parameter the key goes in. Without it the key
	// goes in Header (Authorization when empty), after Scheme and a space
	// (Bearer when both are empty; none when only Header is set).
	Query  string `yaml:"query"`
	Header string `yaml:"header"`
	Scheme string `yaml:"scheme"`
}

// check checks an auth block; a nil one is none.
func (a *Auth) check() []error {
	if a == nil {
		return nil
	}
	var errs []error
	if a.Query != "" && (a.Header != "" || a.Scheme != "") {
		errs = append(errs, errors.New("auth: a query parameter or a header, not both"))
	}
	if a.Key == "" {
		errs = append(errs, errors.New("auth: key is required: say what the key is and where to get one"))
	}
	if a.Header != "" && !isToken(a.Header) {
		errs = append(errs, fmt.Errorf("auth: header %q is not a header name", a.Header))
	}
	return errs
}

// Sending is how the key is sent: the query parameter, or the header and
// the scheme before the key.
func (a *Auth) Sending() (query, header, scheme string) {
	switch {
	case a == nil:
		return "", "Authorization", "Bearer"
	case a.Query != "":
		return a.Query, "", ""
	case a.Header == "" && a.Scheme == "":
		return "", "Authorization", "Bearer"
	case a.Header == "":
		return "", "Authorization", a.Scheme
	}
	return "", a.Header, a.Scheme
}

// Page maps a page URL pattern to the endpoint it is read at.
type Page struct {
	// Page is a path ("/f/{slug}"), optionally with a query
	// ("/index.cfm?participantID={id}"); {name} matches what one path
	// segment, or one query value, holds.
	Page string `yaml:"page"`
	// Endpoint, when set, is read instead of the page: a path on the page's
	// host ("/api/participants/{id}") or a whole URL
	// ("https://api.kivaws.org/v1/loans/{id}.json").
	Endpoint string `yaml:"endpoint"`
	// Donations, when set, is the page's list of donations, newest first:
	// a path on the page's host or a whole URL, like Endpoint.
	Donations string `yaml:"donations"`
}

// DonationList is how a platform publishes each donation with its time
// (package donations reads it).
type DonationList struct {
	// Items is the dotted path of the array in the answer; empty when the
	// answer is the array.
	Items string `yaml:"items"`
	// Amount and Time are dotted paths inside each donation; an amount
	// null or absent is one the donor hid.
	Amount string `yaml:"amount"`
	Time   string `yaml:"time"`
	// Order is the list's order: newest_first, the only one read.
	Order string `yaml:"order"`
	// Paging says how the list is split into pages; none: one page.
	Paging struct {
		Limit       string `yaml:"limit"`
		MaxLimit    int    `yaml:"max_limit"`
		Offset      string `yaml:"offset"`
		TotalHeader string `yaml:"total_header"`
	} `yaml:"paging"`
}

// Field says how a preset reads one figure.
type Field struct {
	// Literal is a fixed value (Session's dollars).
	Literal string `yaml:"literal"`
	// Selectors are tried in order; the first that matches gives the value.
	Selectors []Selector `yaml:"selectors"`
	// Checks read the same figure elsewhere on the page, to cross-check:
	// one that reads another figure fails the field, unless ChecksNote.
	Checks []Selector `yaml:"checks"`
	// ChecksNote makes a disagreeing check a note instead: for a site of
	// one campaign, where two places can only disagree in time, never
	// about whose figure it is.
	ChecksNote bool `yaml:"checks_note"`
	// Optional fields that no selector matches stay unknown.
	Optional bool `yaml:"optional"`
	// AbsentIf and PresentIf say when the page legitimately lacks the
	// field (see read.FieldSpec).
	AbsentIf  []Selector `yaml:"absent_if"`
	PresentIf []Selector `yaml:"present_if"`
}

// Selector is one selector of a preset: written as a plain string (a
// JSONPath, "$…", applies to both kinds of document; anything else to HTML
// pages), as a map naming the kind it is for, or as a step in a named
// object, the step's dialect named by its key (object.go).
type Selector struct {
	// Text is the selector; {name} stands for a variable of the page URL.
	Text string
	// Kind is the kind of document it applies to; KindAuto: any.
	Kind read.Kind
	// Pick says what to take when a JSON path selects several values
	// ("lowest"); by default they must agree.
	Pick read.Pick
	// Unless names a URL variable whose presence skips the selector: a
	// fallback for URLs that are not the platform's usual page.
	Unless string
	// Object names the preset's object the selector reads in (objects:),
	// and step what it reads there; Text and Kind are resolved from them
	// at load (see object.go).
	Object string
	step   step
	line   int
}

// UnmarshalYAML reads a selector written as a string or as a map with one
// of html, json or selector (either kind), or with object and a step in
// it (css, attr, jsonpath, gjson, regexp: see object.go), and optionally
// pick and unless.
func (s *Selector) UnmarshalYAML(node *yaml.Node) error {
	s.line = node.Line
	if node.Kind == yaml.ScalarNode {
		s.Text = node.Value
		if !strings.HasPrefix(s.Text, "$") {
			s.Kind = read.KindHTML
		}
		return nil
	}
	var m struct {
		HTML     string `yaml:"html"`
		JSON     string `yaml:"json"`
		Selector string `yaml:"selector"`
		Pick     string `yaml:"pick"`
		Unless   string `yaml:"unless"`
		stepKeys `yaml:",inline"`
	}
	if err := checkKeys(node, "selector", append([]string{"html", "json", "selector", "pick", "unless"}, stepKeyNames...)...); err != nil {
		return err
	}
	if err := node.Decode(&m); err != nil {
		return err
	}
	set := 0
	for _, t := range []string{m.HTML, m.JSON, m.Selector} {
		if t != "" {
			set++
		}
	}
	st, err := m.step()
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	switch {
	case set > 0 && (m.Object != "" || st.dialect != ""):
		return fmt.Errorf("line %d: a selector is whole (html, json or selector) or a step (object, css, attr, jsonpath, gjson, regexp), not both", node.Line)
	case set == 0 && m.Object == "" && st.dialect == "":
		return fmt.Errorf("line %d: a selector gives exactly one of html, json or selector, or an object and a step in it", node.Line)
	case set > 1:
		return fmt.Errorf("line %d: a selector gives exactly one of html, json or selector", node.Line)
	}
	switch {
	case set == 0:
		s.Object, s.step = m.Object, st
	case m.HTML != "":
		s.Text, s.Kind = m.HTML, read.KindHTML
	case m.JSON != "":
		s.Text, s.Kind = m.JSON, read.KindJSON
	default:
		s.Text = m.Selector
	}
	pick, err := read.ParsePick(m.Pick)
	if err != nil {
		return fmt.Errorf("line %d: %w", node.Line, err)
	}
	s.Pick, s.Unless = pick, m.Unless
	return nil
}

// Registry is every preset, loaded from the embedded files.
type Registry struct {
	presets []*Preset // sorted by name
}

// Load reads and checks the embedded preset files.
func Load() (*Registry, error) {
	return load(files, "presets")
}

func load(fsys fs.FS, dir string) (*Registry, error) {
	names, err := fs.Glob(fsys, dir+"/*.yaml")
	if err != nil {
		return nil, err
	}
	reg := &Registry{}
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p, err := parse(data, strings.TrimSuffix(path.Base(name), ".yaml"))
		if err != nil {
			errs = append(errs, fmt.Errorf("preset %s: %w", name, err))
			continue
		}
		reg.presets = append(reg.presets, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sort.Slice(reg.presets, func(i, j int) bool { return reg.presets[i].Name < reg.presets[j].Name })
	return reg, nil
}

// parse decodes one preset strictly (an unknown key is an error naming its
// line) and checks it.
func parse(data []byte, fileName string) (*Preset, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Preset
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	if err := p.check(fileName); err != nil {
		return nil, err
	}
	return &p, nil
}

// check validates a decoded preset: names, kinds and bases from their
// lists, URL patterns that compile, and every selector parsed (with its
// variables filled in) for the kind of document it applies to.
func (p *Preset) check(fileName string) error {
	errs := p.checkHeader(fileName)
	if objErrs := p.resolveObjects(); len(objErrs) > 0 {
		// Selectors that refer to a missing object have no text to check.
		return errors.Join(append(errs, objErrs...)...)
	}
	vars, pageErrs := p.compilePages()
	errs = append(errs, pageErrs...)
	errs = append(errs, p.checkFields(vars)...)
	errs = append(errs, p.checkDonations()...)
	return errors.Join(errs...)
}

// checkHeader checks what the preset says of itself: name, title, kind,
// scale, bases and hosts.
func (p *Preset) checkHeader(fileName string) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Name != fileName {
		fail("name %q must be the file's name, %q", p.Name, fileName)
	}
	if p.Title == "" {
		fail("title is required")
	}
	if p.Forecast != "" {
		if _, err := forecast.Builtin(p.Forecast); err != nil {
			fail("forecast: %v", err)
		}
	}
	switch p.KindName {
	case "html":
		p.kind = read.KindHTML
	case "json":
		p.kind = read.KindJSON
	case "auto":
		p.kind = read.KindAuto
	default:
		fail("kind %q: want html, json or auto", p.KindName)
	}
	errs = append(errs, p.Auth.check()...)
	if p.MinInterval < 0 {
		fail("min_interval %v must not be negative", p.MinInterval)
	}
	if p.AmountScale < 0 {
		fail("amount_scale %v must be positive", p.AmountScale)
	}
	if !slices.Contains(raisedBases, p.RaisedBasis) {
		fail("raised_basis %q: want one of %s", p.RaisedBasis, strings.Join(raisedBases, ", "))
	}
	if p.DonorsBasis != "" && !slices.Contains(donorsBases, p.DonorsBasis) {
		fail("donors_basis %q: want one of %s", p.DonorsBasis, strings.Join(donorsBases, ", "))
	}
	if _, reads := p.Fields[read.FieldDonors]; reads && p.DonorsBasis == "" {
		fail("donors_basis is required: the preset reads donors")
	}
	for _, h := range p.Hosts {
		if h != strings.ToLower(h) || strings.ContainsAny(h, "/:") || h == "" {
			fail("host %q: want a lower-case host name, optionally *.domain", h)
		}
	}
	return errs
}

// compilePages compiles the page patterns and returns the variables they
// capture.
func (p *Preset) compilePages() (map[string]bool, []error) {
	var errs []error
	vars := map[string]bool{}
	for _, pg := range p.Pages {
		pat, err := compilePage(pg)
		if err != nil {
			errs = append(errs, fmt.Errorf("page %q: %w", pg.Page, err))
			continue
		}
		p.pages = append(p.pages, pat)
		for _, v := range pat.names {
			vars[v] = true
		}
	}
	return vars, errs
}

// checkFields checks each field's literal or selectors, the progress
// checks, and the required fields.
func (p *Preset) checkFields(vars map[string]bool) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(p.Fields) == 0 {
		fail("fields: the preset reads nothing")
	}
	for field, f := range p.Fields {
		if !slices.Contains(read.Fields(), field) {
			fail("field %q: want one of %v", field, read.Fields())
			continue
		}
		switch {
		case f.Literal != "" && len(f.Selectors) > 0:
			fail("field %s: a literal or selectors, not both", field)
		case f.Literal == "" && len(f.Selectors) == 0:
			fail("field %s: neither a literal nor a selector", field)
		case f.Literal != "":
			if err := read.CheckLiteral(field, f.Literal, nil); err != nil {
				fail("field %s: %v", field, err)
			}
		}
		for _, group := range [][]Selector{f.Selectors, f.Checks, f.AbsentIf, f.PresentIf} {
			errs = append(errs, p.checkSelectors(string(field), group, vars)...)
		}
	}
	errs = append(errs, p.checkSelectors("progress_checks", p.ProgressChecks, vars)...)
	for field := range p.Requires {
		if !slices.Contains(read.Fields(), field) {
			fail("requires %q: not a field", field)
		}
	}
	return errs
}

func (p *Preset) checkSelectors(where string, sels []Selector, vars map[string]bool) []error {
	var errs []error
	for _, s := range sels {
		for _, v := range placeholders(s.Text) {
			if !vars[v] {
				errs = append(errs, fmt.Errorf("%s: selector %q uses {%s}, which no page pattern captures", where, s.Text, v))
			}
		}
		for _, m := range placeholder.FindAllStringSubmatch(s.Text, -1) {
			if m[2] != "" && m[2] != asRegexp {
				errs = append(errs, fmt.Errorf("%s: selector %q: {%s:%s}: the only modifier is :%s", where, s.Text, m[1], m[2], asRegexp))
			}
		}
		for _, v := range unescapedInRegexp(s.Text) {
			errs = append(errs, fmt.Errorf("%s: selector %q puts {%s} into a regular expression unescaped: write {%s:%s}", where, s.Text, v, v, asRegexp))
		}
		if s.Unless != "" && !vars[s.Unless] {
			errs = append(errs, fmt.Errorf("%s: selector %q: unless %q is not a variable of any page pattern", where, s.Text, s.Unless))
		}
		sel, err := read.ParseSelector(fillPlaceholders(s.Text, func(string) string { return "x" }))
		if err == nil {
			kind := s.Kind
			if kind == read.KindAuto {
				kind = p.kind
			}
			err = sel.Validate(kind)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if s.Kind != read.KindAuto && p.kind != read.KindAuto && s.Kind != p.kind {
			errs = append(errs, fmt.Errorf("%s: selector %q is for %v documents, and the preset reads %v", where, s.Text, s.Kind, p.kind))
		}
	}
	return errs
}

// checkDonations checks the donation list: declared where a page names
// one, with its paths, its order and whole paging.
func (p *Preset) checkDonations() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	named := false
	for _, pg := range p.Pages {
		named = named || pg.Donations != ""
	}
	d := p.Donations
	switch {
	case d == nil && named:
		return []error{fmt.Errorf("donations: pages name donation lists, and the preset says not how to read them")}
	case d == nil:
		return nil
	case !named:
		fail("donations: no page names a donation list")
	}
	if p.kind != read.KindJSON {
		fail("donations: a donation list is read from JSON, and the preset reads %s", p.KindName)
	}
	if d.Amount == "" || d.Time == "" {
		fail("donations: amount and time are required")
	}
	if d.Order != "newest_first" {
		fail("donations: order %q: want newest_first", d.Order)
	}
	pg := d.Paging
	if pg.Limit != "" && (pg.MaxLimit <= 0 || pg.Offset == "") {
		fail("donations: paging by %s needs max_limit and offset", pg.Limit)
	}
	if pg.Limit == "" && (pg.MaxLimit != 0 || pg.Offset != "") {
		fail("donations: paging gives max_limit or offset without limit")
	}
	return errs
}

// Presets returns every preset, sorted by name.
func (r *Registry) Presets() []*Preset { return slices.Clone(r.presets) }

// Names returns the names of every preset, sorted.
func (r *Registry) Names() []string {
	names := make([]string, len(r.presets))
	for i, p := range r.presets {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the preset called name.
func (r *Registry) Lookup(name string) (*Preset, bool) {
	for _, p := range r.presets {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Detect returns the preset whose Hosts match host (as url.URL's Hostname
// gives it: no port).
func (r *Registry) Detect(host string) (*Preset, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, p := range r.presets {
		for _, h := range p.Hosts {
			if domain, ok := strings.CutPrefix(h, "*."); ok {
				if host == domain || strings.HasSuffix(host, "."+domain) {
					return p, true
				}
			} else if host == h {
				return p, true
			}
		}
	}
	return nil, false
}

// Kind is the kind of document the preset reads.
func (p *Preset) Kind() read.Kind { return p.kind }

// IsRaisedBasis reports whether basis is a basis of the amount raised:
// cumulative, per_week, per_month or last_12_months.
func IsRaisedBasis(basis string) bool { return slices.Contains(raisedBases, basis) }

// IsDonorsBasis reports whether basis is a basis of the donor count:
// donors, donations, patrons or backers.
func IsDonorsBasis(basis string) bool { return slices.Contains(donorsBases, basis) }

// RaisedBases and DonorsBases list the bases, for messages and docs.
func RaisedBases() []string { return slices.Clone(raisedBases) }
func DonorsBases() []string { return slices.Clone(donorsBases) }

// isToken reports whether s is an HTTP token (RFC 9110), as a header name
// must be.
func isToken(s string) bool {
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r) {
			return false
		}
	}
	return s != ""
}
