package config

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/forecast"
	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// CampaignEnv is one campaign's definition: its variables,
// DONATION_CAMPAIGN_<i>_<FIELD>, or an entry of the campaigns file, whose
// keys are the same suffixes in lower case (see file.go). Both go through
// compile, so they accept and reject the same things. Everything is read as
// text so that errors can name the variable or key.
type CampaignEnv struct {
	Name     string `env:"NAME" yaml:"name" help:"Required, unique. The campaign label."`
	URL      string `env:"URL" yaml:"url" help:"Required. The page a person opens in a browser (http or https)."`
	Platform string `env:"PLATFORM" yaml:"platform" help:"A platform preset (docs/platforms.md), or html / json to read the page only by the selectors given. Empty: the preset of the URL's host; for other hosts, html or json as the Content-Type says, read by zero-config when nothing says where the amount raised is. With html or json, RAISED_SELECTOR (or REMAINING_SELECTOR with a target) is required."`

	Raised           string `env:"RAISED" yaml:"raised" help:"Amount raised, as a fixed value. Not with RAISED_SELECTOR."`
	RaisedSelector   string `env:"RAISED_SELECTOR" yaml:"raised_selector" help:"Where on the page the amount raised is (docs/selectors.md). Without it, RAISED, a preset, or REMAINING_SELECTOR with a target, the page is read by zero-config."`
	Target           string `env:"TARGET" yaml:"target" help:"The goal, as a fixed value (1000000)."`
	TargetSelector   string `env:"TARGET_SELECTOR" yaml:"target_selector" help:"Where on the page the goal is."`
	Currency         string `env:"CURRENCY" yaml:"currency" help:"ISO 4217 code (USD) or symbol. When unset, the currency the raised (or target) text shows, if any."`
	CurrencySelector string `env:"CURRENCY_SELECTOR" yaml:"currency_selector" help:"Where on the page the currency is."`
	Start            string `env:"START" yaml:"start" help:"When the campaign started (2026-03-24); a bare date is the start of that day."`
	StartSelector    string `env:"START_SELECTOR" yaml:"start_selector" help:"Where on the page the start is."`
	Deadline         string `env:"DEADLINE" yaml:"deadline" help:"When it ends (2026-07-08); a bare date is the end of that day."`
	DeadlineSelector string `env:"DEADLINE_SELECTOR" yaml:"deadline_selector" help:"Where on the page the deadline is."`
	Donors           string `env:"DONORS" yaml:"donors" help:"Number of donors, donations, patrons or backers, as a fixed value."`
	DonorsSelector   string `env:"DONORS_SELECTOR" yaml:"donors_selector" help:"Where on the page the number of donors is."`
	// Remaining is the amount still needed: with raised it gives the
	// target, with the target the amount raised.
	Remaining         string `env:"REMAINING" yaml:"remaining" help:"The amount still needed, for pages that give it instead of the target (target = raised + remaining) or of the amount raised (raised = target - remaining). Not exported itself."`
	RemainingSelector string `env:"REMAINING_SELECTOR" yaml:"remaining_selector" help:"Where on the page the amount still needed is."`
	// RaisedBasis and DonorsBasis say what the figures count, for a
	// campaign no preset reads (donation_campaign_info).
	RaisedBasis string `env:"RAISED_BASIS" yaml:"raised_basis" help:"What donation_raised counts, on donation_campaign_info: cumulative, per_week, per_month or last_12_months. A preset sets it for its platform." helpDefault:"cumulative"`
	DonorsBasis string `env:"DONORS_BASIS" yaml:"donors_basis" help:"What donation_donors counts: donors, donations, patrons or backers. A preset sets it for its platform." helpDefault:"donors"`

	AmountScale string `env:"AMOUNT_SCALE" yaml:"amount_scale" help:"Multiplies amounts read from the page (not fixed values): 0.01 for an API that gives cents." helpDefault:"1"`
	Timezone    string `env:"TIMEZONE" yaml:"timezone" help:"IANA zone (Europe/Berlin) of dates written without an offset." helpDefault:"UTC"`
	Timeout     string `env:"TIMEOUT" yaml:"timeout" help:"Upper bound of one fetch; Prometheus' scrape timeout may cut it shorter." helpDefault:"10s"`

	TokenFile          string `env:"TOKEN_FILE" yaml:"token_file" help:"A file holding the API key of the campaign's platform, read (trimmed) at start and on every reload: sent the way the preset says (a bearer Authorization header by default), to the host the campaign is fetched from only, never after a redirect to another host, and never shown (docs/api-keys.md). The only secret setting, so it has a file form alone."`
	InsecureSkipVerify string `env:"INSECURE_SKIP_VERIFY" yaml:"insecure_skip_verify" help:"true accepts any TLS certificate from this campaign's site (self-signed, expired, wrong name); logged as a warning at start. Other campaigns, and other hosts this site redirects to, still verify." helpDefault:"false"`
	MinInterval        string `env:"MIN_INTERVAL" yaml:"min_interval" help:"Least time between two fetches of this page (5m); scrapes in between get the last outcome. 0s fetches on every scrape. Must be shorter than MAX_STALENESS." helpDefault:"DONATION_MIN_INTERVAL"`
	MaxStaleness       string `env:"MAX_STALENESS" yaml:"max_staleness" help:"Oldest figures served while the site defers fetches with Retry-After; past it the campaign reports donation_up 0." helpDefault:"DONATION_MAX_STALENESS"`

	// ForecastCurve is the pace curve of the campaign's projection.
	ForecastCurve string `env:"FORECAST_CURVE" yaml:"forecast_curve" help:"Pace curve of the projection (docs/forecast.md): kickstarter, marathon, jinglejam or linear (the average daily rate holds), or the path of a curve file of elapsed_fraction,share_of_final[,share_low,share_high] rows, as the curve subcommand writes from past years' timelines." helpDefault:"the preset's curve, else linear"`

	// Labels are extra labels on every series of the campaign.
	Labels Labels `env:"LABELS" yaml:"labels" help:"Extra labels on every series of the campaign: appeal=spring,team=north. Not campaign, currency, platform, raised_basis, donors_basis, forecast, state, window, job, instance or __*."`
}

