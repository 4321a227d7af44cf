package main

import (
	"fmt"
	"io"

	"github.com/donation-exporter/donation_exporter/config"
)

// isHelp says whether the arguments ask for the usage text.
func isHelp(args []string) bool {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "--help", "-help", "-h", "help":
		return true
	}
	return false
}

// printHelp writes the usage and every setting with its default, from the
// same source as docs/configuration.md.
func printHelp(w io.Writer) {
	fmt.Fprintf(w, `Usage: %[1]s [check | curve | backtest | --version | --help]

%[1]s exposes the progress of fundraising campaigns as Prometheus metrics.
It is configured with %[2]s* environment variables; it takes no flags.

  (no argument)  serve the metrics (%[2]sLISTEN_ADDRESS, default :9366)
  check          fetch every campaign once, print what was read, exit 0 (all read),
                 1 (a campaign failed) or 2 (configuration error)
  curve          measure a pace curve on past timelines, for FORECAST_CURVE (curve --help)
  backtest       replay timelines and print how the forecast did (backtest --help)
  --version      print the version and build information
  --help, -h     print this text

Try it: %[2]sDEMO=true %[1]s, then open http://localhost:9366/

`, exporterName, config.Prefix)
	fmt.Fprint(w, config.HelpText())
	fmt.Fprintf(w, "\nDocumentation: %s (docs/configuration.md)\n", projectURL)
}
