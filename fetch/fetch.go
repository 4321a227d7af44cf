// Package fetch gets donation pages over HTTP, and only that: one client
// for every campaign, bounded bodies (after decompression), redirects and
// addresses it refuses, conditional requests, and slots that bound the
// pages held and parsed at once. What a page says is package read's job.
package fetch

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	if t, ok := transport.(*http.Transport); ok {
		f.base = t
	}
	return f
}

// redirectPolicy follows at most maxRedirects redirects (none when it is
// negative), and none from https to http: a page asked for over TLS is not
// read in the clear, where anyone on the path could change its figures.
func redirectPolicy(maxRedirects int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if maxRedirects < 0 {
			return http.ErrUseLastResponse // the 3xx is then a StatusError
		}
		if len(via) > maxRedirects {
			return fmt.Errorf("stopped after %d redirects", len(via)-1)
		}
		if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: from https to %s", ErrRedirectRefused, shorten(req.URL.String(), maxURLText))
		}
		return nil
	}
}

// ErrRedirectRefused is returned for a redirect from an https page to one
// over plain http.
var ErrRedirectRefused = errors.New("redirect refused")

// ErrAddressRefused is returned for a fetch that would connect to an
// address no donation page lives at: link-local (169.254.0.0/16, fe80::/10,
// where cloud metadata services answer), unspecified (0.0.0.0 and ::, which
// reach the local host), multicast, broadcast, or a cloud metadata address
// outside those ranges.
var ErrAddressRefused = errors.New("address refused")

// metadataAddresses are cloud metadata services outside the link-local
// ranges: AWS's IPv6 one, and Alibaba Cloud's.
var metadataAddresses = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// refuseAddress is the dialer's Control: it refuses the addresses
// ErrAddressRefused names before a packet is sent. Loopback and private
// addresses stay allowed: the demo, tests and pages on an intranet live
// there (see docs/fetching.md).
func refuseAddress(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not host:port", ErrAddressRefused, shorten(address, maxURLText))
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrAddressRefused, shorten(host, maxURLText))
	}
	if why := refusedBecause(ip); why != "" {
		return fmt.Errorf("%w: %s is %s", ErrAddressRefused, ip, why)
	}
	return nil
}

// refusedBecause says why ip is refused, or "" when it is allowed.
func refusedBecause(ip netip.Addr) string {
	ip = ip.WithZone("").Unmap()
	switch {
	case ip.IsLinkLocalUnicast():
		return "link-local (where cloud metadata services answer)"
	case ip.IsUnspecified():
		return "unspecified (it reaches this host)"
	case ip.IsMulticast():
		return "multicast"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	case slices.Contains(metadataAddresses, ip):
		return "a cloud metadata service"
	}
	return ""
}

// insecureClient returns the client for a campaign on host that skips TLS
// verification: it skips it for host alone, and verifies any other host a
// redirect leads to, as the shared client would. Its transport dials TLS
// itself, so that it knows the host each connection is for (an IP address
// sends no server name to read back), and speaks HTTP/1.1.
func (f *Fetcher) insecureClient(host string) (*http.Client, error) {
	if f.base == nil {
		return nil, errors.New("skipping TLS verification needs an *http.Transport")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.insecure[host]; ok {
		return c, nil
	}
	t := f.base.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	base := t.TLSClientConfig
	if base == nil {
		base = &tls.Config{}
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		name, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		cfg := base.Clone()
		cfg.ServerName = name
		cfg.InsecureSkipVerify = strings.EqualFold(name, host)
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn := tls.Client(raw, cfg)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			if !cfg.InsecureSkipVerify {
				return nil, fmt.Errorf("%s is verified (INSECURE_SKIP_VERIFY covers %s alone): %w", name, host, err)
			}
			return nil, err
		}
		return conn, nil
	}
	c := &http.Client{Transport: t, CheckRedirect: f.checkRedirect}
	f.insecure[host] = c
	return c, nil
}

// Request is one fetch.
type Request struct {
	URL string
	// InsecureSkipVerify accepts any TLS certificate.
	InsecureSkipVerify bool
	// ETag and LastModified, from an earlier response, make the request
	// conditional: an unchanged page answers 304 Not Modified.
	ETag, LastModified string
}

// Page is the body of a 2xx answer and how the server described it.
type Page struct {
	Body        []byte
	ContentType string
	// URL is where the page was found: the request's URL, or the one its
	// redirects ended at (a short link's target), which may name the
	// campaign better than the URL configured.
	URL string
	// Header is the answer's header: a list's length (DonorDrive's
	// Num-Records) is told there.
	Header http.Header
}

// Answer is what a fetch tells besides the page.
type Answer struct {
	// ETag and LastModified are the page's validators, for the next
	// conditional request.
	ETag, LastModified string
	// NotModified is true for a 304 answer to a conditional request: there
	// was no page to read.
	NotModified bool
}

