package fetch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestShortenError(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantSame bool
	}{
		{name: "nil", err: nil, wantSame: true},
		{name: "short", err: errors.New("HTTP status 404 Not Found"), wantSame: true},
		{name: "at the cap", err: errors.New(strings.Repeat("a", MaxErrorText)), wantSame: true},
		{name: "megabytes of ASCII", err: fmt.Errorf("read: %s: %w", strings.Repeat("9", 4<<20), context.DeadlineExceeded)},
		{name: "megabytes of runes", err: fmt.Errorf("read: %s: %w", strings.Repeat("€", 1<<20), context.DeadlineExceeded)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ShortenError(tc.err)
			if tc.wantSame {
				if got != tc.err { //nolint:errorlint // the very same error value, not one wrapping it
					t.Errorf("ShortenError changed %v", tc.err)
				}
				return
			}
			text := got.Error()
			if len(text) > MaxErrorText+32 || !utf8.ValidString(text) {
				t.Errorf("%d bytes, valid UTF-8 %v", len(text), utf8.ValidString(text))
			}
			if !strings.HasPrefix(text, "read: ") || !strings.HasSuffix(text, "context deadline exceeded") || !strings.Contains(text, " bytes cut]") {
				t.Errorf("text %.100q…%q does not keep its start and end", text, text[len(text)-60:])
			}
			if !errors.Is(got, context.DeadlineExceeded) {
				t.Error("the cause is lost to errors.Is")
			}
		})
	}
}
