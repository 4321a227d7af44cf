package collector

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/text/encoding/charmap"

	"github.com/donation-exporter/donation_exporter/fetch"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

// serveSite starts a site for one test and returns its URL.
func serveSite(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// page answers with body as contentType.
func page(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write([]byte(body))
	}
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, http.StatusText(code), code)
	}
}

const goodPage = `<html><body><p id="raised">$1,234.50</p><p id="target">$10,000</p></body></html>`

func hostileCampaign(name, url string, kind read.Kind, timeout time.Duration, fields map[read.Field]string) source.Campaign {
	spec := read.Spec{AmountScale: 1, Location: time.UTC, Fields: map[read.Field]read.FieldSpec{}}
	for f, sel := range fields {
		spec.Fields[f] = read.FieldSpec{Selectors: []read.Selector{read.MustParseSelector(sel)}}
	}
	return source.Campaign{Name: name, URL: url, FetchURL: url, Kind: kind, Spec: spec, Timeout: timeout}
}

const (
	upHelp     = "# HELP donation_up 1 when the campaign's figures are current: its page was read (now, or within its minimum refresh interval or the site's Retry-After) with every configured field; 0 otherwise.\n# TYPE donation_up gauge\n"
	raisedHelp = "# HELP donation_raised Amount the campaign reports raised, in currency units: so far, or per period as donation_campaign_info's raised_basis says.\n# TYPE donation_raised gauge\n"
)

