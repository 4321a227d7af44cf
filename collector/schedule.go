package collector

import (
	"context"
	"sync"
)

// minFetchesPerScrape is the least automatic bound on the fetches one
// scrape of every campaign starts.
const minFetchesPerScrape = 64

// fetchBudget is how many fetches of campaigns with a MinInterval one
// scrape of every campaign may start: Config.MaxFetchesPerScrape, or a
// tenth of the campaigns (at least minFetchesPerScrape), so that 10,000
// campaigns are all read within ten scrapes of a fresh start and then,
// since each is fetched again MinInterval after its own last fetch, stay
// spread over the scrapes.
func (c *Scraper) fetchBudget(campaigns int) int {
	if c.cfg.MaxFetchesPerScrape > 0 {
		return c.cfg.MaxFetchesPerScrape
	}
	return max(minFetchesPerScrape, (campaigns+9)/10)
}

// scrapeScheduled scrapes every campaign of set. A campaign without a
// MinInterval is fetched (or shares a fetch) every time, as configured. One
// with a MinInterval is fetched only when its poller says it is due, and
// at most fetchBudget of those are started per scrape, taken round-robin
// from where the last scrape stopped: the others serve what was last read
// (Reused), or are left out if they were never read. So a scrape never
// fetches the whole set at once, after a start or a reload neither, and
// answers from what was read; refreshes stay spread across scrapes.
func (c *Scraper) scrapeScheduled(ctx context.Context, set *campaignSet) []Result {
	n := len(set.campaigns)
	if n == 0 {
		return nil
	}
	since := c.cfg.Now()
	budget := c.fetchBudget(n)
	results := make([]Result, n)
	have := make([]bool, n)
	var wg sync.WaitGroup
	start := int(c.cursor.Load() % int64(n))
	next, started := start, 0
	for k := range n {
		i := (start + k) % n
		campaign, poller := &set.campaigns[i], set.pollers[i]
		if campaign.MinInterval > 0 {
			out, read, due := poller.Peek(since)
			switch {
			case !due:
				results[i], have[i] = c.result(campaign, out, since), true
				c.addDonations(&results[i], poller, poller.LastDonations)
				continue
			case started >= budget:
				if read {
					results[i], have[i] = c.result(campaign, out, since), true
					c.addDonations(&results[i], poller, poller.LastDonations)
				}
				continue
			}
			started++
			next = i + 1
		}
		have[i] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.scrapeOne(ctx, campaign, poller, since)
		}()
	}
	wg.Wait()
	c.cursor.Store(int64(next))
	kept := results[:0]
	for i, r := range results {
		if have[i] {
			kept = append(kept, r)
		}
	}
	c.remember(kept, n)
	return kept
}
