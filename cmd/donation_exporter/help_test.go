package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/config"
)

// TestHelp: --help and its spellings print every setting with its default
// and its flag, and the flags beside the variables they set, and exit 0,
// reading no configuration (a broken one included) and starting nothing.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-help"}, {"help"}, {"--log.level=debug", "--help"}, {"check", "--help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), args, []string{"DONATION_NO_SUCH_VARIABLE=1"}, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitOK, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			out := stdout.String()
			flags := 0
			for _, s := range config.Settings() {
				line := "  " + s.Name
				if s.Flag != "" {
					flags++
					line += ", --" + s.Flag
					if !regexp.MustCompile(`(?m)^  --` + regexp.QuoteMeta(s.Flag) + `=VALUE +sets ` + s.Name + `$`).MatchString(out) {
						t.Errorf("no line for --%s setting %s", s.Flag, s.Name)
					}
				}
				if s.Default != "" {
					line += " (default " + s.Default + ")"
				}
				if !strings.Contains(out, line+"\n") {
					t.Errorf("no line %q", line)
				}
			}
			if flags != 5 {
				t.Errorf("%d flags, want the 5 exporters share (web.listen-address, web.config.file, config.file, log.level, log.format)", flags)
			}
		})
	}
}

// TestUnknownArgumentsMentionHelp: a wrong argument still exits 2, and says
// where the settings are listed.
func TestUnknownArgumentsMentionHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"--port=1"}, nil, &stdout, &stderr); code != exitConfig {
		t.Fatalf("exit %d, want %d", code, exitConfig)
	}
	if !strings.Contains(stderr.String(), "--help") {
		t.Errorf("stderr does not mention --help: %s", stderr.String())
	}
}
