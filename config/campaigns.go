package config

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/preset"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// LoadCampaigns builds the campaigns: those of the variables, in index
// order, then those of the campaigns file, in file order. Names are unique
// across both. The file is read anew on every call: this is what a reload
// does. Errors name the variable, or the file, line, entry and key.
//
// previous are the campaigns running, on a reload: one whose definition
// did not change is taken as it was built (its labels are read anew), so a
// reload of 10,000 campaigns compiles only those that changed.
func (e Env) LoadCampaigns(presets *preset.Registry, previous ...source.Campaign) ([]source.Campaign, error) {
	l := campaignLoad{env: e, presets: presets, built: make(map[string]source.Campaign, len(previous)),
		seen: map[string]string{}, zones: map[string]*time.Location{}, selectors: map[string][]read.Selector{},
		fields: map[string]map[read.Field]read.FieldSpec{}, labels: map[string]map[string]string{}}
	for _, c := range previous {
		if c.Definition != "" {
			l.built[c.Definition] = c
		}
	}
	for i, ce := range e.CampaignVars {
		l.add(ce, envNaming(i), fmt.Sprintf("campaign %d", i))
	}
	if e.ConfigFile != "" {
		entries, err := readCampaignsFile(e.ConfigFile)
		if err != nil {
			return nil, joinBounded(append(l.errs, err)...)
		}
		if n := len(e.CampaignVars) + len(entries); n > MaxCampaigns {
			return nil, fmt.Errorf("%d campaigns (%d of variables, %d of %s): more than the %d an exporter watches",
				n, len(e.CampaignVars), len(entries), e.ConfigFile, MaxCampaigns)
		}
		for i, entry := range entries {
			l.add(entry.CampaignEnv, fileNaming(e.ConfigFile, i, entry), fmt.Sprintf("%s campaigns[%d]", e.ConfigFile, i))
		}
	}
	if err := checkLabelNames(l.campaigns); err != nil {
		l.errs = append(l.errs, err)
	}
	if err := joinBounded(l.errs...); err != nil {
		return nil, err
	}
	return l.campaigns, nil
}

// campaignLoad is one LoadCampaigns in progress.
type campaignLoad struct {
	env     Env
	presets *preset.Registry
	built   map[string]source.Campaign // running campaigns by definition, on a reload
	seen    map[string]string          // campaign name → where it was defined
	zones   map[string]*time.Location  // time zones loaded, shared by the campaigns
	// selectors parsed, shared by the campaigns (see naming.selectors)
	selectors map[string][]read.Selector
	// Fields maps, shared by the campaigns (see naming.sharedFields)
	fields map[string]map[read.Field]read.FieldSpec
	// labels are the campaigns' label maps by what they hold (see
	// sharedLabels)
	labels map[string]map[string]string
	errs   []error

	campaigns []source.Campaign
}

// add builds one campaign's definition, or takes the running campaign of
// the same definition, and adds it unless its name is taken.
func (l *campaignLoad) add(ce CampaignEnv, n naming, nameWhere string) {
	c, err := l.build(ce, n)
	if err != nil {
		l.errs = append(l.errs, err)
		return
	}
	if other, dup := l.seen[c.Name]; dup {
		l.errs = append(l.errs, fmt.Errorf("%s: %q is already the name of %s", n.where("NAME"), c.Name, other))
		return
	}
	l.seen[c.Name] = nameWhere
	c.Labels = l.sharedLabels(c.Labels)
	l.campaigns = append(l.campaigns, c)
}

// sharedLabels returns a map equal to labels that the campaigns with the
// same labels share: 10,000 campaigns in a few hundred teams kept 3 MB of
// maps, one each. Nothing changes a campaign's Labels once loaded.
func (l *campaignLoad) sharedLabels(labels map[string]string) map[string]string {
	if len(labels) == 0 {
		return labels
	}
	var key strings.Builder
	for _, name := range slices.Sorted(maps.Keys(labels)) {
		fmt.Fprintf(&key, "%q=%q,", name, labels[name])
	}
	if shared, ok := l.labels[key.String()]; ok {
		return shared
	}
	l.labels[key.String()] = labels
	return labels
}

func (l *campaignLoad) build(ce CampaignEnv, n naming) (source.Campaign, error) {
	token, err := ce.readToken(n)
	if err != nil {
		return source.Campaign{}, err
	}
	definition := ce.definition(l.env.MinInterval, l.env.MaxStaleness) + tokenDigest(token)
	if c, unchanged := l.built[definition]; unchanged {
		labels, err := ce.Labels.check()
		if err != nil {
			return source.Campaign{}, fmt.Errorf("%s: %w", n.where("LABELS"), err)
		}
		c.Labels = labels
		return c, nil
	}
	n.zones, n.selectors, n.fields = l.zones, l.selectors, l.fields
	c, err := ce.compile(n, l.presets, token)
	if err != nil {
		return source.Campaign{}, err
	}
	if err := l.env.applyDefaults(ce, n, &c); err != nil {
		return source.Campaign{}, err
	}
	c.Definition = definition
	return c, nil
}

// applyDefaults gives c the exporter-wide MIN_INTERVAL and MAX_STALENESS
// where its own settings give none, raises MIN_INTERVAL to the platform's
// own minimum, and checks the two together.
func (e Env) applyDefaults(ce CampaignEnv, n naming, c *source.Campaign) error {
	intervalVar, stalenessVar := Prefix+"MIN_INTERVAL", Prefix+"MAX_STALENESS"
	if strings.TrimSpace(ce.MinInterval) == "" {
		c.MinInterval = e.MinInterval
	} else {
		intervalVar = n.where("MIN_INTERVAL")
	}
	if strings.TrimSpace(ce.MaxStaleness) == "" {
		c.MaxStaleness = e.MaxStaleness
	} else {
		stalenessVar = n.where("MAX_STALENESS")
	}
	if c.MinInterval < c.PlatformMinInterval {
		// The platform's own limit is a floor: a campaign asking to be
		// fetched more often is fetched as often as the platform allows.
		c.MinInterval = c.PlatformMinInterval
		intervalVar = fmt.Sprintf("platform %s's minimum interval", c.Platform)
	}
	if c.MinInterval >= c.MaxStaleness && c.MaxStaleness > 0 {
		return fmt.Errorf("%s: %v must be shorter than %s (%v): figures served between two fetches would be too old to report",
			intervalVar, c.MinInterval, stalenessVar, c.MaxStaleness)
	}
	return nil
}

// definition is the campaign's configuration, labels aside, in a canonical
// form (see source.Campaign.Definition), with the default MIN_INTERVAL it
// was built with: the same settings, from variables or from the file, give
// the same text, and the same text builds the same campaign. It is kept as
// the text's SHA-256, its 32 bytes as they are (only compared, never
// shown): the text itself was 1.5 KB a campaign, kept for as long as the
// campaign is watched.
func (ce CampaignEnv) definition(defaultMinInterval, defaultMaxStaleness time.Duration) string {
	ce.Labels = Labels{}
	sum := sha256.Sum256(fmt.Appendf(nil, "%#v default_min_interval=%v default_max_staleness=%v", ce, defaultMinInterval, defaultMaxStaleness))
	return string(sum[:])
}
