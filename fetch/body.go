package fetch

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrBodyTooLarge is returned for a body over the size cap.
var ErrBodyTooLarge = errors.New("body too large")

// ErrSlowBody is returned for a body that arrived below MinBodyRate while
// it held a page slot.
var ErrSlowBody = errors.New("body arriving too slowly")

// ErrUnsupportedEncoding is returned for a body in a Content-Encoding the
// fetcher cannot decode (br, zstd, ...): the exporter asks for gzip only.
var ErrUnsupportedEncoding = errors.New("unsupported Content-Encoding")

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
