package source

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// onCallersGoroutine reports whether it runs on the goroutine that called
// flight.do rather than on one that do started.
func onCallersGoroutine() bool {
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	_, createdBy, _ := strings.Cut(stack, "\ncreated by ")
	return !strings.Contains(createdBy, "flight")
}

func TestFlightRunsOnTheCallersGoroutineWhenItCannotOutliveIt(t *testing.T) {
	long, cancelLong := context.WithTimeout(context.Background(), time.Hour)
	defer cancelLong()
	short, cancelShort := context.WithTimeout(context.Background(), time.Hour)
	defer cancelShort()
	cancelOnly, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		bound  time.Duration
		inline bool
	}{
		{"no Done channel", context.Background(), time.Minute, true},
		{"a deadline after the call's bound", long, time.Minute, true},
		{"a deadline before the call's bound", short, 2 * time.Hour, false},
		{"cancellable with no deadline", cancelOnly, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f flight[bool]
			inline, err := f.do(tc.ctx, tc.bound, onCallersGoroutine)
			if err != nil || inline != tc.inline {
				t.Fatalf("ran on the caller's goroutine: %v (err %v), want %v", inline, err, tc.inline)
			}
		})
	}
}

func TestFlightSharesOneCall(t *testing.T) {
	var f flight[int]
	var calls atomic.Int32
	release, started := make(chan struct{}), make(chan struct{})
	fn := func() int {
		calls.Add(1)
		close(started)
		<-release
		return 42
	}
	// The first caller's context may end before the bound: the call runs
	// on a goroutine, and the callers that join while it runs share it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	got := make([]int, 4)
	errs := make([]error, 4)
	wg.Go(func() { got[0], errs[0] = f.do(ctx, time.Minute, fn) })
	<-started
	for i := 1; i < len(got); i++ {
		wg.Go(func() { got[i], errs[i] = f.do(context.Background(), time.Minute, fn) })
	}
	for f.joined() < len(got)-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != 42 {
			t.Errorf("caller %d: %d, %v; want 42", i, got[i], errs[i])
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
	// Once it ended, the next caller makes a call of its own.
	if v, err := f.do(context.Background(), time.Minute, func() int { return 7 }); v != 7 || err != nil {
		t.Errorf("after the shared call: %d, %v; want 7", v, err)
	}
}

func TestFlightCallerGivesUpWhileTheCallGoesOn(t *testing.T) {
	var f flight[string]
	release := make(chan struct{})
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("client went away")
	cancel(cause)
	if _, err := f.do(ctx, time.Minute, func() string { <-release; return "page" }); !errors.Is(err, cause) {
		t.Fatalf("a caller whose context ended: %v, want its cause", err)
	}
	// The call goes on for whoever joins it.
	done := make(chan string)
	go func() {
		v, _ := f.do(context.Background(), time.Minute, func() string { return "a second call" })
		done <- v
	}()
	close(release)
	if v := <-done; v != "page" && v != "a second call" {
		t.Fatalf("joiner got %q", v)
	}
}

func TestFlightPanicIsTheCallsError(t *testing.T) {
	var f flight[int]
	for _, ctx := range []context.Context{context.Background(), context.TODO()} {
		_, err := f.do(ctx, time.Minute, func() int { panic("broken reader") })
		if !errors.Is(err, errCallPanicked) || !strings.Contains(err.Error(), "broken reader") {
			t.Fatalf("err %v, want the panic", err)
		}
	}
	if v, err := f.do(context.Background(), time.Minute, func() int { return 1 }); v != 1 || err != nil {
		t.Fatalf("after a panic: %d, %v", v, err)
	}
}
