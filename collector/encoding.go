package collector

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// negotiateFormat picks the exposition format for r as promhttp does.
func negotiateFormat(r *http.Request, opts promhttp.HandlerOpts) expfmt.Format {
	accepted := opts.AcceptedFormats
	if len(accepted) == 0 {
		accepted = expfmt.DefaultAcceptedFormats()
		if opts.EnableOpenMetrics {
			accepted = expfmt.DefaultOpenMetricsAcceptedFormats()
		}
	}
	return expfmt.NegotiateAccept(r.Header, accepted...)
}

// encoding is how the answer in a negotiated format is encoded: the
// donation_* families with no name escaping, since their names are legal
// under every scheme (metric names are the exporter's, label names are
// checked against the legacy rule when configured: see
// TestFamiliesNeedNoEscaping), and so need no escaped copy of each family
// per answer; the base gatherer's families are escaped by scheme first.
// The bytes are those of escaping everything (testdata/exposition).
type encoding struct {
	unescaped expfmt.Format
	scheme    model.EscapingScheme
	kind      expfmt.FormatType
}

// encodingOf returns format's encoding, worked out once per format (a
// handful: formats and escaping schemes are): expfmt splits a format's
// text anew for each of these, a tenth of a probe's allocations.
func (x exposer) encodingOf(format expfmt.Format) encoding {
	if e, ok := x.encodings.Load(format); ok {
		return e.(encoding)
	}
	e := encoding{unescaped: format.WithEscapingScheme(model.NoEscaping), scheme: format.ToEscapingScheme(), kind: format.FormatType()}
	x.encodings.Store(format, e)
	return e
}

// negotiations caches negotiateFormat by Accept header, for the default
// formats of opts: a scraper sends the same header each time. It holds
// at most maxNegotiations headers, so that clients sending ever new ones
// cost only the negotiation itself.
type negotiations struct {
	formats sync.Map // "openmetrics|" or "text|" + Accept: expfmt.Format
	n       atomic.Int32
}

const maxNegotiations = 64

func (c *negotiations) format(r *http.Request, opts promhttp.HandlerOpts) expfmt.Format {
	if len(opts.AcceptedFormats) > 0 {
		return negotiateFormat(r, opts)
	}
	key := "text|" + r.Header.Get("Accept")
	if opts.EnableOpenMetrics {
		key = "openmetrics|" + r.Header.Get("Accept")
	}
	if f, ok := c.formats.Load(key); ok {
		return f.(expfmt.Format)
	}
	f := negotiateFormat(r, opts)
	// Load first: once full, the count stays put (an Add on every miss
	// would wrap around after 2^31 new headers and cache again).
	if c.n.Load() < maxNegotiations && c.n.Add(1) <= maxNegotiations {
		c.formats.Store(key, f)
	}
	return f
}

// acceptsGzip reports whether r's Accept-Encoding prefers gzip to the
// identity, with promhttp's rule: the offers are identity then gzip, and
// one wins only with a strictly higher quality than those before it, so
// "gzip" alone, or with a higher q than identity or *, picks gzip.
func acceptsGzip(r *http.Request) bool {
	bestQ, best := -1.0, "identity"
	specs := parseAcceptEncoding(r.Header.Values("Accept-Encoding"))
	for _, offer := range []string{"identity", "gzip"} {
		for _, s := range specs {
			if s.q > bestQ && (s.value == "*" || s.value == offer) {
				bestQ, best = s.q, offer
			}
		}
	}
	return best == "gzip" && bestQ > 0
}

type encodingSpec struct {
	value string
	q     float64
}

// parseAcceptEncoding reads Accept-Encoding values: codings with an
// optional q parameter; a q that does not parse makes the coding q 0.
func parseAcceptEncoding(headers []string) []encodingSpec {
	var specs []encodingSpec
	for _, h := range headers {
		for part := range strings.SplitSeq(h, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding == "" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
					v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
					if err != nil {
						v = 0
					}
					q = v
				}
			}
			specs = append(specs, encodingSpec{value: coding, q: q})
		}
	}
	return specs
}

// minGzipBytes is the least answer compressed: a smaller one leaves in
// the first window TCP sends on a new connection (10 segments, RFC 6928)
// either way, and gzip's fixed cost (building its Huffman tables) was a
// fifth of the CPU of a probe, whose answer is 6 KiB.
const minGzipBytes = 14 << 10

// lazyGzip holds what is written until it reaches minGzipBytes: then it
// sets Content-Encoding on w and compresses from there on; an answer that
// ends before is written as it is. w's headers must not have been sent
// (bounded holds the answer until it is complete).
type lazyGzip struct {
	w    http.ResponseWriter
	pool *sync.Pool
	held []byte
	gz   *gzip.Writer
}

func (l *lazyGzip) Write(p []byte) (int, error) {
	if l.gz != nil {
		return l.gz.Write(p)
	}
	if len(l.held)+len(p) < minGzipBytes {
		l.held = append(l.held, p...)
		return len(p), nil
	}
	l.w.Header().Set("Content-Encoding", "gzip")
	l.gz, _ = l.pool.Get().(*gzip.Writer)
	if l.gz == nil {
		l.gz, _ = gzip.NewWriterLevel(l.w, gzip.BestSpeed)
	} else {
		l.gz.Reset(l.w)
	}
	if _, err := l.gz.Write(l.held); err != nil {
		return 0, err
	}
	l.held = nil
	return l.gz.Write(p)
}

// Close ends the answer: the gzip stream, or the held bytes.
func (l *lazyGzip) Close() error {
	if l.gz == nil {
		_, err := l.w.Write(l.held)
		return err
	}
	err := l.gz.Close()
	l.pool.Put(l.gz)
	return err
}