// StatusError is an HTTP status other than 2xx and 304.
type StatusError struct {
	Code int
	// Status is the status line's code and reason phrase, cut to
	// maxStatusText: the phrase is the site's to choose.
	Status string
	// RetryAfter is how long the server asked us to wait (Retry-After,
	// in seconds or as a date); 0 when it did not say.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("HTTP status %s (Retry-After %v)", e.Status, e.RetryAfter)
	}
	return "HTTP status " + e.Status
}

// ErrBodyTooLarge is returned for a body over the size cap.
var ErrBodyTooLarge = errors.New("body too large")

// ErrSlowBody is returned for a body that arrived below MinBodyRate while
// it held a page slot.
var ErrSlowBody = errors.New("body arriving too slowly")

// ErrUnsupportedEncoding is returned for a body in a Content-Encoding the
// fetcher cannot decode (br, zstd, ...): the exporter asks for gzip only.
var ErrUnsupportedEncoding = errors.New("unsupported Content-Encoding")

// How long the site's own text may be in an error: a status line, a URL
// from a Location header.
const (
	maxStatusText = 100
	maxURLText    = 200
)

// Fetch performs req and hands a 2xx answer's page to read, then returns.
// read runs while the fetcher holds, for that page, one of its MaxParses
// slots and, for a body over SmallPageBytes, one of its MaxPagesInMemory
// slots: so a page is parsed before another takes its place in memory,
// and read must not keep the body. read is not called for a 304 (Answer
// says NotModified) nor for an error: a status other than 2xx is a
// *StatusError, a body over the size cap (after decompression)
// ErrBodyTooLarge. Deadlines, and the waits for slots, come from ctx.
func (f *Fetcher) Fetch(ctx context.Context, r Request, read func(Page)) (Answer, error) {
	client := f.client
	if r.InsecureSkipVerify {
		u, err := url.Parse(r.URL)
		if err != nil {
			return Answer{}, fmt.Errorf("build request: %w", err)
		}
		if client, err = f.insecureClient(u.Hostname()); err != nil {
			return Answer{}, err
		}
	}
	// The request is cancelled with a cause of its own when its body
	// holds a page slot and arrives too slowly; the wait for a parse slot,
	// once the body is read, goes by ctx alone.
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, r.URL, nil)
	if err != nil {
		return Answer{}, fmt.Errorf("build request: %w", err)
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	req.Header.Set("Accept", "text/html,application/json;q=0.9,*/*;q=0.8")
	// No Accept-Encoding here: the transport then asks for gzip itself and
	// decompresses transparently, so the cap below counts decompressed bytes.
	conditional := r.ETag != "" || r.LastModified != ""
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Answer{}, shortenURLError(err)
	}
	defer resp.Body.Close()
	if conditional && resp.StatusCode == http.StatusNotModified {
		return Answer{NotModified: true, ETag: r.ETag, LastModified: r.LastModified}, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return Answer{}, &StatusError{
			Code:       resp.StatusCode,
			Status:     shorten(resp.Status, maxStatusText),
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now()),
		}
	}
	body, release, err := f.readBody(reqCtx, cancel, resp)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	answer := Answer{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	releaseParse, err := acquire(ctx, f.parses)
	if err != nil {
		return Answer{}, fmt.Errorf("wait for a slot to parse the page in: %w", err)
	}
	defer releaseParse()
	final := r.URL
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL.String()
	}
	read(Page{Body: body, ContentType: resp.Header.Get("Content-Type"), URL: final, Header: resp.Header})
	return answer, nil
}

// shortenURLError cuts the URL a *url.Error quotes (a redirect's Location
// is the site's to choose, megabytes long if it likes) and the text of
// the error it wraps, keeping both for errors.Is and errors.As.
func shortenURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return ShortenError(err)
	}
	return &url.Error{Op: ue.Op, URL: shorten(ue.URL, maxURLText), Err: shortenErrorTo(ue.Err, 2*maxURLText)}
}

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

