package collector

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/donation-exporter/donation_exporter/read"
	"github.com/donation-exporter/donation_exporter/source"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/exposition from the handlers' answers")

// Accept headers of the formats a scraper asks for.
const (
	acceptOpenMetrics = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5"
	acceptProtobuf    = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.9,text/plain;q=0.5"
)

// expositionFixture is a scraper over campaigns that cover what the answer
// has to order and escape: extra labels that sort before and after
// "campaign" and that some campaigns lack, a failed campaign, one whose
// label is not UTF-8 (left out whole), every figure and none.
func expositionFixture(t *testing.T) *Scraper {
	t.Helper()
	pages := map[string]string{
		"/running": `{"raised": 1500.5, "target": 10000, "donors": 12, "start": "2026-05-01", "deadline": "2026-07-01"}`,
		"/ended":   `{"raised": 3061, "target": 2500, "start": "2017-08-01", "deadline": "2017-08-30"}`,
		"/bare":    `{"raised": 7}`,
		"/quote":   `{"raised": 1, "target": 2}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	fields := map[read.Field]read.FieldSpec{
		read.FieldRaised:   selectors(t, "raised"),
		read.FieldTarget:   selectors(t, "target"),
		read.FieldDonors:   selectors(t, "donors"),
		read.FieldStart:    selectors(t, "start"),
		read.FieldDeadline: selectors(t, "deadline"),
	}
	mk := func(name, path, currency string, labels map[string]string, want ...read.Field) source.Campaign {
		f := map[read.Field]read.FieldSpec{}
		for _, k := range want {
			f[k] = fields[k]
		}
		if currency != "" {
			f[read.FieldCurrency] = read.FieldSpec{Literal: currency}
		}
		c := campaign(name, srv.URL+path, read.KindJSON, f)
		c.Platform, c.RaisedBasis, c.DonorsBasis = source.PlatformSelectors, "cumulative", "donors"
		c.Labels = labels
		return c
	}
	campaigns := []source.Campaign{
		mk("zeta-running", "/running", "USD", map[string]string{"appeal": "a", "team": "blue"},
			read.FieldRaised, read.FieldTarget, read.FieldDonors, read.FieldStart, read.FieldDeadline),
		mk("alpha-ended", "/ended", "EUR", map[string]string{"appeal": "z"},
			read.FieldRaised, read.FieldTarget, read.FieldStart, read.FieldDeadline),
		mk("gone", "/missing", "", map[string]string{"team": "red"}, read.FieldRaised),
		mk("bare", "/bare", "", nil, read.FieldRaised),
		mk(`quote"and\back`, "/quote", "", map[string]string{"team": "line\nbreak"}, read.FieldRaised, read.FieldTarget),
		mk("not-utf8", "/bare", "", map[string]string{"team": "\xff"}, read.FieldRaised),
	}
	return newTestCollector(t, campaigns, &bytes.Buffer{})
}

// staticGatherer is what main's base registry adds: families that sort
// before, between and after the donation_* ones.
func staticGatherer(t *testing.T) prometheus.Gatherer {
	t.Helper()
	reg := prometheus.NewRegistry()
	for _, name := range []string{"aaa_first", "donation_exporter_reloads_total", "go_between", "zzz_last"} {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "A family of the base registry."})
		g.Set(3)
		reg.MustRegister(g)
	}
	return reg
}

// TestExpositionGolden compares the answers of /metrics and /probe, in the
// text, OpenMetrics and protobuf formats, with gzip and without, to those
// in testdata/exposition (see its README for where they come from).
// The answers are the same when families are built in chunks of one or two
// series (chunks.go), so that chunks join as one family.
func TestExpositionGolden(t *testing.T) {
	c := expositionFixture(t)
	for _, chunk := range []int{defaultChunkSeries, 1, 2} {
		t.Run(fmt.Sprintf("chunks of %d", chunk), func(t *testing.T) {
			c.chunkSeries = chunk
			testExpositionGolden(t, c, *updateGolden && chunk == defaultChunkSeries)
		})
	}
}

