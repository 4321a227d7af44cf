package collector

import (
	"context"
	"time"
)

// sharedScrape is one scrape of every campaign of a set, which scrapes
// starting while it runs join instead of building the same results again:
// with 10,000 campaigns, results and their garbage are most of what a
// scrape costs besides fetching (the fetches are shared by the pollers
// anyway).
type sharedScrape struct {
	set *campaignSet
	// deadline is the leader's; zero: none.
	deadline time.Time
	done     chan struct{}
	results  []Result
}

// scrapeShared scrapes every campaign of set, or joins the scrape of set
// in flight when that one ends no later than ctx must (so that a joiner
// with a shorter scrape timeout does not wait past it). The scrape runs
// with the first caller's deadline but not its cancellation: a client
// that goes away does not fail the campaigns for those that joined.
func (c *Scraper) scrapeShared(ctx context.Context, set *campaignSet) []Result {
	deadline, bounded := ctx.Deadline()
	c.shareMu.Lock()
	if s := c.sharing; s != nil && s.set == set && (bounded && !s.deadline.IsZero() && !s.deadline.After(deadline) || !bounded) {
		c.shareMu.Unlock()
		select {
		case <-s.done:
			return s.results
		case <-ctx.Done():
			// Gone or out of time: what it returns is not used.
			return nil
		}
	}
	s := &sharedScrape{set: set, done: make(chan struct{})}
	if bounded {
		s.deadline = deadline
	}
	c.sharing = s
	c.shareMu.Unlock()
	defer func() {
		c.shareMu.Lock()
		if c.sharing == s {
			c.sharing = nil
		}
		c.shareMu.Unlock()
		close(s.done)
	}()
	scrapeCtx := context.WithoutCancel(ctx)
	if bounded {
		var cancel context.CancelFunc
		scrapeCtx, cancel = context.WithDeadline(scrapeCtx, deadline)
		defer cancel()
	}
	s.results = c.scrapeScheduled(scrapeCtx, set)
	return s.results
}
