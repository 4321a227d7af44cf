package preset

import (
	"slices"
	"sync"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
)

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
