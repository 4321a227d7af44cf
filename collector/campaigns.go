package collector

import (
	"encoding/json"
	"net/http"
	"sort"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/source"
)

// campaignSet is the campaigns being watched, with their pollers and the
// descriptors their labels call for. A reload swaps the whole set at once,
// so a scrape sees one configuration from start to end.
type campaignSet struct {
	campaigns []source.Campaign
	pollers   []*source.Poller
	byName    map[string]int
	// labelNames is the union of the campaigns' extra label names, sorted:
	// every donation_* series carries all of them, "" (no label) where a
	// campaign has no such label, since a Desc has one set of label names.
	labelNames []string
	descs      descs
	families   families
}

// newCampaignSet builds the set for campaigns. A campaign of old whose
// Definition is the same keeps its poller: its last figures, ETag and
// Retry-After are kept, and its next fetch is when it would have been.
func newCampaignSet(campaigns []source.Campaign, fetcher *fetch.Fetcher, now func() time.Time, old *campaignSet) (*campaignSet, ReloadStats) {
	set := &campaignSet{
		campaigns: campaigns,
		pollers:   make([]*source.Poller, len(campaigns)),
		byName:    make(map[string]int, len(campaigns)),
	}
	var stats ReloadStats
	names := map[string]bool{}
	for i, campaign := range campaigns {
		set.byName[campaign.Name] = i
		for name := range campaign.Labels {
			names[name] = true
		}
		if old != nil {
			if j, ok := old.byName[campaign.Name]; ok && campaign.Definition != "" &&
				old.campaigns[j].Definition == campaign.Definition {
				set.pollers[i] = old.pollers[j]
				set.pollers[i].Follow(&campaigns[i])
				stats.Kept++
				continue
			}
		}
		set.pollers[i] = source.NewPoller(&campaigns[i], fetcher, now)
		stats.New++
	}
	if old != nil {
		for _, c := range old.campaigns {
			if _, ok := set.byName[c.Name]; !ok {
				stats.Removed++
			}
		}
	}
	own := map[string]bool{}
	for _, name := range LabelNames() {
		own[name] = true
	}
	for name := range names {
		// Package config refuses these names; were one to come through,
		// it would make every descriptor invalid and /metrics empty.
		if !own[name] {
			set.labelNames = append(set.labelNames, name)
		}
	}
	sort.Strings(set.labelNames)
	set.descs = newDescs(set.labelNames)
	set.families = newFamilies(set.labelNames)
	return set, stats
}

// ReloadStats tells what a reload changed.
type ReloadStats struct {
	// Kept counts campaigns whose definition did not change: they keep
	// their poller and its state.
	Kept int
	// New counts campaigns added or changed: they start afresh.
	New int
	// Removed counts campaigns no longer configured.
	Removed int
}

// Reload replaces the campaigns watched. Scrapes in flight finish with the
// campaigns they began with; the next ones see the new set.
func (c *Scraper) Reload(campaigns []source.Campaign) ReloadStats {
	c.reloadMu.Lock()
	defer c.reloadMu.Unlock()
	set, stats := newCampaignSet(campaigns, c.cfg.Fetcher, c.cfg.Now, c.set.Load())
	c.set.Store(set)
	c.mu.Lock()
	for name := range c.last {
		if _, ok := set.byName[name]; !ok {
			delete(c.last, name)
		}
	}
	c.mu.Unlock()
	return stats
}

// Campaigns returns the campaigns watched, in configuration order.
func (c *Scraper) Campaigns() []source.Campaign { return c.set.Load().campaigns }

// targetGroup is one entry of Prometheus' HTTP service discovery format.
type targetGroup struct {
	Targets []string          `json:"targets"`
	Labels  map[string]string `json:"labels"`
}

// SDHandler answers Prometheus' HTTP service discovery (http_sd_configs):
// one target per campaign, the exporter at target (its configured external
// address: never the request's Host header, which any client can set to
// send Prometheus elsewhere), with __param_campaign set, so a job with
// metrics_path /probe scrapes each campaign, and with the campaign's extra
// labels and the host its fetches go to (__meta_donation_fetch_host).
func (c *Scraper) SDHandler(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		campaigns := c.Campaigns()
		groups := make([]targetGroup, len(campaigns))
		for i, campaign := range campaigns {
			labels := make(map[string]string, len(campaign.Labels)+1)
			for k, v := range campaign.Labels {
				labels[k] = v
			}
			labels["__param_campaign"] = campaign.Name
			// For relabelling only (Prometheus drops __meta_ labels):
			// hashmod on it keeps each site's campaigns on one exporter,
			// under one per-host budget (docs/scale.md#one-budget-per-site).
			if host := campaign.FetchHost(); host != "" {
				labels["__meta_donation_fetch_host"] = host
			}
			groups[i] = targetGroup{Targets: []string{target}, Labels: labels}
		}
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(groups); err != nil {
			c.cfg.Logger.Debug("service discovery answer not sent", "err", err)
		}
	})
}