func testExpositionGolden(t *testing.T, c *Scraper, update bool) {
	opts := promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError}
	metrics := c.Handler(staticGatherer(t), opts)
	probe := c.ProbeHandler(opts)
	for _, tc := range []struct {
		name, golden string
		handler      http.Handler
		target       string
		accept       string
	}{
		{"metrics text", "metrics.txt", metrics, "/metrics", ""},
		{"metrics OpenMetrics", "metrics.om.txt", metrics, "/metrics", acceptOpenMetrics},
		{"metrics protobuf", "metrics.txt", metrics, "/metrics", acceptProtobuf},
		{"metrics filtered", "metrics-filtered.txt", metrics, "/metrics?name[]=donation_up&name[]=zzz_last&name[]=donation_raised", ""},
		{"probe text", "probe-zeta.txt", probe, "/probe?campaign=zeta-running", ""},
		{"probe OpenMetrics", "probe-zeta.om.txt", probe, "/probe?campaign=zeta-running", acceptOpenMetrics},
		{"probe protobuf", "probe-zeta.txt", probe, "/probe?campaign=zeta-running", acceptProtobuf},
		{"probe failed", "probe-gone.txt", probe, "/probe?campaign=gone", ""},
		{"probe escaped", "probe-quote.om.txt", probe, "/probe?campaign=quote%22and%5Cback", acceptOpenMetrics},
		{"probe left out", "probe-not-utf8.txt", probe, "/probe?campaign=not-utf8", ""},
	} {
		for _, gz := range []bool{false, true} {
			name := tc.name
			if gz {
				name += " gzip"
			}
			t.Run(name, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, tc.target, nil)
				if tc.accept != "" {
					req.Header.Set("Accept", tc.accept)
				}
				if gz {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				rec := httptest.NewRecorder()
				tc.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
				body := gunzipped(t, rec)
				// Small answers go as they are (see minGzipBytes).
				if got, want := rec.Header().Get("Content-Encoding") == "gzip", gz && len(body) >= minGzipBytes; got != want {
					t.Fatalf("compressed %v, want %v (gzip asked %v, %d bytes)", got, want, gz, len(body))
				}
				format := expfmt.Format(rec.Header().Get("Content-Type"))
				if format.FormatType() == expfmt.TypeProtoDelim {
					body = protobufAsText(t, body)
				}
				path := filepath.Join("testdata", "exposition", tc.golden)
				if update && !gz && tc.accept != acceptProtobuf {
					if err := os.WriteFile(path, body, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, want) {
					t.Errorf("answer (%s) differs from %s:\n%s", format, path, diffLines(string(want), string(body)))
				}
			})
		}
	}
}

// gunzipped is rec's body, uncompressed when it says it is gzip.
func gunzipped(t *testing.T, rec *httptest.ResponseRecorder) []byte {
	t.Helper()
	body := rec.Body.Bytes()
	if rec.Header().Get("Content-Encoding") != "gzip" {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body, err = io.ReadAll(zr); err != nil {
		t.Fatal(err)
	}
	return body
}

// TestLargeAnswerGzipped serves /metrics for enough campaigns that the
// answer passes minGzipBytes: asked for gzip, it comes compressed, and
// uncompressed it is the answer given to a client that did not ask.
func TestLargeAnswerGzipped(t *testing.T) {
	site := serveSite(t, page("application/json", `{"raised": 10, "target": 100}`))
	fields := map[read.Field]read.FieldSpec{read.FieldRaised: selectors(t, "raised"), read.FieldTarget: selectors(t, "target")}
	var campaigns []source.Campaign
	for i := range 60 {
		campaigns = append(campaigns, campaign(fmt.Sprintf("campaign-%02d", i), site, read.KindJSON, fields))
	}
	h := newTestCollector(t, campaigns, &bytes.Buffer{}).Handler(prometheus.NewRegistry(), promhttp.HandlerOpts{})
	answers := map[bool][]byte{}
	for _, gz := range []bool{false, true} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Encoding"); (got == "gzip") != gz {
			t.Fatalf("Content-Encoding %q with gzip asked %v", got, gz)
		}
		answers[gz] = gunzipped(t, rec)
	}
	if len(answers[false]) < minGzipBytes {
		t.Fatalf("answer of %d bytes, want at least %d for this test", len(answers[false]), minGzipBytes)
	}
	if !bytes.Equal(answers[false], answers[true]) {
		t.Errorf("the gzip answer differs:\n%s", diffLines(string(answers[false]), string(answers[true])))
	}
}

