package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
)

// Poller fetches one campaign's page on behalf of every scrape, and is
// polite about it:
//   - concurrent polls share one fetch, and a poll for a scrape that began
//     before the last fetch ended takes that fetch's outcome;
//   - within the campaign's MinInterval of the last fetch, its outcome is
//     served again without fetching;
//   - each fetch after a good one is conditional (If-None-Match,
//     If-Modified-Since), and a 304 confirms the figures already read;
//   - after a 429 or 503 with Retry-After, the page is not fetched again
//     before that time (capped at MaxRetryAfter); the last good figures are
//     served meanwhile, since they are the freshest the site allows, but
//     only while they are at most the campaign's MaxStaleness old: a site
//     that keeps deferring cannot keep old figures up for ever.
//
// A Poller's state is the outcome of its last fetch and the last good
// figures; fetching and reading a page is fetchAndRead's job (campaign.go).
type Poller struct {
	// campaign is the campaign set's own, not a copy (10,000 copies were
	// 3 MB); a reload that keeps the poller points it at the new set's
	// (Follow), so that the old set is not kept for it.
	campaign atomic.Pointer[Campaign]
	fetcher  *fetch.Fetcher
	now      func() time.Time
	fetches  flight[Outcome]
	list     *lister // the campaign's donation list (donations.go); nil: none

	mu        sync.Mutex
	last      Outcome      // of the last fetch
	attempted time.Time    // when the last fetch ended; zero before the first
	retryAt   time.Time    // no fetch before this time
	good      *read.Values // the last figures read; nil before the first
	goodAt    time.Time    // when the site last gave or confirmed them
	etag      string
	modified  string
	// staleFrom is the goodAt of the figures last reported too old, so
	// that the report is flagged as news once.
	staleFrom time.Time
}

// NewPoller returns a Poller for campaign. now tells the time; nil means
// time.Now.
func NewPoller(campaign *Campaign, fetcher *fetch.Fetcher, now func() time.Time) *Poller {
	if now == nil {
		now = time.Now
	}
	p := &Poller{fetcher: fetcher, now: now}
	p.campaign.Store(campaign)
	p.list = newLister(&p.campaign, fetcher, now)
	return p
}

// Follow makes campaign the one polled: the same definition as the one
// before, at a new campaign set's address (a reload that kept the poller).
func (p *Poller) Follow(campaign *Campaign) { p.campaign.Store(campaign) }

// Outcome is what one poll gave.
type Outcome struct {
	// Values are the campaign's figures when Err is nil.
	Values read.Values
	// Err is why there are no current figures.
	Err error
	// LastSuccess is when the site last gave the figures or confirmed
	// them with a 304; zero if it never has.
	LastSuccess time.Time
	// Deferred, when not nil, says why Values are those of LastSuccess
	// rather than of this fetch: the site asked to be left alone for a
	// while (429 or 503 with Retry-After).
	Deferred error
	// Reused is true when this poll neither made nor joined a fetch: the
	// outcome of an earlier one was served again (MinInterval, or a
	// Retry-After not yet over).
	Reused bool
	// TurnedStale is true for the first poll that found the figures older
	// than the campaign's MaxStaleness (Err then says so): news to log
	// even when the outcome was Reused.
	TurnedStale bool
}

// Poll returns the campaign's current outcome: fetched for this poll,
// shared with concurrent polls, or reused. since is when the scrape asking
// began (zero: now): a fetch that ended after it is as fresh as one the
// scrape would start, so its outcome is taken as is. The fetch is bounded by
// the campaign's Timeout alone, so a poll that gives up does not cut short
// the others sharing it; a poll whose ctx can end before that timeout
// stops waiting when ctx ends (see flight.do).
func (p *Poller) Poll(ctx context.Context, since time.Time) Outcome {
	if out, ok := p.reusable(since); ok {
		return p.unlessStale(out)
	}
	out, err := p.fetches.do(ctx, p.campaign.Load().timeout(), func() Outcome { return p.fetch(ctx) })
	if err != nil {
		p.mu.Lock()
		goodAt := p.goodAt
		p.mu.Unlock()
		if !errors.Is(err, errCallPanicked) {
			err = fmt.Errorf("gave up waiting for the page: %w", err)
		}
		return Outcome{Err: fmt.Errorf("fetch: %w", err), LastSuccess: goodAt}
	}
	return p.unlessStale(out)
}

