package source

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/fetch"
)

// How far the donation list is read.
const (
	// ScrapeListPages bounds the pages one refresh for scrapes reads: at
	// DonorDrive's 100 a page, a week of 1,000 donations. A busier list
	// gives the windows it reaches (the 7d one is then left out).
	ScrapeListPages = 10
	// BackfillListPages bounds the pages a backfill reads: 100,000
	// donations at DonorDrive's 100 a page.
	BackfillListPages = 1000
	// MinListInterval is the least time between two refreshes of a list
	// for scrapes: the windows move by a minute at most, and a list of
	// several pages is not walked again on every scrape.
	MinListInterval = time.Minute
)

// FetchDonations reads a donation list, newest first, page by page through
// the fetcher (bounded bodies, the campaign's TLS setting), until it is
// read back to since (zero: to its first donation) or maxPages were read.
// The list is Complete when its last page was reached. pace, when
// positive, is the least time between two pages: the platform's asked
// interval (DonorDrive: 15 s), for a walk of the whole list.
func FetchDonations(ctx context.Context, f *fetch.Fetcher, spec donations.Spec, insecure bool, since time.Time, maxPages int, pace time.Duration) (donations.List, error) {
	w, err := walkList(ctx, f, spec, insecure, since, maxPages, "", pace)
	return w.list, err
}

// walked is what one walk of a list gave.
type walked struct {
	list donations.List
	// etag is the first page's ETag; unchanged is true when the first
	// page answered 304 to the ETag given: the list is as it was (newest
	// first, a new donation would change the first page), and nothing
	// more was read.
	etag      string
	unchanged bool
}

// walkList is FetchDonations, the first page asked for conditionally when
// etag is not empty.
func walkList(ctx context.Context, f *fetch.Fetcher, spec donations.Spec, insecure bool, since time.Time, maxPages int, etag string, pace time.Duration) (walked, error) {
	w := walked{list: donations.List{Total: -1}}
	list := &w.list
	for page := 0; page < maxPages; page++ {
		if page > 0 && pace > 0 {
			timer := time.NewTimer(pace)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				return w, fmt.Errorf("donation list %s: waiting %v between pages, as the platform asks: %w", spec.URL, pace, context.Cause(ctx))
			}
		}
		offset := len(list.Donations)
		pageURL, err := pageURL(spec, offset)
		if err != nil {
			return w, err
		}
		req := fetch.Request{URL: pageURL, InsecureSkipVerify: insecure, Accept: fetch.AcceptJSON}
		if page == 0 {
			req.ETag = etag
		}
		var got []donations.Donation
		var readErr error
		answer, err := f.Fetch(ctx, req, func(p fetch.Page) {
			got, readErr = donations.ParsePage(p.Body, spec.Format)
			if spec.TotalHeader != "" && readErr == nil {
				if n, err := strconv.Atoi(strings.TrimSpace(p.Header.Get(spec.TotalHeader))); err == nil && n >= 0 {
					list.Total = n
				}
			}
		})
		if err == nil {
			err = readErr
		}
		if err != nil {
			return w, fmt.Errorf("donation list %s: %w", pageURL, fetch.ShortenError(err))
		}
		if page == 0 {
			if answer.NotModified {
				w.unchanged = true
				return w, nil
			}
			w.etag = answer.ETag
		}
		list.Add(got)
		switch {
		case spec.LimitParam == "" || len(got) < spec.MaxLimit:
			list.Complete = true // the last page: shorter than a whole one
		case list.Total >= 0 && len(list.Donations) >= list.Total:
			list.Complete = true
		}
		if list.Complete || (!since.IsZero() && list.Covers(since)) {
			return w, nil
		}
	}
	return w, nil
}

