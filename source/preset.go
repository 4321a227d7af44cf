package source

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Preset is what donation_exporter knows about one donation platform: where
// each figure is on its pages and, when the platform has a machine-readable
// endpoint, how that endpoint's URL derives from the page's. It is data,
// run by the same extractor as a configured campaign.
type Preset struct {
	Name string
	// Hosts select the preset when a campaign names no platform:
	// "example.org" matches that host, "*.example.org" also its subdomains.
	Hosts []string
	// Endpoint is the path of the platform's JSON endpoint, fetched on the
	// page's scheme and host instead of the page; "{slug}" stands for the
	// first segment of the page's path. Empty: the page itself is read.
	Endpoint string
	// Fields say how to read each figure. Selectors are written for HTML
	// or JSON (Selector.For), so that one preset reads a platform's page
	// and its JSON alike; the first that matches wins.
	Fields map[Field]FieldSpec
	// AmountScale multiplies the amounts read (0.01 for cents); 0 means 1.
	AmountScale float64
	// ProgressChecks read the percentage the page shows, to cross-check
	// raised / target.
	ProgressChecks []Selector
	// Requires names the fields the configuration must give, and why.
	Requires map[Field]string
}

// Presets returns every platform preset, sorted by name.
func Presets() []Preset {
	state := `script:contains("window.initialState")`
	project := `[data-project]@data-project`
	nextData := `script#__NEXT_DATA__ | props.pageProps.donationProgress`
	progressbar := `div[role=progressbar][aria-valuemax]`
	// GoFundMe's progress heading, before and after its CSS modules: the
	// hashed suffix (progressMeterHeading__A6Slt) changes between deploys.
	headings := []string{`.m-progress-meter-heading`, `[class*=progress-meter_progressMeterHeading]`}
	eachHeading := func(regexp string) []Selector {
		var sels []Selector
		for _, h := range headings {
			sels = append(sels, onHTML(h+" | "+regexp)...)
		}
		return sels
	}
	const (
		goRaised = `/^(.+?)\s*raised\b/`
		goTarget = `/raised of (.+?)(?:\s*goal)?$/`
		// A GiveWP goal counted in donors or donations shows a bare count
		// ("37 of 50 donors"); an amount goal shows money ("$4,090").
		giveIncome = `.give-goal-progress .income`
		giveCount  = giveIncome + ` | /^(\d+)$/`
		giveMoney  = giveIncome + ` | /[^\d\s]/`
	)

	presets := []Preset{
		{
			Name:  "donorbox",
			Hosts: []string{"donorbox.org", "www.donorbox.org"},
			Fields: map[Field]FieldSpec{
				FieldRaised: {Selectors: onHTML(`#total-raised`)},
				FieldTarget: {Selectors: onHTML(`#panel-1 .description p.bold`)},
				FieldDonors: {Selectors: onHTML(`#paid-count`), Optional: true},
			},
		},
		{
			Name: "givewp",
			Fields: map[Field]FieldSpec{
				FieldRaised: {Selectors: onHTML(giveIncome), AbsentIf: onHTML(giveCount)},
				FieldTarget: {Selectors: onHTML(`.give-goal-progress .goal-text`), AbsentIf: onHTML(giveCount)},
				FieldDonors: {Selectors: onHTML(giveCount), AbsentIf: onHTML(giveMoney)},
			},
			ProgressChecks: onHTML(`.give-goal-progress .give-progress-bar@aria-valuenow`),
		},
		{
			Name:  "gofundme",
			Hosts: []string{"gofundme.com", "www.gofundme.com", "gofund.me"},
			Fields: map[Field]FieldSpec{
				FieldRaised: {
					Selectors: slices.Concat(
						onJSON(`feed.campaign.current_amount`),
						onHTML(state+` | feed.campaign.current_amount`),
						eachHeading(goRaised)),
					Checks: eachHeading(goRaised),
				},
				FieldTarget: {
					Selectors: slices.Concat(
						onJSON(`feed.campaign.goal_amount`),
						onHTML(state+` | feed.campaign.goal_amount`),
						eachHeading(goTarget)),
					Checks: eachHeading(goTarget),
				},
				// Optional: newer pages may carry only the heading. The
				// heading's "$" then gives the currency.
				FieldCurrency: {
					Selectors: slices.Concat(
						onJSON(`feed.campaign.currencycode`),
						onHTML(state+` | feed.campaign.currencycode`)),
					Optional: true,
				},
				FieldStart: {
					Selectors: slices.Concat(
						onJSON(`feed.campaign.launch_date`),
						onHTML(state+` | feed.campaign.launch_date`)),
					Optional: true,
				},
				// Not feed.counts.total_donations: it is 0 until the page's
				// scripts fill it in (meta.feed.counts.initialized).
				FieldDonors: {
					Selectors: slices.Concat(
						onJSON(`feed.campaign.donation_count`),
						onHTML(state+` | feed.campaign.donation_count`)),
					Optional: true,
				},
			},
		},
		{
			Name:  "kickstarter",
			Hosts: []string{"kickstarter.com", "www.kickstarter.com"},
			// pledged is in the project's currency; usd_pledged (a
			// string) and converted_pledged_amount (the viewer's currency)
			// are not.
			Fields: map[Field]FieldSpec{
				FieldRaised:   {Selectors: slices.Concat(onJSON(`pledged`), onHTML(project+` | pledged`))},
				FieldTarget:   {Selectors: slices.Concat(onJSON(`goal`), onHTML(project+` | goal`))},
				FieldCurrency: {Selectors: slices.Concat(onJSON(`currency`), onHTML(project+` | currency`))},
				FieldStart:    {Selectors: slices.Concat(onJSON(`launched_at`), onHTML(project+` | launched_at`))},
				FieldDeadline: {Selectors: slices.Concat(onJSON(`deadline`), onHTML(project+` | deadline`))},
				FieldDonors:   {Selectors: slices.Concat(onJSON(`backers_count`), onHTML(project+` | backers_count`))},
			},
		},
		{
			Name:     "liberapay",
			Hosts:    []string{"liberapay.com", "*.liberapay.com"},
			Endpoint: "/{slug}/public.json",
			// Amounts are per week. goal is null when no goal is set and
			// absent when the account does not receive.
			Fields: map[Field]FieldSpec{
				FieldRaised:   {Selectors: onJSON(`receiving.amount`)},
				FieldCurrency: {Selectors: onJSON(`receiving.currency`)},
				FieldTarget:   {Selectors: onJSON(`goal.amount`), Optional: true},
				FieldDonors:   {Selectors: onJSON(`npatrons`)},
			},
		},
		{
			Name:        "opencollective",
			Hosts:       []string{"opencollective.com", "www.opencollective.com"},
			Endpoint:    "/{slug}.json",
			AmountScale: 0.01, // the endpoint gives cents
			// Raised is the income of the last twelve months; balance is
			// what the collective holds now. No goal: TARGET is set by hand.
			Fields: map[Field]FieldSpec{
				FieldRaised:   {Selectors: onJSON(`yearlyIncome`)},
				FieldCurrency: {Selectors: onJSON(`currency`)},
				FieldDonors:   {Selectors: onJSON(`backersCount`)},
			},
		},
		{
			Name:     "session",
			Hosts:    []string{"getsession.org", "www.getsession.org"},
			Endpoint: "/api/donation-progress",
			// The endpoint is fresher (cached 60 s, the page an hour); the
			// page holds the same object in __NEXT_DATA__ and each figure
			// twice in its progress bars.
			Fields: map[Field]FieldSpec{
				FieldRaised: {
					Selectors: slices.Concat(
						onJSON(`currentAmount`),
						onHTML(progressbar+`@aria-valuenow`, nextData+`.currentAmount`)),
					Checks: onHTML(nextData+`.currentAmount`, `span.font-bold:contains("raised") | /^(.+?)\s*raised$/`),
				},
				FieldTarget: {
					Selectors: slices.Concat(
						onJSON(`goalAmount`),
						onHTML(progressbar+`@aria-valuemax`, nextData+`.goalAmount`)),
					Checks: onHTML(nextData+`.goalAmount`, `span.font-bold:contains("goal") | /^(.+?)\s*goal$/`),
				},
				// The site shows dollars; its data gives no currency.
				FieldCurrency: {Literal: "USD"},
			},
			Requires: map[Field]string{
				FieldDeadline: `getsession.org gives its deadline only in prose ("July 8, 2026" at the time of writing): set it, e.g. DEADLINE=2026-07-08`,
			},
		},
	}
	return presets
}

