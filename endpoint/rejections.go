// Package endpoint guards the exporter's HTTP endpoint against hostile or
// broken clients: it counts and logs the requests it refuses, caps open
// connections, checks basic auth with a per-client limit on failures, and
// serves TLS from the exporter-toolkit web configuration.
package endpoint

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/donation-exporter/donation_exporter/internal/textcut"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
)

// Reasons a request or connection is refused, the values of the reason
// label of donation_exporter_http_requests_rejected_total.
const (
	// ReasonInFlightLimit: DONATION_MAX_REQUESTS_IN_FLIGHT scrapes were
	// running already (503).
	ReasonInFlightLimit = "in_flight_limit"
	// ReasonMethod: a method other than GET or HEAD on a scrape path (405).
	ReasonMethod = "method"
	// ReasonAuth: missing or wrong basic auth credentials (401).
	ReasonAuth = "auth"
	// ReasonAuthRateLimit: too many failed logins from the client's
	// address; answered 429 without checking the password.
	ReasonAuthRateLimit = "auth_rate_limit"
	// ReasonAuthBusy: too many password checks running or waiting;
	// answered 429 without checking.
	ReasonAuthBusy = "auth_busy"
	// ReasonRateLimit: the web config file's rate_limit (429).
	ReasonRateLimit = "rate_limit"
	// ReasonConnectionLimit: DONATION_MAX_CONNECTIONS connections were
	// open already; the new one is closed at once.
	ReasonConnectionLimit = "connection_limit"
)

var reasons = []string{ReasonInFlightLimit, ReasonMethod, ReasonAuth, ReasonAuthRateLimit, ReasonAuthBusy, ReasonRateLimit, ReasonConnectionLimit}

// Rejections counts refused requests and connections and logs them at a
// bounded rate: a flood of refusals costs a few log lines, not one each.
// It is a prometheus.Collector for the exporter's own registry.
type Rejections struct {
	logger  *slog.Logger
	counter *prometheus.CounterVec
	limiter *rate.Limiter

	mu         sync.Mutex
	suppressed map[string]int // refusals not logged since the last line, per reason
}

// Log rate of refusals: a burst of logBurst lines, then one per logEvery.
const (
	logEvery = 10 * time.Second
	logBurst = 5
)

// NewRejections returns a Rejections logging to logger.
func NewRejections(logger *slog.Logger) *Rejections {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	counter := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "donation_exporter",
		Name:      "http_requests_rejected_total",
		Help:      "Requests and connections the exporter refused before serving them, by reason.",
	}, []string{"reason"})
	for _, reason := range reasons {
		counter.WithLabelValues(reason) // every reason reads 0 from the start, for rate() and alerts
	}
	return &Rejections{
		logger:     logger,
		counter:    counter,
		limiter:    rate.NewLimiter(rate.Every(logEvery), logBurst),
		suppressed: map[string]int{},
	}
}

// Describe implements prometheus.Collector.
func (r *Rejections) Describe(ch chan<- *prometheus.Desc) { r.counter.Describe(ch) }

// Collect implements prometheus.Collector.
func (r *Rejections) Collect(ch chan<- prometheus.Metric) { r.counter.Collect(ch) }

// Request counts req as refused for reason and logs it unless too many
// lines were logged lately. attrs are added to the line.
func (r *Rejections) Request(req *http.Request, reason string, attrs ...any) {
	if r == nil {
		return
	}
	r.record(reason, append([]any{"client", ClientAddress(req), "method", truncate(req.Method), "path", truncate(req.URL.Path)}, attrs...))
}

// Connection counts a connection from remote refused for reason.
func (r *Rejections) Connection(remote net.Addr, reason string) {
	if r == nil {
		return
	}
	r.record(reason, []any{"client", hostOf(remote.String())})
}

func (r *Rejections) record(reason string, attrs []any) {
	r.counter.WithLabelValues(reason).Inc()
	r.mu.Lock()
	if !r.limiter.Allow() {
		r.suppressed[reason]++
		r.mu.Unlock()
		return
	}
	suppressed := r.suppressed[reason]
	delete(r.suppressed, reason)
	r.mu.Unlock()
	attrs = append(attrs, "reason", reason)
	if suppressed > 0 {
		attrs = append(attrs, "not_logged_since_last_line", suppressed)
	}
	r.logger.Warn("request rejected", attrs...)
}

// ClientAddress is the address the request came from: the peer's IP, never
// a header a client can write (X-Forwarded-For).
func ClientAddress(req *http.Request) string { return hostOf(req.RemoteAddr) }

func hostOf(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// truncate bounds a client-chosen text put in a log line.
func truncate(s string) string { return textcut.Head(s, 128) }
