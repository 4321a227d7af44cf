package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/donation-exporter/donation_exporter/config"
)

// TestHelp: --help and its spellings print every setting with its default
// and exit 0, reading no configuration (a broken one included) and starting
// nothing.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h", "-help", "help"} {
		t.Run(arg, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{arg}, []string{"DONATION_NO_SUCH_VARIABLE=1"}, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitOK, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			out := stdout.String()
			for _, s := range config.Settings() {
				line := "  " + s.Name
				if s.Default != "" {
					line += " (default " + s.Default + ")"
				}
				if !strings.Contains(out, line+"\n") {
					t.Errorf("no line %q", line)
				}
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