// compile checks one campaign's variables and builds the campaign.
func (ce CampaignEnv) compile(n naming, presets *preset.Registry, token fetch.Secret) (source.Campaign, error) {
	var errs []error
	fail := func(suffix, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", n.where(suffix), fmt.Sprintf(format, args...)))
	}
	c := source.Campaign{Name: strings.TrimSpace(ce.Name), URL: strings.TrimSpace(ce.URL)}
	c.SettingPrefix, c.SettingsLower = n.prefix, n.lower
	if bad := ce.checkUTF8(n); len(bad) > 0 {
		return c, errors.Join(bad...) // nothing else is worth reading
	}
	pageURL := checkNameAndURL(c, fail)
	c.FetchURL = c.URL

	p, err := ce.platform(pageURL, presets, &c)
	if err != nil {
		fail("PLATFORM", "%v", err)
	}
	c.Spec = read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{}, SettingPrefix: n.prefix}
	if p != nil && pageURL != nil {
		ce.applyPreset(p, n, &c, fail)
	}
	ce.compileOptions(&c, n, fail)
	ce.compileFields(&c, n, fail)
	ce.compileAuth(p, token, &c, fail)
	variable := func(f read.Field) string { return n.where(strings.ToUpper(string(f))) }
	if err := read.CheckConfiguredDates(ce.Start, ce.Deadline, c.Spec.Location, variable); err != nil {
		errs = append(errs, err)
	}
	ce.compileBases(p, &c, fail)
	if c.Curve, err = ce.curve(p); err != nil {
		fail("FORECAST_CURVE", "%v", err)
	}
	if p == nil && !ce.givesRaised() {
		ce.zeroConfigOrFail(&c, fail)
	}
	labels, err := ce.Labels.check()
	if err != nil {
		fail("LABELS", "%v", err)
	}
	c.Labels = labels
	if p != nil && len(errs) == 0 {
		c.Rebind = rebinder(p, c.Spec, ce.overrideNamer(n))
	}
	c.Spec.Fields = n.sharedFields(c.Spec.Fields)
	return c, errors.Join(errs...)
}

// checkNameAndURL checks the campaign's two required settings and returns
// its page URL, nil when it is not one.
func checkNameAndURL(c source.Campaign, fail func(suffix, format string, args ...any)) *url.URL {
	if c.Name == "" {
		fail("NAME", "required: the campaign label")
	} else if err := checkName(c.Name); err != nil {
		fail("NAME", "%v", err)
	}
	if c.URL == "" {
		fail("URL", "required: the donation page to read")
		return nil
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fail("URL", "%q is not an http or https URL", c.URL)
		return nil
	}
	return u
}

// zeroConfigOrFail decides a campaign with no preset that says nothing of
// where the amount raised is: read by zero-config, unless its platform
// says to read only the selectors given.
func (ce CampaignEnv) zeroConfigOrFail(c *source.Campaign, fail func(suffix, format string, args ...any)) {
	switch platform := strings.ToLower(strings.TrimSpace(ce.Platform)); platform {
	case "html", "json":
		// These platforms mean "only my selectors": reading page
		// furniture behind the user's back would be a guess.
		fail("RAISED_SELECTOR", "required with platform %s, which reads only the selectors given: give RAISED_SELECTOR or RAISED, or REMAINING_SELECTOR (or REMAINING) with TARGET_SELECTOR (or TARGET)", platform)
	default:
		// Read what donation pages commonly carry (see read's zero-config).
		c.Platform = source.PlatformZeroConfig
		c.Spec.ZeroConfig = true
	}
}

