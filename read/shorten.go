package read

import "unicode/utf8"

// truncate keeps error messages about hostile pages short: it keeps the
// first 80 bytes of s, cut at a rune boundary.
func truncate(s string) string { return truncateTo(s, 80) }

// truncateTo keeps the first n bytes of s, cut at a rune boundary.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "…"
}
