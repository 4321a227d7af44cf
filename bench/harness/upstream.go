package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/bench/pagegen"
)

// upstream is the local donation site.
type upstream struct {
	Addr   string
	server *http.Server
}

func (u *upstream) Close() { _ = u.server.Close() }

// serveLoopback serves handler on a free port of 127.0.0.1.
func serveLoopback(handler http.Handler) (*upstream, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("upstream: %w", err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(listener) }()
	return &upstream{Addr: listener.Addr().String(), server: server}, nil
}

// serveUpstream serves campaign i's page at /c/<i> on 127.0.0.1, after
// o.delay, and a stalled site at /s/<i>, and counts the requests.
func serveUpstream(o options) (*upstream, *atomic.Int64, error) {
	figures := pagegen.Figures{Raised: 123456, Target: 250000, Donors: 1234}
	body, contentType := pagegen.HTML(o.pageBytes, figures), "text/html; charset=utf-8"
	if o.kind == "json" {
		body, contentType = pagegen.JSON(o.pageBytes, figures), "application/json"
	}
	var requests atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", contentType)
		if strings.HasPrefix(r.URL.Path, "/s/") {
			// A stalled site: headers and the start of a page, then
			// nothing until the exporter gives up.
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(bytes.Repeat([]byte("<p>padding</p>\n"), o.stalledBytes/15))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		if !o.chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		if o.headerFirst {
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
		}
		if sleep(r.Context(), o.delay) != nil {
			return
		}
		_, _ = w.Write(body)
	})
	site, err := serveLoopback(handler)
	if err != nil {
		return nil, nil, err
	}
	return site, &requests, nil
}

// freeLoopbackAddr returns an address on 127.0.0.1 that was free a moment
// ago, for a process that takes its listen address as a flag.
func freeLoopbackAddr() (string, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := listener.Addr().String()
	listener.Close()
	return addr, nil
}