// TestAcceptsGzip reads Accept-Encoding as promhttp does.
func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"gzip, deflate, br", true},
		{"identity, gzip", false},
		{"identity;q=0.5, gzip", true},
		{"gzip;q=0", false},
		{"*", false},
		{"br", false},
		{"gzip;q=bad", false},
	} {
		t.Run(tc.header, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.header != "" {
				r.Header.Set("Accept-Encoding", tc.header)
			}
			if got := acceptsGzip(r); got != tc.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}

// protobufAsText decodes a delimited protobuf answer and writes it in the
// text format, so that it compares with the text golden file.
func protobufAsText(t *testing.T, body []byte) []byte {
	t.Helper()
	dec := expfmt.NewDecoder(bytes.NewReader(body), expfmt.NewFormat(expfmt.TypeProtoDelim))
	var out bytes.Buffer
	enc := expfmt.NewEncoder(&out, expfmt.NewFormat(expfmt.TypeTextPlain))
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode protobuf: %v", err)
		}
		if err := enc.Encode(&mf); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// diffLines lists the lines only in want (-) and only in got (+), in order.
func diffLines(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	inWant, inGot := map[string]int{}, map[string]int{}
	for _, l := range wl {
		inWant[l]++
	}
	for _, l := range gl {
		inGot[l]++
	}
	var b strings.Builder
	for _, l := range wl {
		if inGot[l] == 0 {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range gl {
		if inWant[l] == 0 {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "(the same lines, in another order)"
	}
	return b.String()
}

// TestFamiliesNeedNoEscaping: the donation_* families are encoded without
// name escaping (encoding.go), which is right only while every name they
// carry is legal under every escaping scheme: the metric names, their own
// label names and the extra label names configuration allows.
func TestFamiliesNeedNoEscaping(t *testing.T) {
	for _, f := range newFamilies([]string{"team", "_appeal", "Region2"}) {
		if !model.LegacyValidation.IsValidMetricName(f.name) {
			t.Errorf("metric name %q needs escaping", f.name)
		}
		for _, l := range f.labelNames {
			if !model.LegacyValidation.IsValidLabelName(l) {
				t.Errorf("%s: label name %q needs escaping", f.name, l)
			}
		}
	}
}

// TestBaseFamiliesEscaped: the base gatherer's families are still escaped
// as the request's format says, as promhttp does.
func TestBaseFamiliesEscaped(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "app.requests", Help: "A UTF-8 name."})
	reg.MustRegister(g)
	c := expositionFixture(t)
	h := c.Handler(reg, promhttp.HandlerOpts{})
	for _, tc := range []struct{ name, accept, want string }{
		{"escaped by default", "text/plain;version=0.0.4", "\napp_requests 0\n"},
		{"as it is where UTF-8 is allowed", "text/plain;version=0.0.4;escaping=allow-utf-8", "\n{\"app.requests\"} 0\n"},
		{"dots escaped", "text/plain;version=0.0.4;escaping=dots", "\napp_dot_requests 0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", tc.accept)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if body := rec.Body.String(); !strings.Contains(body, tc.want) || !strings.Contains(body, "donation_up{") {
				t.Fatalf("answer lacks %q (or the donation_* families):\n%s", tc.want, body)
			}
		})
	}
}
