package fetch

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// acquire takes one of slots, waiting until ctx ends, and returns what
// gives it back.
func acquire(ctx context.Context, slots chan struct{}) (release func(), err error) {
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// acquirePage takes a page slot for a page of host. Waiting ends with ctx,
// and the error then names the hosts whose pages hold the slots, so that
// the log blames them and not the page that waited.
func (f *Fetcher) acquirePage(ctx context.Context, host string) (release func(), err error) {
	select {
	case f.pages <- struct{}{}:
	case <-ctx.Done():
		f.mu.Lock()
		holders := make([]string, 0, len(f.holders))
		for h := range f.holders {
			holders = append(holders, h)
		}
		f.mu.Unlock()
		slices.Sort(holders)
		if len(holders) > 10 {
			holders = append(holders[:10], "…")
		}
		return nil, fmt.Errorf("wait for one of the %d slots to read a page over %d bytes in (held by pages of %s): %w",
			cap(f.pages), f.smallPage, strings.Join(holders, ", "), context.Cause(ctx))
	}
	f.mu.Lock()
	f.holders[host]++
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		if f.holders[host]--; f.holders[host] == 0 {
			delete(f.holders, host)
		}
		f.mu.Unlock()
		<-f.pages
	}, nil
}
