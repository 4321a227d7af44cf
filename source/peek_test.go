package source

import (
	"testing"
	"time"
)

// TestPollerPeek: Peek tells, without fetching, whether Poll would fetch
// and what was last read.
func TestPollerPeek(t *testing.T) {
	site := newPollSite(t)
	clock := &pollClock{now: pollStart}
	p := site.poller(clock, time.Minute)

	if _, read, due := p.Peek(clock.Now()); read || !due {
		t.Errorf("before any fetch: read %v due %v, want nothing read and due", read, due)
	}
	site.want(t, pollNow(p), 1, false, 1)
	clock.Advance(30 * time.Second)
	out, read, due := p.Peek(clock.Now())
	if !read || due {
		t.Errorf("within MinInterval: read %v due %v, want read and not due", read, due)
	}
	site.want(t, out, 1, true, 1)
	clock.Advance(30 * time.Second)
	out, read, due = p.Peek(clock.Now())
	if !read || !due {
		t.Errorf("MinInterval over: read %v due %v, want read and due", read, due)
	}
	site.want(t, out, 1, true, 1) // the last figures, and still no fetch
}