// unlessStale returns out, or, when it serves figures older than the
// campaign's MaxStaleness (the site has deferred every fetch since, or
// MinInterval is longer), a failed outcome that says so: figures that old
// are not current, whatever the reason.
func (p *Poller) unlessStale(out Outcome) Outcome {
	if out.Err != nil || out.LastSuccess.IsZero() {
		return out
	}
	campaign := p.campaign.Load()
	maxAge := campaign.maxStaleness()
	age := p.now().Sub(out.LastSuccess)
	if age <= maxAge {
		return out
	}
	why := fmt.Sprintf("not fetched since, within the minimum refresh interval of %v", campaign.MinInterval)
	if out.Deferred != nil {
		why = out.Deferred.Error()
	}
	stale := Outcome{
		Err: fmt.Errorf("figures last read %s (%v ago) are older than the campaign's maximum staleness of %v: %s",
			out.LastSuccess.UTC().Format(time.RFC3339), age.Round(time.Second), maxAge, why),
		LastSuccess: out.LastSuccess,
		Deferred:    out.Deferred,
		Reused:      out.Reused,
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.staleFrom.Equal(out.LastSuccess) {
		p.staleFrom = out.LastSuccess
		stale.TurnedStale = true
	}
	return stale
}

// reusable returns the last fetch's outcome when it is fresh enough for a
// scrape that began at since, or when the page must not be fetched again
// yet.
func (p *Poller) reusable(since time.Time) (Outcome, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.attempted.IsZero() {
		return Outcome{}, false
	}
	now := p.now()
	if since.IsZero() {
		since = now
	}
	if p.attempted.After(since) {
		return p.last, true
	}
	deferred := now.Before(p.retryAt)
	minInterval := p.campaign.Load().MinInterval
	recent := minInterval > 0 && now.Sub(p.attempted) < minInterval
	if !deferred && !recent {
		return Outcome{}, false
	}
	out := p.last
	out.Reused = true
	return out, true
}

// fetch gets and reads the page once, and records the outcome.
func (p *Poller) fetch(parent context.Context) Outcome {
	campaign := p.campaign.Load()
	req := campaign.request()
	p.mu.Lock()
	if p.good != nil {
		req.ETag, req.LastModified = p.etag, p.modified
	}
	p.mu.Unlock()

	timeout := campaign.timeout()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	resp, result, fetchErr := fetchAndRead(ctx, p.fetcher, *campaign, req, p.now())
	values, readErr := result.values, result.err

	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.attempted = now
	p.retryAt = time.Time{}
	var out Outcome
	var status *fetch.StatusError
	switch {
	case errors.As(fetchErr, &status) && status.RetryAfter > 0 &&
		(status.Code == http.StatusTooManyRequests || status.Code == http.StatusServiceUnavailable):
		p.retryAt = now.Add(status.RetryAfter)
		err := fmt.Errorf("fetch: %w: not fetching again before %s", fetchErr, p.retryAt.UTC().Format(time.RFC3339))
		if p.good != nil {
			out = Outcome{Values: *p.good, Deferred: err}
		} else {
			out = Outcome{Err: err}
		}
	case errors.Is(fetchErr, context.DeadlineExceeded):
		out = Outcome{Err: fmt.Errorf("fetch: no whole answer within the campaign's timeout of %v: %w", timeout, fetchErr)}
	case fetchErr != nil:
		out = Outcome{Err: fmt.Errorf("fetch: %w", fetchErr)}
	case resp.NotModified:
		p.goodAt = now
		out = Outcome{Values: *p.good}
	case readErr != nil:
		out = Outcome{Err: readErr}
	default:
		p.good, p.goodAt = &values, now
		p.etag, p.modified = resp.ETag, resp.LastModified
		out = Outcome{Values: values}
	}
	out.LastSuccess = p.goodAt
	p.last = out
	return out
}

// Peek tells what Poll would do for a scrape that began at since, without
// fetching: due is true when Poll would fetch; out is then the last fetch's
// outcome, marked Reused, and read is false if there was none. A scheduler
// spreading fetches over scrapes serves out instead of polling when it is
// not the campaign's turn.
func (p *Poller) Peek(since time.Time) (out Outcome, read, due bool) {
	if out, ok := p.reusable(since); ok {
		return out, true, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out = p.last
	out.Reused = true
	return out, !p.attempted.IsZero(), true
}