// pageURL is the list's page after offset donations.
func pageURL(spec donations.Spec, offset int) (string, error) {
	if spec.LimitParam == "" {
		return spec.URL, nil
	}
	u, err := url.Parse(spec.URL)
	if err != nil {
		return "", fmt.Errorf("donation list %q: %w", spec.URL, err)
	}
	q := u.Query()
	q.Set(spec.LimitParam, strconv.Itoa(spec.MaxLimit))
	q.Set(spec.OffsetParam, strconv.Itoa(offset))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// DonationsOutcome is what the campaign's donation list gave a scrape.
type DonationsOutcome struct {
	// List is the list as last read, back a week at least when it could;
	// valid when Err is nil.
	List donations.List
	// At is when it was read.
	At  time.Time
	Err error
	// Refresh, when not nil, is why the list served is the one read At
	// rather than a new one: the last refresh failed, and the list read
	// before is still within the campaign's maximum staleness.
	Refresh error
	// News is true for the first outcome with this error (or the first
	// good one after errors): the error is to be logged once, not on
	// every scrape.
	News bool
}

// lister keeps a campaign's donation list for scrapes: refreshed at most
// every MinListInterval (or the campaign's MinInterval, when longer),
// concurrent scrapes sharing one walk, whose first page is asked for with
// the ETag it had: a 304 keeps the list without reading further.
type lister struct {
	campaign *atomic.Pointer[Campaign] // the poller's
	fetcher  *fetch.Fetcher
	now      func() time.Time
	walks    flight[DonationsOutcome]

	mu        sync.Mutex
	last      DonationsOutcome
	attempted time.Time
	reported  string // the error last reported as news; "" none
	mismatch  string // the disagreement with the total last reported
	etag      string // of the list's first page, for a conditional walk
}

func newLister(c *atomic.Pointer[Campaign], f *fetch.Fetcher, now func() time.Time) *lister {
	if c.Load().Donations == nil {
		return nil
	}
	return &lister{campaign: c, fetcher: f, now: now}
}

func (l *lister) interval() time.Duration { return max(MinListInterval, l.campaign.Load().MinInterval) }

// Donations returns the campaign's donation list for a scrape, fetching it
// when the last walk is older than the list's interval; ok is false when
// the campaign has none. A walk is bounded by the campaign's Timeout, not
// by ctx: a scrape that gives up waiting gets the last list (or an error)
// and the walk goes on for the next.
func (p *Poller) Donations(ctx context.Context) (out DonationsOutcome, ok bool) {
	l := p.list
	if l == nil {
		return DonationsOutcome{}, false
	}
	l.mu.Lock()
	fresh := !l.attempted.IsZero() && l.now().Sub(l.attempted) < l.interval()
	last := l.last
	l.mu.Unlock()
	if fresh {
		return l.quiet(last), true
	}
	out, err := l.walks.do(ctx, l.campaign.Load().timeout(), func() DonationsOutcome { return l.walk(ctx) })
	if err == nil {
		return l.report(out), true
	}
	if last.Err == nil && !last.At.IsZero() {
		// The walk goes on; this scrape serves the list it has.
		return l.quiet(last), true
	}
	if !errors.Is(err, errCallPanicked) {
		err = fmt.Errorf("gave up waiting for the donation list: %w", err)
	}
	return l.report(DonationsOutcome{Err: err}), true
}

func (l *lister) walk(parent context.Context) DonationsOutcome {
	timeout := l.campaign.Load().timeout()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), timeout)
	defer cancel()
	since := l.now().Add(-donations.Longest())
	l.mu.Lock()
	etag := ""
	if l.last.Err == nil && !l.last.At.IsZero() {
		etag = l.etag
	}
	l.mu.Unlock()
	campaign := l.campaign.Load()
	w, err := walkList(ctx, l.fetcher, *campaign.Donations, campaign.InsecureSkipVerify, since, ScrapeListPages, etag, 0)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("not read within the campaign's timeout of %v: %w", timeout, err)
	}
	out := DonationsOutcome{List: w.list, At: l.now(), Err: err}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempted = out.At
	if err == nil && w.unchanged {
		// The list held is the list: only its age is new.
		l.last.At, l.last.Refresh = out.At, nil
		return l.last
	}
	if err == nil {
		l.etag = w.etag
	}
	if err != nil && l.last.Err == nil && !l.last.At.IsZero() && out.At.Sub(l.last.At) < l.campaign.Load().maxStaleness() {
		// A failed refresh keeps the last list while it is fresh enough;
		// the error is still news.
		kept := l.last
		kept.Refresh = err
		l.last = kept
		return kept
	}
	l.last = out
	return out
}

// report marks out as news when its error differs from the one last
// reported.
func (l *lister) report(out DonationsOutcome) DonationsOutcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	problem := out.Err
	if problem == nil {
		problem = out.Refresh
	}
	out.News = l.news(problem)
	return out
}

// news records err as reported and tells whether it is news.
func (l *lister) news(err error) bool {
	text := ""
	if err != nil {
		text = err.Error()
	}
	if text == l.reported {
		return false
	}
	l.reported = text
	return true
}

func (l *lister) quiet(out DonationsOutcome) DonationsOutcome {
	out.News = false
	return out
}

// HasDonations reports whether the campaign has a donation list.
func (p *Poller) HasDonations() bool { return p.list != nil }

// LastDonations is the list as last read, without fetching: for a scrape
// that serves a campaign's last outcome because it is not its turn to be
// fetched. ok is false when the campaign has no list.
func (p *Poller) LastDonations() (out DonationsOutcome, ok bool) {
	l := p.list
	if l == nil {
		return DonationsOutcome{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out = l.last
	if out.At.IsZero() && out.Err == nil {
		out.Err = errors.New("the donation list was not read yet")
	}
	out.News = false
	return out, true
}

// MismatchNews tells whether the list's disagreement with the platform's
// total (empty: none) differs from the one last reported, and records it:
// a disagreement is logged once, not on every scrape.
func (p *Poller) MismatchNews(mismatch string) bool {
	l := p.list
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	news := mismatch != l.mismatch
	l.mismatch = mismatch
	return news && mismatch != ""
}
