package collector

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The answer of /metrics and /probe is built here without a registry: a
// registry per request turned every series into a const metric, sent it
// through a channel, checked it, and then built the same series again as
// protobuf structs, all of them at once (with 10,000 campaigns, 200 MiB of
// short-lived garbage per scrape; for one campaign, most of a probe's CPU).
// Instead each family is built from the results directly, encoded, and
// dropped before the next one, so that memory holds one family at a time.
// The bytes are those the registry gave (testdata/exposition): families
// by name, label pairs by name, series by their label values; a campaign
// whose series cannot be made is left out whole. Encoding stays with
// expfmt, so every format promhttp negotiates (text, OpenMetrics,
// protobuf, with their name escaping) is served as before.

// family is one donation_* metric family as the exposition needs it, built
// once per campaign set.
type family struct {
	id         metricID
	name, help string
	// labelNames are the family's label names sorted, as a series
	// carries them; order[k] is where the k-th one is among the own label
	// values followed by the extra ones.
	labelNames []string
	order      []int
}

// families are the donation_* families of a campaign set, by name.
type families []family

func newFamilies(extraLabels []string) families {
	fs := make(families, 0, numMetrics)
	for id, spec := range metricSpecs {
		names := append(slices.Clip(spec.labels), extraLabels...)
		order := make([]int, len(names))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(i, j int) bool { return names[order[i]] < names[order[j]] })
		sorted := make([]string, len(names))
		for k, i := range order {
			sorted[k] = names[i]
		}
		fs = append(fs, family{id: metricID(id), name: prometheus.BuildFQName(namespace, "", spec.name),
			help: spec.help, labelNames: sorted, order: order})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].name < fs[j].name })
	return fs
}

// exposed is one result ready for the exposition: its extra label values.
type exposed struct {
	result *Result
	extra  []string
}

// exposable returns the results whose series can all be made, with their
// extra label values; each one left out is logged at error, with why.
func exposable(results []Result, labelNames []string, logger *slog.Logger) []exposed {
	out := make([]exposed, 0, len(results))
	buf := make([]series, 0, maxSeries)
	for i := range results {
		r := &results[i]
		extra := extraValues(r.Campaign, labelNames)
		if err := checkSeries(r, extra, buf); err != nil {
			logger.Error("campaign left out of the metrics", "campaign", r.Campaign.Name, "err", err)
			continue
		}
		out = append(out, exposed{result: r, extra: extra})
	}
	return out
}

// checkSeries says why a result's series cannot be made (a label value
// that is not UTF-8, a panic: a bug), or nil.
func checkSeries(r *Result, extra []string, buf []series) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("making its series panicked (a bug: please report it): %v", p)
		}
	}()
	for _, v := range extra {
		if !utf8.ValidString(v) {
			return fmt.Errorf("label value %q is not valid UTF-8", v)
		}
	}
	for _, s := range seriesOf(r, buf[:0], numMetrics) {
		for _, v := range s.labels() {
			if !utf8.ValidString(v) {
				return fmt.Errorf("label value %q is not valid UTF-8", v)
			}
		}
	}
	return nil
}

// familySeries are one family's series of the results, in the order a
// registry sorts them: label values (in the family's label name order),
// series after series, their values, and the series' order. They take a
// fraction of the protobuf structs the encoder needs, which are built for
// a chunk of them at a time (slab).
type familySeries struct {
	labels []string
	values []float64
	order  []int32
	all    []string // one series' label values, own then extra (scratch)
}

// collect gathers f's series of results into fs, reusing its slices.
func (f *family) collect(results []exposed, buf []series, fs *familySeries) {
	fs.labels, fs.values, fs.order = fs.labels[:0], fs.values[:0], fs.order[:0]
	for _, e := range results {
		for _, s := range seriesOf(e.result, buf[:0], f.id) {
			fs.all = append(append(fs.all[:0], s.labels()...), e.extra...)
			for _, i := range f.order {
				fs.labels = append(fs.labels, fs.all[i])
			}
			fs.order = append(fs.order, int32(len(fs.values)))
			fs.values = append(fs.values, s.value)
		}
	}
	n := len(f.labelNames)
	slices.SortFunc(fs.order, func(a, b int32) int {
		return slices.Compare(fs.labels[int(a)*n:int(a+1)*n], fs.labels[int(b)*n:int(b+1)*n])
	})
}

