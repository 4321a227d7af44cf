package collector

import (
	"context"
	"sync"
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

	// answers are the answers built from results, by what the request
	// asked (answerKey): the requests that share the scrape and ask for
	// the same format share the work of encoding it too.
	mu      sync.Mutex
	answers map[string]*sharedAnswer
}

type sharedAnswer struct {
	once   sync.Once
	answer *bufferedResponse
}

// answer returns the answer for key, built by build the first time.
func (s *sharedScrape) answer(key string, build func() *bufferedResponse) *bufferedResponse {
	s.mu.Lock()
	if s.answers == nil {
		s.answers = map[string]*sharedAnswer{}
	}
	a, ok := s.answers[key]
	if !ok {
		a = &sharedAnswer{}
		s.answers[key] = a
	}
	s.mu.Unlock()
	a.once.Do(func() { a.answer = build() })
	return a.answer
}

// scrapeShared scrapes every campaign of set, or joins the scrape of set
// in flight when that one ends no later than ctx must (so that a joiner
// with a shorter scrape timeout does not wait past it). The scrape runs
// with the first caller's deadline but not its cancellation: a client
// that goes away does not fail the campaigns for those that joined.
func (c *Scraper) scrapeShared(ctx context.Context, set *campaignSet) []Result {
	if s := c.joinScrape(ctx, set); s != nil {
		return s.results
	}
	return nil
}

// joinScrape is scrapeShared, returning the scrape shared; nil when ctx
// ended before the scrape joined did.
func (c *Scraper) joinScrape(ctx context.Context, set *campaignSet) *sharedScrape {
	deadline, bounded := ctx.Deadline()
	c.shareMu.Lock()
	if s := c.sharing; s != nil && s.set == set && (bounded && !s.deadline.IsZero() && !s.deadline.After(deadline) || !bounded) {
		c.shareMu.Unlock()
		select {
		case <-s.done:
			return s
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
	return s
}
