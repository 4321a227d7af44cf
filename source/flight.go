package source

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// flight runs one call at a time on behalf of every caller that asks
// while it runs, as singleflight does, but on the first caller's own
// goroutine whenever that cannot keep the caller past its context's
// deadline: a goroutine per fetch, and its stack grown again through the
// fetch and the reading of the page, were a tenth of a probe's CPU.
type flight[T any] struct {
	mu  sync.Mutex
	cur *flightCall[T]
}

// errCallPanicked is the error of a call whose function panicked.
var errCallPanicked = errors.New("panicked (a bug: please report it)")

type flightCall[T any] struct {
	done    chan struct{}
	val     T
	err     error // why val is not fn's: it panicked
	joiners int   // callers that joined the call in progress (guarded by flight.mu)
}

// do returns the value of fn, from the call in progress or from a new one.
// fn must bound itself to end within bound of its start (the campaign's
// timeout does). A caller whose context can end earlier than that gets
// the call on a goroutine of its own and stops waiting when its context
// ends (the error is then its cause), while the call goes on for the
// others; a caller whose context cannot (no deadline before bound, and
// no cancellation, or a deadline after bound) makes the call itself, so
// that a cancellation only ends its wait when the call does: within its
// deadline, for an answer a client gone away does not read anyway.
func (f *flight[T]) do(ctx context.Context, bound time.Duration, fn func() T) (T, error) {
	f.mu.Lock()
	c := f.cur
	leader := c == nil
	if leader {
		c = &flightCall[T]{done: make(chan struct{})}
		f.cur = c
	} else {
		c.joiners++
	}
	f.mu.Unlock()
	if leader {
		if outlasts(ctx, bound) {
			f.run(c, fn)
			return c.val, c.err
		}
		go f.run(c, fn)
	}
	select {
	case <-c.done:
		return c.val, c.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// run makes the call c for everyone waiting on it. A panic (a bug) is
// the call's error for all of them rather than the end of the process.
func (f *flight[T]) run(c *flightCall[T], fn func() T) {
	defer func() {
		if p := recover(); p != nil {
			c.err = fmt.Errorf("%w: %v", errCallPanicked, p)
		}
		f.mu.Lock()
		f.cur = nil
		f.mu.Unlock()
		close(c.done)
	}()
	c.val = fn()
}

// joined reports how many callers joined the call in progress.
func (f *flight[T]) joined() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur == nil {
		return 0
	}
	return f.cur.joiners
}

// outlasts reports whether ctx can end only after a call bounded by bound
// would: it has no Done channel, or a deadline no earlier than bound from
// now. A context with no deadline but a Done channel can be cancelled at
// any moment, so it does not.
func outlasts(ctx context.Context, bound time.Duration) bool {
	if ctx.Done() == nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && time.Until(deadline) >= bound
}
