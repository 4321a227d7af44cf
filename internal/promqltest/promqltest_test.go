package promqltest

import (
	"errors"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestMetricNames(t *testing.T) {
	tests := []struct {
		name string
		expr string
		want []string
	}{
		{name: "bare metric", expr: "donation_raised", want: []string{"donation_raised"}},
		{name: "variable in a regex matcher", expr: `donation_raised{campaign=~"$campaign"}`, want: []string{"donation_raised"}},
		{name: "braced variable with a format", expr: `donation_up{campaign=~"${campaign:regex}",job="${job}"}`,
			want: []string{"donation_up"}},
		{name: "variable is the only matcher", expr: `{campaign=~"$campaign",__name__="donation_target"}`,
			want: []string{"donation_target"}},
		{name: "name only in __name__", expr: `{__name__="donation_raised"}`, want: []string{"donation_raised"}},
		{name: "quoted name in braces", expr: `{"donation_raised", campaign="a"}`, want: []string{"donation_raised"}},
		{name: "rate interval", expr: "rate(x_total[$__rate_interval])", want: []string{"x_total"}},
		{name: "range, offset and subquery step", expr: "max_over_time(deriv(a[$__range])[1h:$__interval]) - b offset ${__interval}",
			want: []string{"a", "b"}},
		{name: "variable as a number", expr: "donation_days_left < $threshold", want: []string{"donation_days_left"}},
		{name: "binary with on and group_left",
			expr: "a_metric * on (job, instance) group_left (currency) b_metric", want: []string{"a_metric", "b_metric"}},
		{name: "aggregation by", expr: "sum by (campaign) (donation_up)", want: []string{"donation_up"}},
		{name: "aggregation without after", expr: "sum(donation_up) without (instance)", want: []string{"donation_up"}},
		{name: "recording rule", expr: "campaign:donation_raised:daily_deriv7d > 1e6",
			want: []string{"campaign:donation_raised:daily_deriv7d"}},
		{name: "keywords and offset", expr: "a and b offset 3d or c unless d == bool 0", want: []string{"a", "b", "c", "d"}},
		{name: "comment with a quote and a variable", expr: "a > $x # don't read b or $y\n", want: []string{"a"}},
		{name: "string with braces and a dollar", expr: `label_replace(a, "x", "$1}{", "y", "(.*)")`, want: []string{"a"}},
		{name: "time function", expr: "time() - a", want: []string{"a"}},
		{name: "duplicates", expr: "a / a", want: []string{"a"}},
		{name: "no metric", expr: "vector(1)", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MetricNames(tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("MetricNames(%q) = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

func TestMetricNamesErrors(t *testing.T) {
	tests := []struct {
		name, expr, wantErr string
	}{
		{name: "unparsable", expr: "sum(donation_raised", wantErr: "parse"},
		{name: "variable where a label name goes", expr: "sum by ($label) (donation_raised)",
			wantErr: `as "sum by (300) (donation_raised)", Grafana variables replaced`},
		{name: "selector without a name", expr: `{job="donation"}`, wantErr: `{job="donation"} does not name exactly one metric`},
		{name: "name by regex", expr: `{__name__=~"donation_.*"}`, wantErr: "does not name exactly one metric"},
		{name: "name set twice", expr: `donation_raised{__name__="donation_up"}`, wantErr: "metric name must not be set twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MetricNames(tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("MetricNames(%q) = %q, %v; want an error containing %q", tc.expr, got, err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), strconv.Quote(tc.expr)) {
				t.Errorf("error %q does not quote the expression", err)
			}
		})
	}
}

func TestWithoutGrafanaVariables(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{name: "in a matcher and a range", expr: `rate(x{c=~"$campaign"}[$__rate_interval])`, want: `rate(x{c=~"campaign"}[300])`},
		{name: "braced with format", expr: `x{c=~"${campaign:pipe}"} offset ${__interval}`, want: `x{c=~"campaign"} offset 300`},
		{name: "single and back quotes", expr: "x{a='$a',b=`${b}`}", want: "x{a='a',b=`b`}"},
		{name: "escaped quote stays in the string", expr: `x{a="\"$a"}`, want: `x{a="\"a"}`},
		{name: "dollar that is no variable", expr: `x{a=~"end$"} > $`, want: `x{a=~"end$"} > $`},
		{name: "comment unchanged", expr: "x # it's $x\n> $y", want: "x # it's $x\n> 300"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := withoutGrafanaVariables(tc.expr); got != tc.want {
				t.Errorf("withoutGrafanaVariables(%q) = %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

// TestParserStaysOutOfTheBinary: the Prometheus module (the PromQL parser) is
// a test-only dependency. No package of the exporter outside internal/ (the
// test-support packages) may import it, so the binary never links it. The
// control case checks that this package does, so the check can see it.
func TestParserStaysOutOfTheBinary(t *testing.T) {
	const module = "github.com/prometheus/prometheus"
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go tool: %v", err)
	}
	list := func(t *testing.T, args ...string) []string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), goTool, append([]string{"list"}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, stderr(err))
		}
		return strings.FieldsFunc(string(out), func(r rune) bool { return r == '\n' })
	}
	var exporter []string
	for _, p := range list(t, "github.com/donation-exporter/donation_exporter/...") {
		if !strings.Contains(p, "/internal/") {
			exporter = append(exporter, p)
		}
	}
	if !slices.Contains(exporter, "github.com/donation-exporter/donation_exporter/cmd/donation_exporter") {
		t.Fatalf("the exporter's command is not among its packages %q", exporter)
	}
	tests := []struct {
		name       string
		packages   []string
		wantLinked bool
	}{
		{name: "exporter packages", packages: exporter, wantLinked: false},
		{name: "control: this package", packages: []string{"github.com/donation-exporter/donation_exporter/internal/promqltest"}, wantLinked: true},
	}
	inModule := func(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One line per dependency: the package, then the packages it imports.
			deps := list(t, append([]string{"-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`}, tc.packages...)...)
			var importers []string
			for _, line := range deps {
				pkg, imports, _ := strings.Cut(line, " ")
				if !inModule(pkg) && slices.ContainsFunc(strings.Fields(imports), inModule) {
					importers = append(importers, pkg)
				}
			}
			if linked := len(importers) > 0; linked != tc.wantLinked {
				t.Errorf("%s linked: %v, want %v (importers among the dependencies of %d packages: %q)",
					module, linked, tc.wantLinked, len(tc.packages), importers)
			}
		})
	}
}

func stderr(err error) []byte {
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		return exit.Stderr
	}
	return nil
}
