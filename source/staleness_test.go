package source

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/read"
)

// TestPollerMaxStaleness: a site that answers 429 with Retry-After used to
// renew its deferral at each answer, and its campaign stayed up with
// figures of any age. Past MaxStaleness the poll fails with
// the reason, still without fetching before Retry-After, and keeps
// LastSuccess (for donation_last_success_timestamp_seconds).
func TestPollerMaxStaleness(t *testing.T) {
	deferring := func(w http.ResponseWriter, _ *http.Request, _ int32) bool {
		w.Header().Set("Retry-After", "600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return true
	}
	tests := []struct {
		name         string
		maxStaleness time.Duration // of the campaign; 0 is the default
		wantMax      time.Duration
	}{
		{name: "default", wantMax: DefaultMaxStaleness},
		{name: "campaign's own", maxStaleness: 25 * time.Minute, wantMax: 25 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newPollSite(t)
			clock := &pollClock{now: pollStart}
			c := Campaign{Name: "c", URL: site.srv.URL, Kind: read.KindJSON, Timeout: 5 * time.Second, MaxStaleness: tc.maxStaleness,
				Spec: read.Spec{AmountScale: 1, Fields: map[read.Field]read.FieldSpec{read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("raised")}}}}}
			p := NewPoller(&c, fetch.NewFetcher(fetch.FetcherConfig{}), clock.Now)
			site.want(t, pollNow(p), 1, false, 1)

			// Every 10 minutes the deferral ends and the site renews it.
			site.set(deferring)
			hits := int32(1)
			for elapsed := 10 * time.Minute; elapsed <= tc.wantMax; elapsed += 10 * time.Minute {
				clock.Advance(10 * time.Minute)
				hits++
				out := pollNow(p)
				site.want(t, out, 1, false, hits)
				if out.Deferred == nil {
					t.Fatalf("after %v: not deferred: %+v", elapsed, out)
				}
			}
			// Just past the ceiling, inside the last deferral (renewed at
			// most 10 minutes before it): no fetch, an error.
			clock.Advance(pollStart.Add(tc.wantMax + time.Second).Sub(clock.Now()))
			stale := pollNow(p)
			site.want(t, stale, 0, true, hits)
			if stale.Err == nil || !strings.Contains(stale.Err.Error(), "older than the campaign's maximum staleness of "+tc.wantMax.String()) ||
				!strings.Contains(stale.Err.Error(), "429 Too Many Requests") {
				t.Errorf("stale outcome error %v, want it to give the ceiling and the site's 429", stale.Err)
			}
			if !stale.TurnedStale || !stale.LastSuccess.Equal(pollStart) || stale.Values.Raised != nil {
				t.Errorf("stale outcome %+v, want TurnedStale, LastSuccess %v and no figures", stale, pollStart)
			}
			again := pollNow(p)
			site.want(t, again, 0, true, hits)
			if again.TurnedStale {
				t.Error("TurnedStale again for the same figures: it is news once")
			}

			// The site answers again: figures are current, and a later
			// stale spell is news again.
			site.set(nil)
			clock.Advance(10 * time.Minute)
			hits++
			site.want(t, pollNow(p), float64(hits), false, hits)
			site.set(deferring)
			clock.Advance(tc.wantMax + time.Minute)
			if later := pollNow(p); later.Err == nil || !later.TurnedStale {
				t.Errorf("second stale spell: %+v, want an error that TurnedStale", later)
			}
		})
	}
}

// TestPollerMinIntervalOverMaxStaleness checks that figures reused within
// a MinInterval longer than MaxStaleness (config refuses it; a Campaign
// built in code may not) are not served past the ceiling either.
func TestPollerMinIntervalOverMaxStaleness(t *testing.T) {
	site := newPollSite(t)
	clock := &pollClock{now: pollStart}
	c := Campaign{Name: "c", URL: site.srv.URL, Kind: read.KindJSON, Timeout: 5 * time.Second,
		MinInterval: 2 * time.Hour, MaxStaleness: time.Hour,
		Spec: read.Spec{AmountScale: 1, Fields: map[read.Field]read.FieldSpec{read.FieldRaised: {Selectors: []read.Selector{read.MustParseSelector("raised")}}}}}
	p := NewPoller(&c, fetch.NewFetcher(fetch.FetcherConfig{}), clock.Now)
	site.want(t, pollNow(p), 1, false, 1)
	clock.Advance(time.Hour)
	site.want(t, pollNow(p), 1, true, 1)
	clock.Advance(time.Second)
	out := pollNow(p)
	site.want(t, out, 0, true, 1)
	if out.Err == nil || !strings.Contains(out.Err.Error(), "not fetched since, within the minimum refresh interval of 2h0m0s") {
		t.Errorf("error %v, want it to say there was no fetch since, and why", out.Err)
	}
}