// PresetNames returns the names of every preset, sorted.
func PresetNames() []string {
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return names
}

// LookupPreset returns the preset called name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// DetectPreset returns the preset whose Hosts match host (as url.URL's
// Hostname gives it: no port).
func DetectPreset(host string) (Preset, bool) {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, p := range Presets() {
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
	return Preset{}, false
}

// Kind is the kind of document the preset reads: HTML or JSON when all its
// selectors are written for one, KindAuto (by Content-Type) when it reads
// both.
func (p Preset) Kind() Kind {
	kinds := map[Kind]bool{}
	add := func(sels []Selector) {
		for _, s := range sels {
			kinds[s.only] = true
		}
	}
	for _, fs := range p.Fields {
		add(fs.Selectors)
		add(fs.Checks)
		add(fs.AbsentIf)
	}
	add(p.ProgressChecks)
	switch {
	case len(kinds) == 1 && kinds[KindHTML]:
		return KindHTML
	case len(kinds) == 1 && kinds[KindJSON]:
		return KindJSON
	}
	return KindAuto
}

// FetchURL returns what to fetch for the page at pageURL: the endpoint on
// the page's scheme and host, or the page itself when the preset has no
// endpoint. A URL that already is the endpoint is kept with its query
// (Liberapay's ?callback=).
func (p Preset) FetchURL(pageURL string) (string, error) {
	if p.Endpoint == "" {
		return pageURL, nil
	}
	u, err := url.Parse(pageURL)
	if err != nil {
		return "", err
	}
	path := p.Endpoint
	if strings.Contains(path, "{slug}") {
		slug, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		slug = strings.TrimSuffix(slug, ".json")
		if slug == "" {
			example := strings.ReplaceAll(p.Endpoint, "{slug}", "<name>")
			return "", fmt.Errorf("platform %s: %q does not name a page (expected %s://%s/<name>, read at %s)", p.Name, pageURL, u.Scheme, u.Host, example)
		}
		path = strings.ReplaceAll(path, "{slug}", slug)
	}
	endpoint := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host, Path: path}
	if u.Path == path {
		endpoint.RawQuery = u.RawQuery
	}
	return endpoint.String(), nil
}

