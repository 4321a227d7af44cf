package read

import (
	"strings"
	"unicode/utf8"
)

// skipComment returns the index after a JS comment starting at text[i],
// or i+1 when none starts there. Comments are skipped because their
// apostrophes ("don't") would otherwise open string literals.
func skipComment(text string, i int) int {
	if i+1 >= len(text) {
		return i + 1
	}
	switch text[i+1] {
	case '/':
		if end := strings.IndexByte(text[i:], '\n'); end >= 0 {
			return i + end + 1
		}
		return len(text)
	case '*':
		if end := strings.Index(text[i+2:], "*/"); end >= 0 {
			return i + 2 + end + 2
		}
		return len(text)
	}
	return i + 1
}

// jsString decodes the JS string literal that starts at text[i] (quoted
// with ", ' or `). It returns the index after its closing quote and its
// content with escapes resolved; ok is false when it does not close on its
// line (a quote in a regexp, an apostrophe in prose), except for template
// literals, which may span lines.
func jsString(text string, i int) (end int, content string, ok bool) {
	quote := text[i]
	var b strings.Builder
	plain := true // no escape seen: content is a substring
	for j := i + 1; j < len(text); j++ {
		c := text[j]
		switch {
		case c == quote:
			if plain {
				return j + 1, text[i+1 : j], true
			}
			return j + 1, b.String(), true
		case c == '\n' && quote != '`':
			return 0, "", false
		case c == '\\' && j+1 < len(text):
			if plain {
				b.WriteString(text[i+1 : j])
				plain = false
			}
			j = jsEscape(text, j, &b)
		default:
			if !plain {
				b.WriteByte(c)
			}
		}
	}
	return 0, "", false
}

// jsEscape writes the character the escape at text[j] ('\\') stands for
// and returns the index of the escape's last byte.
func jsEscape(text string, j int, b *strings.Builder) int {
	c := text[j+1]
	switch c {
	case 'n':
		b.WriteByte('\n')
	case 't':
		b.WriteByte('\t')
	case 'r':
		b.WriteByte('\r')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'v':
		b.WriteByte('\v')
	case '0':
		b.WriteByte(0)
	case '\n':
		// A line continuation stands for nothing.
	case 'x':
		if r, ok := hexRune(text, j+2, 2); ok {
			b.WriteRune(r)
			return j + 3
		}
		b.WriteByte(c)
	case 'u':
		if r, ok := hexRune(text, j+2, 4); ok {
			b.WriteRune(r)
			return j + 5
		}
		b.WriteByte(c)
	default:
		b.WriteByte(c) // \" \' \\ \/ and unknown escapes: the character itself
	}
	return j + 1
}

func hexRune(text string, at, n int) (rune, bool) {
	if at+n > len(text) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(text[at : at+n]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return r, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
