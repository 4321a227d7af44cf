// Package textcut shortens text that came from outside — a page, a site's
// answer, a client's request — before it goes into a message, so that no
// hostile input carries megabytes into a log line or a status page. It is
// the one place the exporter cuts text; every cut falls on a UTF-8 rune
// boundary and says that something was cut.
package textcut

import (
	"fmt"
	"unicode/utf8"
)

// Head keeps at most the first n bytes of s, cut at a rune boundary, and
// marks the cut with "…". For a quote in a message: its start is what a
// reader recognises.
func Head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:runeStartAtOrBefore(s, n)] + "…"
}

// Middle cuts s to about n bytes, keeping its start (three quarters) and
// its end, and says how many bytes were cut between them. For a whole error
// message: its start says what failed and its end why.
func Middle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head := runeStartAtOrBefore(s, n*3/4)
	tail := len(s) - n/4
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	return fmt.Sprintf("%s…[%d bytes cut]…%s", s[:head], tail-head, s[tail:])
}

// runeStartAtOrBefore returns the last rune boundary of s at or before i
// (0 < i < len(s)).
func runeStartAtOrBefore(s string, i int) int {
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
