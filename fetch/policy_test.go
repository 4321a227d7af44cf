package fetch

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// The redirect, address, TLS and encoding rules: see docs/fetching.md.

func TestRefusedAddresses(t *testing.T) {
	tests := []struct {
		addr    string
		refused bool
	}{
		{"169.254.169.254", true}, // AWS, GCP, Azure metadata
		{"169.254.0.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"::ffff:169.254.169.254", true},
		{"fd00:ec2::254", true},   // AWS metadata over IPv6
		{"100.100.100.200", true}, // Alibaba Cloud metadata
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"127.0.0.1", false}, // the demo, tests, a page on this host
		{"::1", false},
		{"10.1.2.3", false}, // intranet pages
		{"192.168.1.10", false},
		{"fd12:3456::1", false},
		{"100.64.0.1", false},
		{"93.184.215.14", false},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			why := refusedBecause(netip.MustParseAddr(tc.addr))
			if (why != "") != tc.refused {
				t.Errorf("refusedBecause(%s) = %q, want refused %v", tc.addr, why, tc.refused)
			}
		})
	}
}

// TestRedirectPolicy follows redirects from a loopback site to addresses
// and schemes the policy refuses, and to those it allows. No packet leaves
// the host: refused addresses are refused before the dial.
func TestRedirectPolicy(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		fmt.Fprint(w, "arrived")
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(plain.Config.Handler)
	defer secure.Close()
	f := NewFetcher(FetcherConfig{})

	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  error  // nil: the page is read
		wantText string // in the error
	}{
		{name: "metadata address configured", url: "http://169.254.169.254/latest/meta-data/",
			wantErr: ErrAddressRefused, wantText: "169.254.169.254 is link-local"},
		{name: "redirect to the metadata service", url: plain.URL + "/?to=http://169.254.169.254/latest/meta-data/",
			wantErr: ErrAddressRefused},
		{name: "redirect to IPv6 link-local", url: plain.URL + "/?to=http://[fe80::1]/", wantErr: ErrAddressRefused},
		{name: "redirect to the unspecified address", url: plain.URL + "/?to=http://0.0.0.0" + strings.TrimPrefix(plain.URL, "http://127.0.0.1") + "/",
			wantErr: ErrAddressRefused, wantText: "unspecified"},
		{name: "redirect to multicast", url: plain.URL + "/?to=http://224.0.0.1/", wantErr: ErrAddressRefused},
		{name: "redirect to loopback is followed", url: plain.URL + "/?to=" + plain.URL + "/"},
		{name: "https to http refused", url: secure.URL + "/?to=" + plain.URL + "/", insecure: true,
			wantErr: ErrRedirectRefused, wantText: "from https to http"},
		{name: "http to https followed", url: plain.URL + "/?to=" + secure.URL + "/", insecure: true},
		// INSECURE_SKIP_VERIFY covers the campaign's own host (any port),
		// not another host a redirect leads to.
		{name: "insecure: same host followed", url: secure.URL + "/?to=" + secure.URL + "/", insecure: true},
		{name: "insecure: another host verified", url: secure.URL + "/?to=" + strings.Replace(secure.URL, "127.0.0.1", "localhost", 1) + "/",
			insecure: true, wantText: "localhost is verified (INSECURE_SKIP_VERIFY covers 127.0.0.1 alone)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := f.Do(t.Context(), Request{URL: tc.url, InsecureSkipVerify: tc.insecure})
			if tc.wantErr == nil && tc.wantText == "" {
				if err != nil || string(resp.Body) != "arrived" {
					t.Fatalf("got %q, %v", resp.Body, err)
				}
				return
			}
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("err = %v, want %v with %q", err, tc.wantErr, tc.wantText)
			}
		})
	}
}

// TestContentEncodings: the transport asks for gzip and decodes it; a site
// that sends deflate unasked is decoded too, and one that sends br or zstd
// fails with a clear error rather than "matched nothing".
func TestContentEncodings(t *testing.T) {
	const page = `<p id="raised">$1,234</p>`
	var zlibbed, deflated bytes.Buffer
	zw := zlib.NewWriter(&zlibbed)
	_, _ = zw.Write([]byte(page))
	_ = zw.Close()
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	_, _ = fw.Write([]byte(page))
	_ = fw.Close()
	bomb := func() []byte {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		_, _ = zw.Write(make([]byte, 8<<20))
		_ = zw.Close()
		return b.Bytes()
	}()
	bodies := map[string][]byte{"deflate": zlibbed.Bytes(), "raw-deflate": deflated.Bytes(), "bomb": bomb, "br": []byte("\x8b\x0c\x80" + page), "zstd": []byte("(\xb5/\xfd")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		encoding := name
		if name == "raw-deflate" || name == "bomb" {
			encoding = "deflate"
		}
		w.Header().Set("Content-Encoding", encoding)
		_, _ = w.Write(bodies[name])
	}))
	defer srv.Close()
	f := NewFetcher(FetcherConfig{MaxBodyBytes: 1 << 20})
	tests := []struct {
		name    string
		wantErr error
	}{
		{name: "deflate"},
		{name: "raw-deflate"},
		{name: "bomb", wantErr: ErrBodyTooLarge},
		{name: "br", wantErr: ErrUnsupportedEncoding},
		{name: "zstd", wantErr: ErrUnsupportedEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := f.Do(t.Context(), Request{URL: srv.URL + "/" + tc.name})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(resp.Body) != page {
				t.Fatalf("got %q, %v", resp.Body, err)
			}
		})
	}
}