// slab holds the structs of one chunk of a family's series, reused from
// chunk to chunk and family to family of one answer: a chunk is encoded
// and done with before the next one is built.
type slab struct {
	family     dto.MetricFamily
	gauge      dto.MetricType
	metrics    []dto.Metric
	metricPtrs []*dto.Metric
	gauges     []dto.Gauge
	pairs      []dto.LabelPair
	pairPtrs   []*dto.LabelPair
}

func newSlab(series, pairs int) *slab {
	return &slab{
		metrics: make([]dto.Metric, 0, series), metricPtrs: make([]*dto.Metric, 0, series),
		gauges: make([]dto.Gauge, 0, series), pairs: make([]dto.LabelPair, 0, pairs), pairPtrs: make([]*dto.LabelPair, 0, pairs),
	}
}

// build returns the family of f's series order[from:to] of fs, built in
// sl, which must have room for them; the family is valid until the next
// build in sl. Its HELP is left out when help is false.
func (f *family) build(fs *familySeries, from, to int, help bool, sl *slab) *dto.MetricFamily {
	// Nothing appended below passes the capacity of the slab, so the
	// pointers into its slices stay valid.
	sl.metrics, sl.metricPtrs, sl.gauges = sl.metrics[:0], sl.metricPtrs[:0], sl.gauges[:0]
	sl.pairs, sl.pairPtrs = sl.pairs[:0], sl.pairPtrs[:0]
	n := len(f.labelNames)
	for _, i := range fs.order[from:to] {
		start := len(sl.pairPtrs)
		for k := range n {
			sl.pairs = append(sl.pairs, dto.LabelPair{Name: &f.labelNames[k], Value: &fs.labels[int(i)*n+k]})
			sl.pairPtrs = append(sl.pairPtrs, &sl.pairs[len(sl.pairs)-1])
		}
		sl.gauges = append(sl.gauges, dto.Gauge{Value: &fs.values[i]})
		end := len(sl.pairPtrs)
		sl.metrics = append(sl.metrics, dto.Metric{Label: sl.pairPtrs[start:end:end], Gauge: &sl.gauges[len(sl.gauges)-1]})
		sl.metricPtrs = append(sl.metricPtrs, &sl.metrics[len(sl.metrics)-1])
	}
	sl.gauge = dto.MetricType_GAUGE
	sl.family = dto.MetricFamily{Name: &f.name, Type: &sl.gauge, Metric: sl.metricPtrs}
	if help {
		sl.family.Help = &f.help
	}
	return &sl.family
}

// exposer answers with the families of results beside those of a base
// gatherer, in the format and encoding the request asks for.
type exposer struct {
	opts         promhttp.HandlerOpts
	logger       *slog.Logger
	gzips        *sync.Pool
	encodings    *sync.Map // expfmt.Format: encoding
	negotiations *negotiations
	// chunk is how many series of a family are built at once, in the
	// text formats (0: all of them); chunkWriters keep their buffers.
	chunk        int
	chunkWriters *sync.Pool
}

