package collector

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/donation-exporter/donation_exporter/endpoint"
)

// Bounds of the scrape timeout a request may announce: a shorter one
// would fail every campaign, a longer one (or none) is cut to
// promhttp.HandlerOpts.Timeout (DONATION_METRICS_TIMEOUT), or to
// maxScrapeTimeout when that is 0.
const (
	minScrapeTimeout = time.Second
	maxScrapeTimeout = 10 * time.Minute
)

// allowedMethods answer on the scrape paths: GET scrapes, HEAD answers the
// headers GET would have, without scraping.
const allowedMethods = "GET, HEAD"

// Handler serves the campaigns' metrics beside those base gathers (the Go,
// process and build-info collectors). It scrapes on every GET, within the
// scrape timeout Prometheus announces (see bounded for opts).
func (c *Scraper) Handler(base prometheus.Gatherer, opts promhttp.HandlerOpts) http.Handler {
	return c.bounded(opts, answerHead, func(ctx context.Context, w http.ResponseWriter, r *http.Request, opts promhttp.HandlerOpts) {
		set := c.set.Load()
		shared := c.joinScrape(ctx, set)
		if shared == nil {
			c.exposer(opts).serve(w, r, base, set.families, set.labelNames, nil)
			return
		}
		// The requests sharing the scrape and asking for the same answer
		// share its building too: 10,000 campaigns' series are built once.
		key := string(c.negotiations.format(r, opts)) + "|" + strconv.FormatBool(!opts.DisableCompression && acceptsGzip(r)) + "|" + r.URL.RawQuery
		answer := shared.answer(key, func() *bufferedResponse {
			answer := &bufferedResponse{header: http.Header{}}
			// An unfiltered answer gets room for what the last one took:
			// growing to megabytes by doubling left as much again of
			// garbage per scrape.
			whole := r.URL.RawQuery == ""
			if whole {
				answer.body.Grow(int(c.lastAnswerBytes.Load()))
			}
			c.exposer(opts).serve(answer, r, base, set.families, set.labelNames, shared.results)
			if whole {
				c.lastAnswerBytes.Store(int64(answer.body.Len()))
			}
			return answer
		})
		if held, ok := w.(*bufferedResponse); ok && held.code == 0 && held.body.Len() == 0 {
			// bounded's buffer: it sends the shared answer itself rather
			// than a copy (megabytes at 10,000 campaigns).
			held.shared = answer
			return
		}
		answer.sendTo(w)
	})
}

// ProbeHandler serves the metrics of the one campaign named by the
// "campaign" query parameter (/probe?campaign=NAME): its donation_* series
// and nothing else, so that Prometheus can scrape each campaign as a target
// of its own. The parameter is a configured name, never a URL: an unknown
// name is a 404 and fetches nothing.
func (c *Scraper) ProbeHandler(opts promhttp.HandlerOpts) http.Handler {
	head := func(w http.ResponseWriter, r *http.Request) {
		if c.probedCampaign(w, r.URL.Query().Get("campaign")) {
			answerHead(w, r)
		}
	}
	return c.bounded(opts, head, func(ctx context.Context, w http.ResponseWriter, r *http.Request, opts promhttp.HandlerOpts) {
		name := r.URL.Query().Get("campaign")
		if !c.probedCampaign(w, name) {
			return
		}
		result, _ := c.ScrapeCampaign(ctx, name)
		set := c.set.Load()
		c.exposer(opts).serve(w, r, nil, set.families, set.labelNames, []Result{result})
	})
}

func (c *Scraper) exposer(opts promhttp.HandlerOpts) exposer {
	return exposer{opts: opts, logger: c.cfg.Logger, gzips: &c.gzips, encodings: &c.encodings, chunk: c.chunkSeries, chunkWriters: &c.chunkWriters, negotiations: &c.negotiations}
}

// probedCampaign reports whether name, the request's campaign parameter,
// is a configured campaign, and answers the request with the error when it
// is not.
func (c *Scraper) probedCampaign(w http.ResponseWriter, name string) bool {
	if name == "" {
		http.Error(w, "the campaign parameter is missing: /probe?campaign=NAME", http.StatusBadRequest)
		return false
	}
	// The campaigns of now, not of the start: a reload adds and removes.
	if _, ok := c.set.Load().byName[name]; ok {
		return true
	}
	http.Error(w, fmt.Sprintf("no campaign named %q is configured", name), http.StatusNotFound)
	return false
}