// Apply makes c read its page with the preset: c.URL must be set. Every
// field the preset reads is marked with its name, and override names the
// variable that replaces a field, for error messages. Fields the
// configuration sets afterwards replace the preset's.
func (p Preset) Apply(c *Campaign, override func(Field) string) error {
	fetchURL, err := p.FetchURL(c.URL)
	if err != nil {
		return err
	}
	c.FetchURL = fetchURL
	c.Kind = p.Kind()
	c.PageFallback = p.Endpoint != "" && c.Kind == KindAuto
	if p.AmountScale != 0 {
		c.Spec.AmountScale = p.AmountScale
	}
	c.Spec.ProgressChecks = p.ProgressChecks
	if c.Spec.Fields == nil {
		c.Spec.Fields = map[Field]FieldSpec{}
	}
	for field, fs := range p.Fields {
		fs.Preset = p.Name
		if override != nil {
			fs.Override = override(field)
		}
		c.Spec.Fields[field] = fs
	}
	return nil
}

// onHTML and onJSON parse selectors written for one kind of document.
func onHTML(texts ...string) []Selector { return selectorsFor(KindHTML, texts) }
func onJSON(texts ...string) []Selector { return selectorsFor(KindJSON, texts) }

func selectorsFor(kind Kind, texts []string) []Selector {
	sels := make([]Selector, len(texts))
	for i, t := range texts {
		sels[i] = MustParseSelector(t).For(kind)
	}
	return sels
}