// givesRaised reports whether the settings say where the amount raised
// comes from: itself, or the target less the amount still needed.
func (ce CampaignEnv) givesRaised() bool {
	set := func(literal, selector string) bool {
		return strings.TrimSpace(literal) != "" || strings.TrimSpace(selector) != ""
	}
	return set(ce.Raised, ce.RaisedSelector) ||
		(set(ce.Remaining, ce.RemainingSelector) && set(ce.Target, ce.TargetSelector))
}

// curve loads FORECAST_CURVE: a built-in curve or a curve file; unset,
// the preset's curve, or linear.
func (ce CampaignEnv) curve(p *preset.Preset) (*forecast.Curve, error) {
	spec := strings.TrimSpace(ce.ForecastCurve)
	switch {
	case spec != "":
	case p != nil && p.Forecast != "":
		spec = p.Forecast
	default:
		spec = forecast.LinearName
	}
	return forecast.Load(spec, func(path string) (io.ReadCloser, error) { return os.Open(path) })
}

// rebinder returns how to read the page a redirect ended at: the preset
// applied to that URL (a short link's target carries the slug that picks
// the campaign's own object out of the page's data), with the fields the
// configuration gives kept as they are.
func rebinder(p *preset.Preset, spec read.Spec, override func(read.Field) string) func(string) (read.Spec, bool) {
	return func(final string) (read.Spec, bool) {
		pc, err := p.Apply(final, override)
		if err != nil || pc.Vars == nil {
			return read.Spec{}, false
		}
		out := spec
		out.ProgressChecks = pc.Spec.ProgressChecks
		out.Fields = maps.Clone(pc.Spec.Fields)
		for f, fs := range spec.Fields {
			if fs.Preset == "" {
				out.Fields[f] = fs
			}
		}
		return out, true
	}
}

// overrideNamer names, for a preset's field, the variable that overrides it.
func (ce CampaignEnv) overrideNamer(n naming) func(read.Field) string {
	return func(f read.Field) string { return n.where(strings.ToUpper(string(f)) + "_SELECTOR") }
}

// platform resolves PLATFORM: a preset by name, html or json (selectors
// alone), or, when empty, the preset of the URL's host, if any.
func (ce CampaignEnv) platform(u *url.URL, presets *preset.Registry, c *source.Campaign) (*preset.Preset, error) {
	c.Platform = source.PlatformSelectors
	switch platform := strings.ToLower(strings.TrimSpace(ce.Platform)); platform {
	case "":
		c.Kind = read.KindAuto
		if u != nil {
			if p, ok := presets.Detect(u.Hostname()); ok {
				return p, nil
			}
		}
	case "html":
		c.Kind = read.KindHTML
	case "json":
		c.Kind = read.KindJSON
	default:
		if p, ok := presets.Lookup(platform); ok {
			return p, nil
		}
		return nil, fmt.Errorf("unknown platform %q (known: %s)", ce.Platform, strings.Join(append([]string{"html", "json"}, presets.Names()...), ", "))
	}
	return nil, nil
}

// applyPreset makes c read its URL with the preset: the endpoint the URL
// maps to (or the URL as given), and the preset's fields, each naming the
// variable that overrides it.
func (ce CampaignEnv) applyPreset(p *preset.Preset, n naming, c *source.Campaign, fail func(string, string, ...any)) {
	pc, err := p.Apply(c.URL, ce.overrideNamer(n))
	if err != nil {
		fail("URL", "%v", err)
		return
	}
	c.Platform, c.Kind, c.FetchURL, c.PageFallback = p.Name, p.Kind(), pc.FetchURL, pc.PageFallback
	c.Donations = pc.Donations
	c.PlatformMinInterval = p.MinInterval
	c.Spec.AmountScale, c.Spec.ProgressChecks, c.Spec.Fields = pc.Spec.AmountScale, pc.Spec.ProgressChecks, pc.Spec.Fields
	if pc.Vars == nil {
		for _, pg := range p.Pages {
			c.PageShapes = append(c.PageShapes, pg.Page)
		}
	}
	if c.PageFallback && ce.hasSelector() {
		// Selectors are written for the page URL names; a preset that
		// reads that page too (not only an endpoint) reads it then.
		c.FetchURL, c.PageFallback = c.URL, false
	}
	for _, f := range ce.fieldVars() {
		why, required := p.Requires[f.field]
		if required && strings.TrimSpace(f.literal) == "" && strings.TrimSpace(f.selector) == "" {
			fail(strings.ToUpper(string(f.field)), "required with platform %s: %s", p.Name, why)
		}
	}
}

