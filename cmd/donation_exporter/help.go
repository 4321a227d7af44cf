package main

import (
	"fmt"
	"io"

	"github.com/donation-exporter/donation_exporter/config"
)

// printHelp writes the usage and every setting with its default, from the
// same source as docs/configuration.md.
func printHelp(w io.Writer) {
	fmt.Fprintf(w, `Usage: %[1]s [flags] [check [NAME] | backfill --campaign NAME | curve | backtest | version | help]

%[1]s exposes the progress of fundraising campaigns as Prometheus metrics.
It is configured with %[2]s* environment variables; the settings Prometheus
exporters share also have their usual flag, which wins over the variable.

  (no command)   serve the metrics (--web.listen-address, default :9366)
  check [NAME]   fetch every campaign (or the one named) once, print what was read,
                 exit 0 (all read), 1 (a campaign failed) or 2 (configuration error)
  backfill --campaign NAME [--out FILE] [--step DURATION]
                 write the campaign's history from its donation list as OpenMetrics,
                 for promtool tsdb create-blocks-from openmetrics (docs/backfill.md)
  curve          measure a pace curve on past timelines, for FORECAST_CURVE (curve --help)
  backtest       replay timelines and print how the forecast did (backtest --help)
  version        print the version and build information (also --version)
  help           print this text (also --help, -h)

Flags:

`, exporterName, config.Prefix)
	for _, s := range config.Settings() {
		if s.Flag != "" {
			fmt.Fprintf(w, "  %-28s sets %s\n", "--"+s.Flag+"=VALUE", s.Name)
		}
	}
	fmt.Fprintf(w, `
Try it: %[2]sDEMO=true %[1]s, then open http://localhost:9366/

`, exporterName, config.Prefix)
	fmt.Fprint(w, config.HelpText())
	fmt.Fprintf(w, "\nDocumentation: %s (docs/configuration.md)\n", projectURL)
}