// TestHostileSites is the bad-input catalogue: each site misbehaves in its
// own way beside a good one. The bad campaign must get donation_up 0 (or,
// for the last cases, the value the documented rule gives), the error must
// be one log line that says what went wrong, and the good campaign must
// come through untouched.
func TestHostileSites(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write(make([]byte, 8<<20)) // 8 MiB of zeros in about 8 KiB: over the 5 MiB cap
	_ = zw.Close()
	garbage := make([]byte, 64<<10)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rnd.UintN(256))
	}
	latin1Page, err := charmap.ISO8859_1.NewEncoder().String(`<html><body><p id="raised">1.234,50 £</p></body></html>`)
	if err != nil {
		t.Fatal(err)
	}

	raisedHTML := map[read.Field]string{read.FieldRaised: "#raised"}
	raisedJSON := map[read.Field]string{read.FieldRaised: "raised"}
	tests := []struct {
		name    string
		site    func(t *testing.T) string // returns the bad campaign's URL
		kind    read.Kind
		fields  map[read.Field]string // default raisedHTML
		timeout time.Duration         // default 2s
		// wantErr is in the one error line; empty when the page is read.
		wantErr    string
		wantRaised string // the bad campaign's donation_raised line when read
	}{
		{name: "HTTP 404", site: func(t *testing.T) string { return serveSite(t, status(404)) }, wantErr: "HTTP status 404 Not Found"},
		{name: "HTTP 500", site: func(t *testing.T) string { return serveSite(t, status(500)) }, wantErr: "HTTP status 500 Internal Server Error"},
		{name: "HTTP 503", site: func(t *testing.T) string { return serveSite(t, status(503)) }, wantErr: "HTTP status 503 Service Unavailable"},
		{name: "HTTP 429 with Retry-After", site: func(t *testing.T) string {
			return serveSite(t, status(429, "Retry-After", "120"))
		}, wantErr: "HTTP status 429 Too Many Requests (Retry-After 2m0s): not fetching again before"},
		{name: "connection refused", site: func(t *testing.T) string {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()
			return "http://" + addr + "/"
		}, wantErr: "connection refused"},
		{name: "reset mid-body", site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, _ *http.Request) {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err != nil {
					panic(err)
				}
				_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body><p id=\"raised\">$1,"))
				_ = conn.(*net.TCPConn).SetLinger(0) // close with RST
				_ = conn.Close()
			})
		}, wantErr: "read body"},
		{name: "headers then stall", timeout: 300 * time.Millisecond, site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusOK)
				_ = http.NewResponseController(w).Flush()
				<-r.Context().Done()
			})
		}, wantErr: "no whole answer within the campaign's timeout of 300ms"},
		{name: "trickling bytes", timeout: 300 * time.Millisecond, site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				rc := http.NewResponseController(w)
				for {
					if _, err := w.Write([]byte("<")); err != nil {
						return
					}
					_ = rc.Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			})
		}, wantErr: "no whole answer within the campaign's timeout of 300ms"},
		{name: "50 MiB body", site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				chunk := bytes.Repeat([]byte("<p>padding</p>\n"), 1<<12)
				for sent := 0; sent < 50<<20; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			})
		}, wantErr: "body too large: more than 5242880 bytes"},
		{name: "gzip bomb", site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(bomb.Bytes())
			})
		}, wantErr: "body too large"},
		{name: "redirect loop", site: func(t *testing.T) string {
			return serveSite(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusFound)
			})
		}, wantErr: "stopped after 5 redirects"},
		{name: "invalid TLS certificate", site: func(t *testing.T) string {
			srv := httptest.NewTLSServer(page("text/html", goodPage))
			t.Cleanup(srv.Close)
			return srv.URL
		}, wantErr: "certificate"},
		{name: "empty 200", site: func(t *testing.T) string { return serveSite(t, page("text/html", "")) }, wantErr: "empty response body"},
		{name: "binary garbage", site: func(t *testing.T) string {
			return serveSite(t, page("application/octet-stream", string(garbage)))
		}, wantErr: "matched nothing"},
		{name: "truncated HTML", site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<html><body><div class="progress"><p id="rai`))
		}, wantErr: "matched nothing"},
		{name: "JSON with the wrong type", fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": {"x": 1}}`))
		}, wantErr: `JSON path "raised" is an object or array`},
		{name: "JSON not JSON", kind: read.KindJSON, fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": NaN}`))
		}, wantErr: "not valid JSON"},
		{name: "JSON NaN string", fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": "NaN"}`))
		}, wantErr: "not a finite number"},
		{name: "JSON Infinity string", fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": "-Infinity"}`))
		}, wantErr: "not a finite number"},
		{name: "JSON 1e400", fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": 1e400}`))
		}, wantErr: "not a finite number"},
		{name: "JSON negative", fields: raisedJSON, site: func(t *testing.T) string {
			return serveSite(t, page("application/json", `{"raised": -250}`))
		}, wantErr: "amount -250 is negative"},
		{name: "attribute 1e400", fields: map[read.Field]string{read.FieldRaised: "#raised@data-value"}, site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<p id="raised" data-value="1e400">`))
		}, wantErr: "out of range"},
		{name: "text 1e400", site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<p id="raised">$1e400</p>`))
		}, wantErr: "exponent notation is not an amount"},
		{name: "text NaN", site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<p id="raised">NaN</p>`))
		}, wantErr: "no number in text"},
		{name: "text negative", site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<p id="raised">-5,000 €</p>`))
		}, wantErr: "amount -5000 is negative"},
		{name: "date that does not exist", fields: map[read.Field]string{read.FieldRaised: "raised", read.FieldDeadline: "deadline"},
			site: func(t *testing.T) string {
				return serveSite(t, page("application/json", `{"raised": 5, "deadline": "2026-02-30"}`))
			}, wantErr: `field deadline: not a date: "2026-02-30": parsing time "2026-02-30": day out of range`},
		// Not failures, by rule: several matches give the first in
		// document order; a Latin-1 page is decoded before it is read.
		{name: "selector matching several elements", site: func(t *testing.T) string {
			return serveSite(t, page("text/html", `<p id="raised">$100</p><div><p id="raised">$999</p></div>`))
		}, wantRaised: `donation_raised{campaign="bad",currency="USD"} 100`},
		{name: "Latin-1 page", site: func(t *testing.T) string {
			return serveSite(t, page("text/html; charset=ISO-8859-1", latin1Page))
		}, wantRaised: `donation_raised{campaign="bad",currency="GBP"} 1234.5`},
	}
	good := serveSite(t, page("text/html; charset=utf-8", goodPage))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fields, timeout := tc.fields, tc.timeout
			if fields == nil {
				fields = raisedHTML
			}
			if timeout == 0 {
				timeout = 2 * time.Second
			}
			logs, logger := testsupport.JSONLogger(slog.LevelDebug)
			c := NewScraper(Config{
				Campaigns: []source.Campaign{
					hostileCampaign("good", good, read.KindAuto, 2*time.Second, raisedHTML),
					hostileCampaign("bad", tc.site(t), tc.kind, timeout, fields),
				},
				Fetcher: fetch.NewFetcher(fetch.FetcherConfig{}),
				Logger:  logger,
			})
			exporter := httptest.NewServer(c.Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{}))
			defer exporter.Close()

			up, bad := 0, ""
			if tc.wantErr == "" {
				up, bad = 1, tc.wantRaised+"\n"
			}
			want := fmt.Sprintf("%sdonation_up{campaign=\"bad\"} %d\ndonation_up{campaign=\"good\"} 1\n%s%sdonation_raised{campaign=\"good\",currency=\"USD\"} 1234.5\n",
				upHelp, up, raisedHelp, bad)
			if err := testutil.ScrapeAndCompare(exporter.URL, strings.NewReader(want), "donation_up", "donation_raised"); err != nil {
				t.Error(err)
			}

			errs := logs.Records(t, "level", "ERROR")
			if tc.wantErr == "" {
				if len(errs) != 0 {
					t.Errorf("error lines for a page read by rule: %v", errs)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("%d error lines, want 1: %v", len(errs), errs)
			}
			rec := errs[0]
			t.Logf("logged: %v", rec["err"])
			if rec["campaign"] != "bad" || rec["url"] == "" || !strings.Contains(fmt.Sprint(rec["err"]), tc.wantErr) {
				t.Errorf("error line %v, want campaign bad, its url and %q", rec, tc.wantErr)
			}
		})
	}
}
