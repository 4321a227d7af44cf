package fetch

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// rateWatch ends a body's reading with ErrSlowBody when, BodyRateGrace
// after it took its page slot, less than MinBodyRate bytes per second have
// arrived on average. Each Write (the bytes read, through an io.TeeReader)
// moves the deadline by what they are worth at that rate.
type rateWatch struct {
	f      *Fetcher
	start  time.Time
	read   atomic.Int64
	timer  *time.Timer
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	stopped bool // once stop returns, the body is read: expire cancels nothing
}

func (f *Fetcher) watchRate(cancel context.CancelCauseFunc) *rateWatch {
	w := &rateWatch{f: f, start: time.Now(), cancel: cancel}
	w.timer = time.AfterFunc(f.rateGrace, w.expire)
	return w
}

func (w *rateWatch) Write(p []byte) (int, error) {
	n := w.read.Add(int64(len(p)))
	w.timer.Reset(time.Until(w.deadline(n)))
	return len(p), nil
}

// deadline is when the body, n bytes in, falls below the rate.
func (w *rateWatch) deadline(n int64) time.Time {
	return w.start.Add(w.f.rateGrace + time.Duration(float64(n)/float64(w.f.minRate)*float64(time.Second)))
}

func (w *rateWatch) expire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.read.Load()
	if w.stopped || time.Now().Before(w.deadline(n)) {
		return // the body was read, or a Write moved the deadline, as the timer fired
	}
	w.cancel(fmt.Errorf("%w: %d bytes in %v while holding one of the %d slots for pages over %d bytes (at least %d bytes/s wanted after %v)",
		ErrSlowBody, n, time.Since(w.start).Round(time.Millisecond), cap(w.f.pages), w.f.smallPage, w.f.minRate, w.f.rateGrace))
}

func (w *rateWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stopped = true
	w.timer.Stop()
}
