package fetch

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultMaxFetchesPerHost is how many fetches one host gets at the same
// time unless configured otherwise: a browser opens six connections to a
// site; an exporter reading a hundred campaigns of one platform should
// not look like more than a few people.
const DefaultMaxFetchesPerHost = 4

// hostBudget lets at most limit requests to one host (host:port, as the
// URL names it) be in flight at the same time, across every campaign and
// every client of the fetcher.
type hostBudget struct {
	limit int

	mu    sync.Mutex
	hosts map[string]*hostSlots
}

// hostSlots are one host's slots; users counts the requests holding or
// waiting for one. An idle host's entry is kept for the next fetch (making
// it anew cost a probe four allocations) until maxIdleHosts hosts are
// known; then the idle ones are dropped.
type hostSlots struct {
	slots chan struct{}
	users int
}

const maxIdleHosts = 1024

func newHostBudget(limit int) *hostBudget {
	return &hostBudget{limit: limit, hosts: map[string]*hostSlots{}}
}

// budgetedTransport holds a slot of its request's host from the request
// until the response's body has been read to the end or closed. Each hop
// of a redirect is a request of its own, to its own host, so a redirect
// never holds two hosts' slots at once (the client closes a redirect's
// body before it follows it).
type budgetedTransport struct {
	budget *hostBudget
	next   http.RoundTripper
}

func (b *budgetedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h, err := b.budget.acquire(req.Context(), strings.ToLower(req.URL.Host))
	if err != nil {
		// RoundTrip must close the body of a request it does not send.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		b.budget.release(h)
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, budget: b.budget, host: h}
	return resp, nil
}

// acquire takes one of host's slots, waiting until ctx ends; give it back
// with release.
func (b *hostBudget) acquire(ctx context.Context, host string) (*hostSlots, error) {
	b.mu.Lock()
	h, ok := b.hosts[host]
	if !ok {
		if len(b.hosts) >= maxIdleHosts {
			for name, idle := range b.hosts {
				if idle.users == 0 {
					delete(b.hosts, name)
				}
			}
		}
		h = &hostSlots{slots: make(chan struct{}, b.limit)}
		b.hosts[host] = h
	}
	h.users++
	b.mu.Unlock()
	select {
	case h.slots <- struct{}{}:
		return h, nil
	case <-ctx.Done():
		b.leave(h)
		return nil, fmt.Errorf("wait for one of the %d fetches %s allows at once (other campaigns on that host hold them): %w",
			b.limit, shorten(host, maxURLText), context.Cause(ctx))
	}
}

// release gives back a slot acquire took.
func (b *hostBudget) release(h *hostSlots) {
	<-h.slots
	b.leave(h)
}

func (b *hostBudget) leave(h *hostSlots) {
	b.mu.Lock()
	h.users--
	b.mu.Unlock()
}

// releasingBody gives the host's slot back once the body has been read to
// its end or closed, whichever comes first: the fetch is then over as far
// as the site is concerned, even while the page waits to be parsed.
type releasingBody struct {
	io.ReadCloser
	budget   *hostBudget
	host     *hostSlots
	released atomic.Bool
}

func (r *releasingBody) release() {
	if r.released.CompareAndSwap(false, true) {
		r.budget.release(r.host)
	}
}

func (r *releasingBody) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil {
		r.release()
	}
	return n, err
}

func (r *releasingBody) Close() error {
	err := r.ReadCloser.Close()
	r.release()
	return err
}

// budgeted puts t behind the fetcher's bound per host, shared by every
// client the fetcher builds.
func (f *Fetcher) budgeted(t http.RoundTripper) http.RoundTripper {
	if f.hosts == nil {
		return t
	}
	return &budgetedTransport{budget: f.hosts, next: t}
}
