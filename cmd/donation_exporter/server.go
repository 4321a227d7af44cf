package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/endpoint"
	"github.com/donation-exporter/donation_exporter/source"
)

// Server timeouts that do not depend on the configuration.
const (
	// readHeaderTimeout bounds the wait for a request's headers.
	readHeaderTimeout = 10 * time.Second
	// writeMargin is added to the longest scrape for writing its answer.
	writeMargin = 10 * time.Second
	// idleTimeout closes a kept-alive connection with no request: longer
	// than the usual scrape intervals (up to 1m) so Prometheus reuses it.
	idleTimeout = 2 * time.Minute
	// shutdownWriteGrace is how long answers already built may take to
	// leave at shutdown before their connections are closed: a client that
	// does not read them does not hold the exit.
	shutdownWriteGrace = 2 * time.Second
)

// timeouts are the HTTP server's.
type timeouts struct {
	// scrape bounds one scrape: DONATION_METRICS_TIMEOUT, or without it the
	// longest campaign TIMEOUT.
	scrape     time.Duration
	readHeader time.Duration
	// read bounds reading a whole request, a body included (scrapes send
	// none: one trickling a body is cut off).
	read time.Duration
	// write bounds a request from its headers to the end of its answer,
	// the scrape included: a client that does not read its answer is cut
	// off then.
	write time.Duration
	idle  time.Duration
	// shutdownWriteGrace: see the constant.
	shutdownWriteGrace time.Duration
}

func serverTimeouts(cfg config.Env, campaigns []source.Campaign) timeouts {
	scrape := cfg.MetricsTimeout
	if scrape <= 0 {
		scrape = source.DefaultTimeout
		for _, c := range campaigns {
			scrape = max(scrape, c.Timeout)
		}
	}
	return timeouts{
		scrape:             scrape,
		readHeader:         readHeaderTimeout,
		read:               readHeaderTimeout + writeMargin,
		write:              scrape + writeMargin,
		idle:               idleTimeout,
		shutdownWriteGrace: shutdownWriteGrace,
	}
}

// newServer is the HTTP server of handler with t's timeouts. answering
// counts the requests whose answer is not being written yet.
func newServer(handler http.Handler, t timeouts, logger *slog.Logger) (*http.Server, *answering) {
	a := &answering{}
	return &http.Server{
		Handler:           a.track(handler),
		ReadHeaderTimeout: t.readHeader,
		ReadTimeout:       t.read,
		WriteTimeout:      t.write,
		IdleTimeout:       t.idle,
		// TLS handshake errors of scanners and the like: not worth a
		// line each at the default level.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}, a
}

// guard puts the web config's rate limit, headers and basic auth in front
// of mux. The health check answers without credentials: it says
// "Healthy" and nothing else, and probes (Kubernetes') have none.
func guard(mux http.Handler, web *endpoint.WebConfig, rejections *endpoint.Rejections, logger *slog.Logger) (http.Handler, error) {
	handler := mux
	if users := web.Users(); len(users) > 0 {
		auth, err := endpoint.NewBasicAuth(endpoint.BasicAuthConfig{
			Users:      users,
			Public:     []string{config.HealthPath},
			Rejections: rejections,
			Logger:     logger,
		}, mux)
		if err != nil {
			return nil, err
		}
		handler = auth
	}
	return web.Handler(handler, rejections), nil
}

// listen opens the listen address for server, capped at maxConnections
// (0: no cap).
func listen(ctx context.Context, server *http.Server, address string, maxConnections int, rejections *endpoint.Rejections) (net.Listener, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", address)
	if err != nil {
		return nil, err
	}
	if maxConnections <= 0 {
		return l, nil
	}
	limited := endpoint.LimitListener(l, maxConnections, rejections)
	server.ConnState = limited.ConnState
	return limited, nil
}

// serve runs server on l until ctx ends, then shuts it down: it stops
// accepting connections, lets the scrapes in flight finish (each bounded
// by t.scrape), gives their answers t.shutdownWriteGrace to leave, and
// closes the connections still open, of clients that do not read. That
// is a clean exit (0): the exporter did its part.
func serve(ctx context.Context, server *http.Server, l net.Listener, web *endpoint.WebConfig, a *answering, t timeouts, logger *slog.Logger) int {
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.Serve(l, server, logger) }()
	select {
	case err := <-serveErr:
		logger.Error("server stopped", "err", err)
		return exitFailed
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing scrapes in flight", "hint", "a second SIGTERM or SIGINT stops at once")
	shutdownCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- server.Shutdown(shutdownCtx) }()

	var err error
	select {
	case err = <-shutdown:
	case <-a.none(t.scrape + time.Second):
		select {
		case err = <-shutdown:
		case <-time.After(t.shutdownWriteGrace):
			cancel()
			if err := <-shutdown; !errors.Is(err, context.Canceled) {
				logger.Warn("shutdown", "err", err)
			}
			err = server.Close()
			logger.Warn("shutdown: closed the connections of clients that did not read their answers",
				"grace", t.shutdownWriteGrace)
		}
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("shutdown", "err", err)
		return exitFailed
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "err", err)
		return exitFailed
	}
	return exitOK
}

// answering counts the requests being served whose answer has not started
// to be written: at shutdown, those are waited for; the others only wait
// on their client.
type answering struct{ n atomic.Int64 }

func (a *answering) track(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.n.Add(1)
		tw := &trackedWriter{ResponseWriter: w, done: func() { a.n.Add(-1) }}
		defer tw.answered()
		next.ServeHTTP(tw, r)
	})
}

// none returns a channel closed once no answer is being built, or after
// at most.
func (a *answering) none(atMost time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		deadline := time.Now().Add(atMost)
		for a.n.Load() > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return ch
}

type trackedWriter struct {
	http.ResponseWriter
	started atomic.Bool
	done    func()
}

func (w *trackedWriter) answered() {
	if w.started.CompareAndSwap(false, true) {
		w.done()
	}
}

func (w *trackedWriter) WriteHeader(code int) {
	w.answered()
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackedWriter) Write(p []byte) (int, error) {
	w.answered()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *trackedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// loadWebConfig reads DONATION_WEB_CONFIG_FILE; its errors name it.
func loadWebConfig(path string) (*endpoint.WebConfig, error) {
	web, err := endpoint.LoadWebConfig(path)
	if err != nil {
		return nil, fmt.Errorf("%sWEB_CONFIG_FILE: %w", config.Prefix, err)
	}
	return web, nil
}
