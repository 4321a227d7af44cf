package collector

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/donations"
	"github.com/donation-exporter/donation_exporter/source"
	"github.com/prometheus/client_golang/prometheus"
)

// Backfill is a campaign's history to write as OpenMetrics, for
// promtool tsdb create-blocks-from openmetrics.
type Backfill struct {
	Campaign source.Campaign
	// Currency is the currency label of donation_raised, as the live
	// series carries it; empty: none.
	Currency string
	// Points are the running totals, oldest first (donations.History).
	Points []donations.Point
	// Donors writes donation_donors too: the campaign counts donations,
	// which the list counts.
	Donors bool
	// Step, when positive, repeats the running total every Step between
	// two donations, so that a query at any instant of the history finds
	// a sample within Prometheus' lookback (5 minutes by default).
	Step time.Duration
}

// BackfillStats tells what WriteBackfill wrote.
type BackfillStats struct {
	Raised, Donors int // samples of each family
}

// WriteBackfill writes b as OpenMetrics: one block per family (HELP, TYPE,
// samples in time order), timestamps in seconds, ending with # EOF. The
// series have the live series' names and labels: campaign, currency for
// donation_raised, and the campaign's own labels (Prometheus adds job and
// instance to the live ones when it scrapes, not here).
func WriteBackfill(w io.Writer, b Backfill) (BackfillStats, error) {
	bw := bufio.NewWriter(w)
	var stats BackfillStats
	labels := map[string]string{"campaign": b.Campaign.Name}
	maps.Copy(labels, b.Campaign.Labels)
	raisedLabels := maps.Clone(labels)
	if b.Currency != "" {
		raisedLabels["currency"] = b.Currency
	}
	instants := b.instants()
	name := prometheus.BuildFQName(namespace, "", "raised")
	fmt.Fprintf(bw, "# HELP %s Amount the campaign reports raised, in currency units: backfilled from its donation list.\n# TYPE %s gauge\n", name, name)
	series := name + labelText(raisedLabels)
	for _, in := range instants {
		if p := b.Points[in.point]; p.Raised != nil {
			writeSample(bw, series, *p.Raised, in.at)
			stats.Raised++
		}
	}
	if b.Donors {
		name := prometheus.BuildFQName(namespace, "", "donors")
		fmt.Fprintf(bw, "# HELP %s Number of donations: backfilled from the campaign's donation list.\n# TYPE %s gauge\n", name, name)
		series := name + labelText(labels)
		for _, in := range instants {
			writeSample(bw, series, float64(b.Points[in.point].Count), in.at)
			stats.Donors++
		}
	}
	// A bufio.Writer keeps its first error, which Flush returns.
	_, _ = bw.WriteString("# EOF\n")
	return stats, bw.Flush()
}

type instant struct {
	at    time.Time
	point int // the point whose totals hold at this instant
}

// instants are the points' times and, with a Step, the instants every Step
// between two points, in time order.
func (b Backfill) instants() []instant {
	var out []instant
	for i, p := range b.Points {
		out = append(out, instant{p.Time, i})
		if b.Step <= 0 || i+1 == len(b.Points) {
			continue
		}
		// On a grid of Step, not Step after each donation: the samples of
		// a busy hour do not pile up.
		next := b.Points[i+1].Time
		for t := p.Time.Truncate(b.Step).Add(b.Step); t.Before(next); t = t.Add(b.Step) {
			out = append(out, instant{t, i})
		}
	}
	return out
}

func writeSample(w *bufio.Writer, series string, v float64, at time.Time) {
	// Milliseconds: the TSDB's resolution. Errors: see WriteBackfill.
	_, _ = w.WriteString(series + " " + strconv.FormatFloat(v, 'g', -1, 64) + " " +
		strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64) + "\n")
}

// labelText writes labels in OpenMetrics' form, sorted by name; a label
// with an empty value is no label, as in Prometheus.
func labelText(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if labels[k] != "" {
			parts = append(parts, k+`="`+escapeLabel(labels[k])+`"`)
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }
