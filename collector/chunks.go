package collector

import (
	"bytes"
	"fmt"
	"io"

	"github.com/prometheus/common/expfmt"
)

// defaultChunkSeries is how many series of a family are built as protobuf
// structs at once in the text formats: with 10,000 campaigns the largest
// family (three states each) took 15 MB of structs when built whole, most
// of what a scrape held besides its results.
const defaultChunkSeries = 1024

// chunkWriter encodes the donation_* families of one answer. In the text
// formats (Prometheus text, OpenMetrics) a family is built and encoded a
// chunk of series at a time: the first chunk as it is, the ones after it
// without their HELP and with the TYPE line the encoder writes cut off, so
// that the answer holds the family once, as if encoded whole. Protobuf
// gives a family's length before its series, so there it is built whole.
type chunkWriter struct {
	enc    expfmt.Encoder
	out    io.Writer
	format expfmt.Format
	chunk  int // 0: whole families

	// rest encodes the chunks after the first into scratch; nil until
	// one is.
	rest    expfmt.Encoder
	scratch bytes.Buffer

	series familySeries
	buf    []series
	sl     slab
}

// takeChunkWriter returns a chunkWriter for one answer, its buffers
// reused from an earlier one (give it back with giveBack).
func (x exposer) takeChunkWriter(enc expfmt.Encoder, out io.Writer, format encoding) *chunkWriter {
	w, ok := x.chunkWriters.Get().(*chunkWriter)
	if !ok {
		w = &chunkWriter{buf: make([]series, 0, maxSeries)}
	}
	w.enc, w.out, w.format, w.chunk, w.rest = enc, out, format.unescaped, 0, nil
	switch format.kind {
	case expfmt.TypeTextPlain, expfmt.TypeOpenMetrics:
		w.chunk = x.chunk
	}
	return w
}

// maxKeptLabels bounds the label values a chunkWriter keeps for the next
// answer: a probe's are a few dozen, and those of 10,000 campaigns (1.4
// MB) would stay live between scrapes, raising the heap the collector
// lets grow.
const maxKeptLabels = 16 << 10

// giveBack keeps w's buffers for the next answer, unless they are large.
func (x exposer) giveBack(w *chunkWriter) {
	if cap(w.series.labels) > maxKeptLabels {
		return
	}
	w.enc, w.out, w.rest = nil, nil, nil
	w.scratch.Reset()
	x.chunkWriters.Put(w)
}

// encode writes f's family of results; nothing when no result has a
// series of f.
func (w *chunkWriter) encode(f *family, results []exposed) error {
	f.collect(results, w.buf, &w.series)
	n := len(w.series.order)
	step := n
	if w.chunk > 0 {
		step = min(w.chunk, n)
	}
	w.sl.ensure(step, step*len(f.labelNames))
	for from := 0; from < n; from += step {
		mf := f.build(&w.series, from, min(from+step, n), from == 0, &w.sl)
		if from == 0 {
			if err := w.enc.Encode(mf); err != nil {
				return err
			}
			continue
		}
		w.scratch.Reset()
		if w.rest == nil {
			w.rest = expfmt.NewEncoder(&w.scratch, w.format)
		}
		if err := w.rest.Encode(mf); err != nil {
			return err
		}
		b := w.scratch.Bytes()
		end := bytes.IndexByte(b, '\n')
		if !bytes.HasPrefix(b, []byte("# TYPE ")) || end < 0 {
			return fmt.Errorf("%s: a chunk of series encoded as %.40q, not after a TYPE line", f.name, b)
		}
		if _, err := w.out.Write(b[end+1:]); err != nil {
			return err
		}
	}
	return nil
}

// ensure gives sl room for series series and pairs label pairs.
func (sl *slab) ensure(series, pairs int) {
	if cap(sl.metrics) < series || cap(sl.pairs) < pairs {
		*sl = *newSlab(series, pairs)
	}
}
