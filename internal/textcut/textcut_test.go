package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHead(t *testing.T) {
	tests := []struct {
		name, s string
		n       int
		want    string
	}{
		{name: "short enough", s: "abc", n: 3, want: "abc"},
		{name: "cut", s: "abcdef", n: 3, want: "abc…"},
		{name: "never half a rune", s: "ab€d", n: 3, want: "ab…"},
		{name: "a rune that fits", s: "ab€d", n: 5, want: "ab€…"},
		{name: "empty", s: "", n: 0, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Head(tc.s, tc.n); got != tc.want {
				t.Errorf("Head(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}

func TestMiddle(t *testing.T) {
	tests := []struct {
		name, s string
		n       int
		want    string
	}{
		{name: "short enough", s: "abc", n: 8, want: "abc"},
		{name: "start and end kept", s: strings.Repeat("a", 10) + strings.Repeat("z", 10), n: 8, want: "aaaaaa…[12 bytes cut]…zz"},
		{name: "never half a rune", s: "aaaaa€" + strings.Repeat("b", 10) + "€z", n: 8, want: "aaaaa…[16 bytes cut]…z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Middle(tc.s, tc.n); got != tc.want {
				t.Errorf("Middle(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}

// FuzzCutsStayValid: valid UTF-8 in, valid UTF-8 out, never longer than
// the limit and its marker.
func FuzzCutsStayValid(f *testing.F) {
	f.Add("ab€d€€€€xyz", 4)
	f.Add("日本語のテキスト", 7)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) || n < 1 || n > 1<<16 {
			return
		}
		if h := Head(s, n); !utf8.ValidString(h) || len(h) > n+len("…") {
			t.Errorf("Head(%q, %d) = %q", s, n, h)
		}
		if m := Middle(s, n); !utf8.ValidString(m) {
			t.Errorf("Middle(%q, %d) = %q is not valid UTF-8", s, n, m)
		}
	})
}