// readBody reads at most maxBody bytes of resp's body, decoded, and returns
// it with what gives back the page slot it holds (a no-op when it holds
// none). The first SmallPageBytes are read without a slot (the first
// firstChunkBytes, when the site announced a longer body): a site that
// stalls or trickles there holds nothing others need, and ends with its own
// deadline. A longer body then waits for a slot, and holds it while the rest
// arrives at MinBodyRate at least (else cancel ends it with ErrSlowBody).
// The body is read into a slice of about its size: in one allocation when
// the server announced the length (two past SmallPageBytes). Many pages may
// be held at once, so a buffer grown to twice a page's size would count.
func (f *Fetcher) readBody(ctx context.Context, cancel context.CancelCauseFunc, resp *http.Response) (body []byte, release func(), err error) {
	decoded, err := decode(resp)
	if err != nil {
		return nil, nil, err
	}
	defer decoded.Close()
	limited := io.LimitReader(decoded, f.maxBody+1)
	size := resp.ContentLength // after decoding, when the transport decoded gzip
	if size <= 0 || size > f.maxBody || !decodedLength(resp) {
		size = -1
	}
	// Phase one, without a slot: a page of unknown length up to
	// SmallPageBytes, or the first chunk of one announced longer (it shows
	// the body flows; reading more of it here would hold, unslotted, what
	// is copied to its full-size buffer anyway).
	unslotted, initial := f.smallPage, int64(512)
	switch {
	case size > f.smallPage:
		unslotted = min(firstChunkBytes, f.smallPage)
		initial = unslotted + 1
	case size >= 0:
		initial = size + 1 // + 1: room to see the end
	}
	buf := make([]byte, 0, min(initial, f.smallPage+1))
	buf, err = readUpTo(buf, limited, unslotted)
	if err != nil {
		return nil, nil, f.bodyError(ctx, len(buf), err)
	}
	if int64(len(buf)) <= unslotted {
		return buf, func() {}, nil
	}

	releasePage, err := f.acquirePage(ctx, resp.Request.URL.Hostname())
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			releasePage()
		}
	}()
	if size >= 0 {
		buf = append(make([]byte, 0, size+1), buf...)
	}
	watch := f.watchRate(cancel)
	defer watch.stop()
	buf, err = readUpTo(buf, io.TeeReader(limited, watch), f.maxBody)
	if err != nil {
		return nil, nil, f.bodyError(ctx, len(buf), err)
	}
	if int64(len(buf)) > f.maxBody {
		return nil, nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, f.maxBody)
	}
	if size < 0 && cap(buf) > len(buf)+len(buf)/4 {
		buf = bytes.Clone(buf)
	}
	return buf, releasePage, nil
}

// readUpTo appends what r gives to buf until r ends (io.EOF is no error)
// or buf holds more than limit bytes. It grows buf by doubling, to limit+1
// at most: a body stalled near the limit holds no more than that.
func readUpTo(buf []byte, r io.Reader, limit int64) ([]byte, error) {
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(max(2*cap(buf), 512), int(limit)+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// firstChunkBytes is how much of a body announced over SmallPageBytes
// (by Content-Length) is read before it waits for a page slot.
const firstChunkBytes = 32 << 10

// bodyError tells why reading a body stopped after n bytes: too slowly
// (ErrSlowBody), at the deadline, or for err.
func (f *Fetcher) bodyError(ctx context.Context, n int, err error) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, ErrSlowBody):
		return cause
	case cause != nil:
		return fmt.Errorf("read body: stopped after %d bytes: %w", n, cause)
	}
	return fmt.Errorf("read body (after %d bytes): %w", n, ShortenError(err))
}

// decodedLength reports whether resp.ContentLength counts decoded bytes.
func decodedLength(resp *http.Response) bool {
	return resp.Uncompressed || resp.Header.Get("Content-Encoding") == ""
}

// decode returns resp's body decoded from its Content-Encoding. The
// transport decodes the gzip it asked for itself (resp.Uncompressed); a
// site may send another encoding unasked, and deflate (zlib, or bare
// deflate as some servers send it) and gzip are decoded here too. br and
// zstd would need a decoder the exporter does not carry for sites that
// ignore what it asked for: they fail with ErrUnsupportedEncoding rather
// than be read as text that matches nothing.
func decode(resp *http.Response) (io.ReadCloser, error) {
	if resp.Uncompressed {
		return resp.Body, nil
	}
	encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch encoding {
	case "", "identity":
		return resp.Body, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		return zr, nil
	case "deflate":
		br := bufio.NewReader(resp.Body)
		if head, err := br.Peek(2); err == nil && isZlibHeader(head) {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("read deflate body: %w", err)
			}
			return zr, nil
		}
		return flate.NewReader(br), nil
	}
	return nil, fmt.Errorf("%w %q: the exporter asks for gzip and decodes gzip and deflate", ErrUnsupportedEncoding, shorten(encoding, maxStatusText))
}

// isZlibHeader reports whether head starts a zlib stream (RFC 1950): the
// deflate method, and a check value the two bytes make a multiple of 31.
func isZlibHeader(head []byte) bool {
	return head[0]&0x0f == 8 && (uint16(head[0])<<8|uint16(head[1]))%31 == 0
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

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. It
// returns 0 when the header is absent, malformed or in the past.
func retryAfter(header string, now time.Time) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(header, 10, 64); err == nil {
		switch {
		case secs <= 0:
			return 0
		case secs > int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(header); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

// MaxRetryAfter caps how long a Retry-After keeps us from fetching a page
// (and serving its last figures): a site cannot freeze them for days.
const MaxRetryAfter = time.Hour

// DefaultTimeout bounds one campaign's fetch when the configuration sets no
// TIMEOUT and Prometheus sends no scrape timeout.
const DefaultTimeout = 10 * time.Second