// serve writes the answer for r: base's families and those of results,
// merged by name, filtered by the name[] parameters as promhttp does.
func (x exposer) serve(w http.ResponseWriter, r *http.Request, base prometheus.Gatherer, fams families, labelNames []string, results []Result) {
	baseFamilies, ok := x.gatherBase(w, base)
	if !ok {
		return
	}
	format := x.negotiations.format(r, x.opts)
	w.Header().Add("Vary", "Accept")
	if !x.opts.DisableCompression {
		w.Header().Add("Vary", "Accept-Encoding")
	}
	w.Header().Set("Content-Type", string(format))
	out := io.Writer(w)
	if !x.opts.DisableCompression && acceptsGzip(r) {
		lazy := &lazyGzip{w: w, pool: x.gzips}
		defer func() {
			if err := lazy.Close(); err != nil {
				x.logError("error encoding and sending metric family:", err)
			}
		}()
		out = lazy
	}
	encoding := x.encodingOf(format)
	enc := expfmt.NewEncoder(out, encoding.unescaped)
	var ours []exposed
	if len(results) > 0 {
		ours = exposable(results, labelNames, x.logger)
	}
	for i, mf := range baseFamilies {
		baseFamilies[i] = model.EscapeMetricFamily(mf, encoding.scheme)
	}
	if !x.encodeMerged(enc, out, encoding, baseFamilies, fams, ours, nameFilter(r)) {
		return
	}
	if closer, ok := enc.(expfmt.Closer); ok {
		if err := closer.Close(); err != nil {
			x.logError("error encoding and sending metric family:", err)
		}
	}
}

// gatherBase gathers base (nil: nothing), handling an error as
// opts.ErrorHandling says; false: the request was answered with it.
func (x exposer) gatherBase(w http.ResponseWriter, base prometheus.Gatherer) ([]*dto.MetricFamily, bool) {
	if base == nil {
		return nil, true
	}
	families, err := base.Gather()
	if err != nil {
		x.logError("error gathering metrics:", err)
		switch x.opts.ErrorHandling {
		case promhttp.HTTPErrorOnError:
			http.Error(w, "An error has occurred while serving metrics:\n\n"+err.Error(), http.StatusInternalServerError)
			return nil, false
		case promhttp.PanicOnError:
			panic(err)
		}
	}
	return families, true
}

// nameFilter is the set of family names r's name[] parameters ask for;
// nil: every family.
func nameFilter(r *http.Request) map[string]bool {
	if !strings.Contains(r.URL.RawQuery, "name") {
		return nil // no name[] (nor name%5B%5D): no need to parse the query
	}
	names := r.URL.Query()["name[]"]
	if len(names) == 0 {
		return nil
	}
	filter := map[string]bool{}
	for _, n := range names {
		filter[n] = true
	}
	return filter
}

// encodeMerged encodes base's families and ours (built one at a time, in
// chunks of x.chunk series where the format allows) in name order; false
// when an error stopped it (HTTPErrorOnError).
func (x exposer) encodeMerged(enc expfmt.Encoder, out io.Writer, format encoding, base []*dto.MetricFamily,
	fams families, ours []exposed, filter map[string]bool) bool {
	encode := func(mf *dto.MetricFamily) bool {
		if mf == nil || filter != nil && !filter[mf.GetName()] {
			return true
		}
		if err := enc.Encode(mf); err != nil {
			x.logError("error encoding and sending metric family:", err)
			return x.opts.ErrorHandling != promhttp.HTTPErrorOnError
		}
		return true
	}
	chunks := x.takeChunkWriter(enc, out, format)
	defer x.giveBack(chunks)
	i := 0
	for f := range fams {
		for ; i < len(base) && base[i].GetName() < fams[f].name; i++ {
			if !encode(base[i]) {
				return false
			}
		}
		if len(ours) == 0 || filter != nil && !filter[fams[f].name] {
			continue
		}
		if err := chunks.encode(&fams[f], ours); err != nil {
			x.logError("error encoding and sending metric family:", err)
			if x.opts.ErrorHandling == promhttp.HTTPErrorOnError {
				return false
			}
		}
	}
	for ; i < len(base); i++ {
		if !encode(base[i]) {
			return false
		}
	}
	return true
}

func (x exposer) logError(msg string, err error) {
	if x.opts.ErrorLog != nil {
		x.opts.ErrorLog.Println(msg, err)
	}
}