// compileOptions reads the campaign's settings other than its fields.
func (ce CampaignEnv) compileOptions(c *source.Campaign, n naming, fail func(string, string, ...any)) {
	if tz := strings.TrimSpace(ce.Timezone); tz != "" {
		loc, err := n.zones[tz], error(nil)
		if loc == nil {
			loc, err = time.LoadLocation(tz)
		}
		if err == nil && n.zones != nil {
			n.zones[tz] = loc
		}
		if err != nil {
			fail("TIMEZONE", "%q is not an IANA time zone name: %v", tz, err)
		} else {
			c.Spec.Location = loc
		}
	}
	readSettings([]textSetting{
		{"AMOUNT_SCALE", ce.AmountScale, positiveNumber{&c.Spec.AmountScale}},
		{"TIMEOUT", ce.Timeout, positiveDuration{&c.Timeout, "10s"}},
		{"INSECURE_SKIP_VERIFY", ce.InsecureSkipVerify, boolean{&c.InsecureSkipVerify}},
		{"MIN_INTERVAL", ce.MinInterval, interval{&c.MinInterval}},
		{"MAX_STALENESS", ce.MaxStaleness, positiveDuration{&c.MaxStaleness, "1h"}},
	}, fail)
}

// compileFields reads each field's value or selector; they replace the
// preset's.
func (ce CampaignEnv) compileFields(c *source.Campaign, n naming, fail func(string, string, ...any)) {
	for _, f := range ce.fieldVars() {
		suffix := strings.ToUpper(string(f.field))
		literal, selector := strings.TrimSpace(f.literal), strings.TrimSpace(f.selector)
		switch {
		case literal != "" && selector != "":
			fail(suffix, "set together with %s: give the value or where to read it, not both", n.key(suffix+"_SELECTOR"))
		case literal != "":
			if err := read.CheckLiteral(f.field, literal, c.Spec.Location); err != nil {
				fail(suffix, "%v", err)
				continue
			}
			c.Spec.Fields[f.field] = read.FieldSpec{Literal: literal, Setting: n.key(suffix)}
		case selector != "":
			sels, err := n.selector(selector)
			if err == nil {
				err = sels[0].Validate(c.Kind)
			}
			if err != nil {
				fail(suffix+"_SELECTOR", "%v", err)
				continue
			}
			c.Spec.Fields[f.field] = read.FieldSpec{Selectors: sels, Setting: n.key(suffix + "_SELECTOR")}
		}
	}
}

// compileBases sets what the figures count: the preset's, or what
// RAISED_BASIS and DONORS_BASIS say.
func (ce CampaignEnv) compileBases(p *preset.Preset, c *source.Campaign, fail func(string, string, ...any)) {
	c.RaisedBasis, c.DonorsBasis = "cumulative", "donors"
	if p != nil {
		c.RaisedBasis = p.RaisedBasis
		if p.DonorsBasis != "" {
			c.DonorsBasis = p.DonorsBasis
		}
	}
	if s := strings.TrimSpace(ce.RaisedBasis); s != "" {
		if !preset.IsRaisedBasis(s) {
			fail("RAISED_BASIS", "%q: want one of %s", s, strings.Join(preset.RaisedBases(), ", "))
		}
		c.RaisedBasis = s
	}
	if s := strings.TrimSpace(ce.DonorsBasis); s != "" {
		if !preset.IsDonorsBasis(s) {
			fail("DONORS_BASIS", "%q: want one of %s", s, strings.Join(preset.DonorsBases(), ", "))
		}
		c.DonorsBasis = s
	}
}

func (ce CampaignEnv) hasSelector() bool {
	for _, f := range ce.fieldVars() {
		if strings.TrimSpace(f.selector) != "" {
			return true
		}
	}
	return false
}

type fieldVar struct {
	field             read.Field
	literal, selector string
}

func (ce CampaignEnv) fieldVars() []fieldVar {
	return []fieldVar{
		{read.FieldRaised, ce.Raised, ce.RaisedSelector},
		{read.FieldTarget, ce.Target, ce.TargetSelector},
		{read.FieldCurrency, ce.Currency, ce.CurrencySelector},
		{read.FieldStart, ce.Start, ce.StartSelector},
		{read.FieldDeadline, ce.Deadline, ce.DeadlineSelector},
		{read.FieldDonors, ce.Donors, ce.DonorsSelector},
		{read.FieldRemaining, ce.Remaining, ce.RemainingSelector},
	}
}
