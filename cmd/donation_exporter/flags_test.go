package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/config"
	"github.com/donation-exporter/donation_exporter/internal/testsupport"
)

// TestFlagsWinOverVariables: each flag sets its setting over the variable
// set in the environment, wherever it stands (before the command, after
// check), and a variable without its flag still counts.
func TestFlagsWinOverVariables(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "campaigns.yml")
	if err := os.WriteFile(file, []byte("campaigns:\n  - name: from-flag\n    url: https://example.org/f\n    raised: \"1\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webConfig, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	environ := []string{
		"DONATION_LISTEN_ADDRESS=:1111", "DONATION_LOG_LEVEL=warn", "DONATION_LOG_FORMAT=json",
		"DONATION_WEB_CONFIG_FILE=/no/such/web.yml", "DONATION_CONFIG_FILE=" + filepath.Join(dir, "missing.yml"),
	}
	want := config.Env{ListenAddress: ":2222", LogLevel: "debug", LogFormat: "logfmt", WebConfigFile: webConfig, ConfigFile: file}
	for _, tc := range []struct {
		name        string
		args        []string
		wantCommand string
		wantArgs    []string
	}{
		{"before serving", []string{"--web.listen-address=:2222", "--log.level=debug", "--log.format", "logfmt",
			"--web.config.file=" + webConfig, "--config.file=" + file}, "", nil},
		{"one dash", []string{"-web.listen-address=:2222", "-log.level=debug", "-log.format=logfmt",
			"-web.config.file=" + webConfig, "-config.file=" + file}, "", nil},
		{"after check", []string{"check", "--web.listen-address=:2222", "--log.level=debug", "--log.format=logfmt",
			"--web.config.file=" + webConfig, "--config.file=" + file, "from-flag"}, "check", []string{"from-flag"}},
		{"around check", []string{"--web.listen-address=:2222", "--log.level=debug", "--log.format=logfmt", "check",
			"--web.config.file=" + webConfig, "--config.file=" + file}, "check", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := parseCommandLine(tc.args, environ)
			if err != nil {
				t.Fatal(err)
			}
			if cl.command != tc.wantCommand || !slices.Equal(cl.args, tc.wantArgs) {
				t.Errorf("command %q %q, want %q %q", cl.command, cl.args, tc.wantCommand, tc.wantArgs)
			}
			cfg, err := config.Load(cl.environ, testsupport.Presets())
			if err != nil {
				t.Fatal(err)
			}
			got := config.Env{ListenAddress: cfg.ListenAddress, LogLevel: cfg.LogLevel, LogFormat: cfg.LogFormat,
				WebConfigFile: cfg.WebConfigFile, ConfigFile: cfg.ConfigFile}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("settings %+v, want %+v", got, want)
			}
			if len(cfg.Campaigns) != 1 || cfg.Campaigns[0].Name != "from-flag" {
				t.Errorf("campaigns %v, want the one of --config.file", cfg.Campaigns)
			}
		})
	}
	t.Run("variable without its flag", func(t *testing.T) {
		cl, err := parseCommandLine([]string{"--config.file=" + file}, environ)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(cl.environ, testsupport.Presets())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ListenAddress != ":1111" || cfg.LogLevel != "warn" {
			t.Errorf("listen %q, level %q: want the variables' :1111 and warn", cfg.ListenAddress, cfg.LogLevel)
		}
	})
}

// TestFlagValueErrorNamesTheFlag: a bad value given by flag is reported
// under the flag the user typed, with exit 2, over a good variable.
func TestFlagValueErrorNamesTheFlag(t *testing.T) {
	var stderr bytes.Buffer
	code := run(t.Context(), []string{"--log.level=loud"}, []string{"DONATION_DEMO=true", "DONATION_LOG_LEVEL=info"}, &bytes.Buffer{}, &stderr)
	if code != exitConfig {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitConfig, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--log.level: ") || !strings.Contains(stderr.String(), "loud") {
		t.Errorf("stderr %q does not name --log.level and its value", stderr.String())
	}
}

// TestBadCommandLines: an unknown flag, command or extra argument exits 2
// with a message saying what was wrong and which flags there are.
func TestBadCommandLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--port=1"}, "unknown flag --port"},
		{"unknown flag after check", []string{"check", "--verbose"}, "unknown flag --verbose"},
		{"flag without value", []string{"--web.listen-address"}, "flag needs an argument: -web.listen-address"},
		{"unknown command", []string{"serve"}, `unknown command "serve"`},
		{"two campaign names", []string{"check", "a", "b"}, `check takes at most one campaign name, not ["a" "b"]`},
		{"argument after version", []string{"version", "x"}, `unknown arguments ["x"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, []string{"DONATION_DEMO=true"}, &stdout, &stderr); code != exitConfig {
				t.Fatalf("exit %d, want %d", code, exitConfig)
			}
			msg := stderr.String()
			for _, want := range []string{tc.want, "--web.listen-address", "--config.file", "--help"} {
				if !strings.Contains(msg, want) {
					t.Errorf("stderr %q lacks %q", msg, want)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %s", stdout.String())
			}
		})
	}
}

// TestSubcommandsKeepTheirArguments: curve and backtest get their own
// arguments untouched (their --help included), after the exporter's flags.
func TestSubcommandsKeepTheirArguments(t *testing.T) {
	for _, command := range []string{"curve", "backtest"} {
		t.Run(command, func(t *testing.T) {
			cl, err := parseCommandLine([]string{"--log.level=debug", command, "--help", "x.csv"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if cl.command != command || !reflect.DeepEqual(cl.args, []string{"--help", "x.csv"}) {
				t.Errorf("command %q %q, want %s [--help x.csv]", cl.command, cl.args, command)
			}
		})
	}
}
