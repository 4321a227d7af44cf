package read

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// toUTF8 returns body as UTF-8, so that "£" and "€" on a page written in
// ISO-8859-1, Windows-1252 or UTF-16 survive extraction. The encoding is
// taken, in this order, from a byte-order mark, the charset parameter of
// contentType, and, for a body that is not valid UTF-8 throughout, a
// <meta charset> in its first 1024 bytes or else Windows-1252 (what browsers
// assume). A body that is valid UTF-8 and declares nothing is kept as is.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	if isASCII(body) && !strings.Contains(strings.ToLower(contentType), "utf-16") {
		// Every encoding a page can declare reads ASCII as ASCII, but
		// UTF-16 (a byte-order mark is not ASCII, so only the charset
		// parameter says it): no need to look for a <meta charset>, which
		// costs a tokenizer per page (most of an API answer's reading).
		return body, nil
	}
	enc, name, certain := charset.DetermineEncoding(body, contentType)
	if !certain && utf8.Valid(body) {
		name = "utf-8"
	}
	if name == "utf-8" {
		return bytes.TrimPrefix(body, []byte("\ufeff")), nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return bytes.TrimPrefix(out, []byte("\ufeff")), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
