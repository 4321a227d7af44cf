package fetch

import (
	"cmp"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"
)

// FetcherConfig configures the HTTP client all campaigns share.
type FetcherConfig struct {
	UserAgent string
	// MaxBodyBytes caps how much of a response is read, counted after
	// decompression; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxRedirects is how many redirects one fetch follows: 0 means
	// DefaultMaxRedirects, a negative number none.
	MaxRedirects int
	// Transport is the client's transport; nil means a clone of
	// http.DefaultTransport that keeps as many idle connections per host
	// as in all (100) and refuses to dial the addresses refuseAddress
	// names. A Transport given here keeps its own dialer. Campaigns that
	// skip TLS verification get clones of it with verification off for
	// their own host, so it must be an *http.Transport for them.
	Transport http.RoundTripper
	// MaxParses bounds how many pages are parsed at the same time:
	// parsing is CPU work, and a page's parse tree is several times its
	// size. 0 means GOMAXPROCS.
	MaxParses int
	// MaxPagesInMemory bounds how many pages larger than SmallPageBytes
	// are held at the same time: such a page takes a slot once its first
	// SmallPageBytes have arrived (so a site slow to answer, or that
	// stalls or trickles before that, holds none) and keeps it while the
	// rest is read, at MinBodyRate at least, and parsed. Fetches beyond it
	// wait with the rest of the body unread on the connection. 0 means
	// twice MaxParses: while a page is parsed, the next one is read.
	MaxPagesInMemory int
	// SmallPageBytes is how much of a body is read without a page slot:
	// a page this size or smaller is read and parsed holding none, so no
	// number of stalled sites can keep it waiting. 0 means
	// DefaultSmallPageBytes.
	SmallPageBytes int64
	// MinBodyRate is the least average rate, in bytes per second, at which
	// a body must keep arriving while it holds a page slot, counted from
	// BodyRateGrace after the slot was taken; a slower body fails with
	// ErrSlowBody and gives its slot back. 0 means DefaultMinBodyRate.
	MinBodyRate int64
	// BodyRateGrace is how long a body holding a page slot may send
	// nothing before MinBodyRate applies; 0 means DefaultBodyRateGrace.
	BodyRateGrace time.Duration
	// MaxFetchesPerHost bounds the requests to one host (host:port) in
	// flight at the same time, across every campaign: more wait, within
	// their own deadline, for one to end. 0 means
	// DefaultMaxFetchesPerHost, a negative number no bound.
	MaxFetchesPerHost int
}

// DefaultMaxBodyBytes is enough for the largest donation page seen (a
// Next.js page of about 110 KiB) many times over.
const DefaultMaxBodyBytes = 5 << 20

// DefaultMaxRedirects is how many redirects a fetch follows unless
// configured otherwise: enough for http→https→www→locale, not a loop.
const DefaultMaxRedirects = 5

// DefaultSmallPageBytes holds every donation page seen (the largest, a
// Next.js page, is about 110 KiB) twice over, while a thousand campaigns
// stalled at it hold 256 MiB at most.
const DefaultSmallPageBytes = 256 << 10

// DefaultMinBodyRate is 2 Mbit/s: a page at the default size cap reads in
// 20 s at that rate, one of 1 MiB in 4 s.
const DefaultMinBodyRate = 256 << 10

// DefaultBodyRateGrace lets a body holding a slot pause for a second.
const DefaultBodyRateGrace = time.Second

// Fetcher gets pages over HTTP. It holds one client for all campaigns, and
// for each host of a campaign that opts out of TLS certificate
// verification, a client built from the same transport settings that
// verifies every host but that one.
type Fetcher struct {
	client        *http.Client
	base          *http.Transport // cloned for the insecure clients; nil when Transport is not an *http.Transport
	checkRedirect func(*http.Request, []*http.Request) error
	userAgent     string
	maxBody       int64
	smallPage     int64
	minRate       int64
	rateGrace     time.Duration
	pages         chan struct{} // a slot per large page held, see MaxPagesInMemory
	parses        chan struct{} // a slot per page parsed, see MaxParses
	hosts         *hostBudget   // nil: no bound per host

	mu       sync.Mutex
	insecure map[string]*http.Client // by host name
	holders  map[string]int          // hosts holding page slots, and how many
}

// NewFetcher returns a Fetcher for cfg.
func NewFetcher(cfg FetcherConfig) *Fetcher {
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Keep a connection per campaign between scrapes (up to
		// MaxIdleConns, 100), also for campaigns on one platform's host:
		// with the default of 2 per host, every scrape would open, and
		// TLS-handshake, all the others again.
		t.MaxIdleConnsPerHost = t.MaxIdleConns
		// Checked on the address dialed, after name resolution, so a
		// host name that resolves to a metadata address is refused too,
		// and so is every redirect target.
		dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: refuseAddress}
		t.DialContext = dialer.DialContext
		transport = t
	}
	maxBody := cfg.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	maxRedirects := cfg.MaxRedirects
	if maxRedirects == 0 {
		maxRedirects = DefaultMaxRedirects
	}
	parses := cfg.MaxParses
	if parses <= 0 {
		parses = runtime.GOMAXPROCS(0)
	}
	pages := cfg.MaxPagesInMemory
	if pages <= 0 {
		pages = 2 * parses
	}
	f := &Fetcher{
		checkRedirect: redirectPolicy(maxRedirects),
		userAgent:     cfg.UserAgent,
		maxBody:       maxBody,
		smallPage:     cmp.Or(max(cfg.SmallPageBytes, 0), DefaultSmallPageBytes),
		minRate:       cmp.Or(max(cfg.MinBodyRate, 0), DefaultMinBodyRate),
		rateGrace:     cmp.Or(max(cfg.BodyRateGrace, 0), DefaultBodyRateGrace),
		pages:         make(chan struct{}, pages),
		parses:        make(chan struct{}, parses),
		insecure:      map[string]*http.Client{},
		holders:       map[string]int{},
	}
	if t, ok := transport.(*http.Transport); ok {
		f.base = t
	}
	perHost := cfg.MaxFetchesPerHost
	if perHost == 0 {
		perHost = DefaultMaxFetchesPerHost
	}
	if perHost > 0 {
		f.hosts = newHostBudget(perHost)
	}
	f.client = &http.Client{Transport: f.budgeted(transport), CheckRedirect: f.checkRedirect}
	return f
}