// Bounded guards a page that is not a scrape (the status page) as the
// scrape paths are guarded (see bounded): GET and HEAD only, at most
// opts.MaxRequestsInFlight at once, each within opts.Timeout, its answer
// held until complete. HEAD is served like GET (the server sends no body).
func (c *Scraper) Bounded(opts promhttp.HandlerOpts, next http.Handler) http.Handler {
	return c.bounded(opts, nil, func(ctx context.Context, w http.ResponseWriter, r *http.Request, _ promhttp.HandlerOpts) {
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// answerHead answers HEAD with the headers of a scrape's answer, without
// scraping: a HEAD that fetched every page would cost a scrape and give
// nothing.
func answerHead(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", string(expfmt.NegotiateAccept(r.Header, expfmt.DefaultAcceptedFormats()...)))
	w.WriteHeader(http.StatusOK)
}

// bounded guards a scrape path:
//   - methods other than GET and HEAD are answered 405 (a POST, PUT or
//     TRACE used to run a full scrape), HEAD by head, without a scrape
//     (nil head: HEAD is served like GET);
//   - opts.MaxRequestsInFlight bounds the scrapes running at once: one over
//     the limit is answered 503 at once;
//   - opts.Timeout bounds the scrape like the announced scrape timeout does
//     (the shorter wins), so a slow page gives donation_up 0 rather than no
//     answer.
//
// The three refusals are counted and logged by cfg.Rejections. The answer is
// built in memory and written once the scrape's slot is given back, so a
// client that does not read its answer holds a connection (until the
// server's WriteTimeout) but no scrape slot. promhttp would apply the limit
// and timeout to gathering alone, and its handler is built anew per
// request: serve gets opts without the two.
func (c *Scraper) bounded(opts promhttp.HandlerOpts, head http.HandlerFunc, serve func(context.Context, http.ResponseWriter, *http.Request, promhttp.HandlerOpts)) http.Handler {
	limit, maxDuration := opts.MaxRequestsInFlight, opts.Timeout
	opts.MaxRequestsInFlight, opts.Timeout = 0, 0
	var inFlight chan struct{}
	if limit > 0 {
		inFlight = make(chan struct{}, limit)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodHead:
			if head != nil {
				head(w, r)
				return
			}
		default:
			c.cfg.Rejections.Request(r, endpoint.ReasonMethod)
			w.Header().Set("Allow", allowedMethods)
			http.Error(w, fmt.Sprintf("Method %s not allowed: only %s.", r.Method, allowedMethods), http.StatusMethodNotAllowed)
			return
		}
		answer := c.takeAnswer()
		defer c.giveBack(answer)
		if !c.scrapeInSlot(inFlight, maxDuration, answer, r, opts, serve) {
			c.cfg.Rejections.Request(r, endpoint.ReasonInFlightLimit, "limit", limit)
			http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", limit),
				http.StatusServiceUnavailable)
			return
		}
		answer.sendTo(w)
	})
}

// scrapeInSlot runs serve into answer in a slot of inFlight, and reports
// false when no slot was free.
func (c *Scraper) scrapeInSlot(inFlight chan struct{}, maxDuration time.Duration, answer *bufferedResponse, r *http.Request,
	opts promhttp.HandlerOpts, serve func(context.Context, http.ResponseWriter, *http.Request, promhttp.HandlerOpts)) bool {
	if inFlight != nil {
		select {
		case inFlight <- struct{}{}:
			defer func() { <-inFlight }()
		default:
			return false
		}
	}
	ctx := r.Context()
	timeout, ok := scrapeTimeout(r, c.cfg.ScrapeTimeoutOffset, maxDuration)
	if maxDuration > 0 && (!ok || maxDuration < timeout) {
		timeout, ok = maxDuration, true
	}
	if ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	serve(ctx, answer, r, opts)
	return true
}

// scrapeTimeout reads the X-Prometheus-Scrape-Timeout-Seconds header and
// takes offset off it, so the answer arrives before Prometheus gives up.
// Any client can send the header: a value that is not a finite positive
// number (NaN, Inf, -3, soon) is ignored, and the value is held within
// [minScrapeTimeout, ceiling] (ceiling 0: maxScrapeTimeout) before the
// offset is taken off, so that neither 1e300 (which overflowed a
// time.Duration into the past) nor 0.001 fails every campaign.
func scrapeTimeout(r *http.Request, offset, ceiling time.Duration) (time.Duration, bool) {
	header := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if header == "" {
		return 0, false
	}
	seconds, err := strconv.ParseFloat(header, 64)
	if err != nil || math.IsNaN(seconds) || math.IsInf(seconds, 0) || seconds <= 0 {
		return 0, false
	}
	if ceiling <= 0 {
		ceiling = maxScrapeTimeout
	}
	// Held in range as floats: 1e300 s would overflow a Duration.
	seconds = min(max(seconds, minScrapeTimeout.Seconds()), ceiling.Seconds())
	timeout := time.Duration(seconds * float64(time.Second))
	if timeout > offset {
		timeout -= offset
	}
	return timeout, true
}

// bufferedResponse holds an answer in memory until it is sent.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
	// shared, when not nil, is the answer to send instead: one shared
	// by the requests of a scrape (Handler).
	shared *bufferedResponse
}

func (b *bufferedResponse) Header() http.Header { return b.header }

// maxKeptAnswer bounds the buffer an answer gives back for the next one:
// a probe's answer is a few KiB, and one large answer is not kept for ever.
const maxKeptAnswer = 256 << 10

// takeAnswer returns an empty answer, its buffer and header reused from
// an earlier request: growing a new buffer to each answer's size was a
// fifth of a probe's allocations.
func (c *Scraper) takeAnswer() *bufferedResponse {
	if b, ok := c.answers.Get().(*bufferedResponse); ok {
		return b
	}
	return &bufferedResponse{header: http.Header{}}
}

// giveBack keeps an answer that has been sent for the next request.
func (c *Scraper) giveBack(b *bufferedResponse) {
	if b.body.Cap() > maxKeptAnswer {
		return
	}
	clear(b.header)
	b.code, b.shared = 0, nil
	b.body.Reset()
	c.answers.Put(b)
}

func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// sendTo writes the answer's header, status and body into w. It changes
// nothing of b: an answer shared by the requests of one scrape is sent to
// each of them.
func (b *bufferedResponse) sendTo(w http.ResponseWriter) {
	if b.shared != nil {
		b.shared.sendTo(w)
		return
	}
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.body.Len()))
	code := b.code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	_, _ = w.Write(b.body.Bytes()) // a client gone or too slow (WriteTimeout): nothing to do
}
