package read

import (
	"bytes"
	"fmt"
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
