package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// gzipBomb returns a gzip stream that inflates to members MiB of zeros from
// about a thousandth of that: one compressed MiB repeated (gzip allows
// several members in one stream, and Go's reader reads them all).
func gzipBomb(t *testing.T, members int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, err := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), members)
}

func TestFetchBodyCapCountsDecompressedBytes(t *testing.T) {
	bomb := gzipBomb(t, 1024) // 1 GiB inflated
	var acceptedGzip atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptedGzip.Store(strings.Contains(r.Header.Get("Accept-Encoding"), "gzip"))
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		if r.URL.Path == "/small" {
			zw := gzip.NewWriter(w)
			_, _ = zw.Write([]byte("<p id=raised>$1,234</p>"))
			_ = zw.Close()
			return
		}
		_, _ = w.Write(bomb)
	}))
	defer srv.Close()
	const limit = 2 << 20
	f := NewFetcher(FetcherConfig{MaxBodyBytes: limit})

	t.Run("bomb stops at the cap", func(t *testing.T) {
		if len(bomb) >= limit {
			t.Fatalf("bomb of %d compressed bytes is not smaller than the cap", len(bomb))
		}
		_, err := f.Do(context.Background(), Request{URL: srv.URL + "/bomb"})
		if !errors.Is(err, ErrBodyTooLarge) {
			t.Fatalf("err = %v, want ErrBodyTooLarge", err)
		}
		if !acceptedGzip.Load() {
			t.Error("the transport did not ask for gzip")
		}
	})
	t.Run("small gzip page is inflated", func(t *testing.T) {
		resp, err := f.Do(context.Background(), Request{URL: srv.URL + "/small"})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(resp.Body); got != "<p id=raised>$1,234</p>" {
			t.Errorf("body %q", got)
		}
	})
}

func TestFetchRedirects(t *testing.T) {
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		switch n := r.PathValue("n"); n {
		case "0":
			_, _ = w.Write([]byte("arrived"))
		default:
			http.Redirect(w, r, "/hop/"+string(n[0]-1), http.StatusMovedPermanently)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name         string
		maxRedirects int
		path         string
		wantErr      string
		wantHits     int32
	}{
		{name: "loop stops at the default", path: "/loop", wantErr: "stopped after 5 redirects", wantHits: 6},
		{name: "loop stops at the configured number", maxRedirects: 2, path: "/loop", wantErr: "stopped after 2 redirects", wantHits: 3},
		{name: "none followed", maxRedirects: -1, path: "/loop", wantErr: "HTTP status 302 Found", wantHits: 1},
		{name: "chain within the limit", maxRedirects: 3, path: "/hop/3"},
		{name: "chain over the limit", maxRedirects: 2, path: "/hop/3", wantErr: "stopped after 2 redirects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			f := NewFetcher(FetcherConfig{MaxRedirects: tc.maxRedirects})
			resp, err := f.Do(context.Background(), Request{URL: srv.URL + tc.path})
			if tc.wantErr == "" {
				if err != nil || string(resp.Body) != "arrived" {
					t.Fatalf("got %q, %v", resp.Body, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.wantHits != 0 && hits.Load() != tc.wantHits {
				t.Errorf("server hit %d times, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestFetchTLSVerification(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	f := NewFetcher(FetcherConfig{})

	_, err := f.Do(context.Background(), Request{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("self-signed certificate accepted by default: err = %v", err)
	}
	resp, err := f.Do(context.Background(), Request{URL: srv.URL, InsecureSkipVerify: true})
	if err != nil || string(resp.Body) != "ok" {
		t.Errorf("with InsecureSkipVerify: %q, %v", resp.Body, err)
	}
	// The opt-out is per request: the shared client still verifies.
	if _, err := f.Do(context.Background(), Request{URL: srv.URL}); err == nil {
		t.Error("verification off for later requests")
	}
}

func TestFetchHeaders(t *testing.T) {
	const etag, modified = `"v1"`, "Wed, 21 Oct 2026 07:28:00 GMT"
	var gotUA, gotINM, gotIMS, gotAccept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.UserAgent())
		gotAccept.Store(r.Header.Get("Accept"))
		gotINM.Store(r.Header.Get("If-None-Match"))
		gotIMS.Store(r.Header.Get("If-Modified-Since"))
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", modified)
		_, _ = w.Write([]byte("page"))
	}))
	defer srv.Close()
	f := NewFetcher(FetcherConfig{UserAgent: "donation_exporter/test (+https://example.org)"})

	first, err := f.Do(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if gotUA.Load() != "donation_exporter/test (+https://example.org)" {
		t.Errorf("User-Agent %q", gotUA.Load())
	}
	if first.NotModified || first.ETag != etag || first.LastModified != modified || gotINM.Load() != "" {
		t.Errorf("first response %+v, If-None-Match %q", first, gotINM.Load())
	}
	if gotAccept.Load() != AcceptHTML {
		t.Errorf("Accept %q, want a page's %q", gotAccept.Load(), AcceptHTML)
	}
	second, err := f.Do(context.Background(), Request{URL: srv.URL, ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || gotINM.Load() != etag || gotIMS.Load() != modified {
		t.Errorf("conditional request: %+v, If-None-Match %q, If-Modified-Since %q", second, gotINM.Load(), gotIMS.Load())
	}
	if _, err := f.Do(context.Background(), Request{URL: srv.URL, Accept: AcceptJSON}); err != nil {
		t.Fatal(err)
	}
	if gotAccept.Load() != AcceptJSON {
		t.Errorf("Accept %q, want the request's %q", gotAccept.Load(), AcceptJSON)
	}
}

func TestFetchUnaskedNotModified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	// A 304 to an unconditional request has no page to reuse: an error.
	_, err := NewFetcher(FetcherConfig{}).Do(context.Background(), Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusNotModified {
		t.Fatalf("err = %v, want a 304 StatusError", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"absent", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"capped", "86400000", MaxRetryAfter},
		{"http date", "Wed, 01 Jul 2026 12:05:00 GMT", 5 * time.Minute},
		{"date in the past", "Wed, 01 Jul 2026 11:00:00 GMT", 0},
		{"date far ahead", "Fri, 01 Jan 2100 00:00:00 GMT", MaxRetryAfter},
		{"garbage", "soon", 0},
		{"fraction", "1.5", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := retryAfter(tc.header, now); got != tc.want {
				t.Errorf("retryAfter(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

func TestFetchStatusError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, err := NewFetcher(FetcherConfig{}).Do(context.Background(), Request{URL: srv.URL})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusTooManyRequests || se.RetryAfter != 30*time.Second {
		t.Fatalf("err = %#v, want a 429 StatusError with Retry-After 30s", err)
	}
	if want := "HTTP status 429 Too Many Requests (Retry-After 30s)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}
