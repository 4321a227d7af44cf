package read

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// TestReadDecodesCharsets reads the same Donorbox page written in the
// character sets donation pages use, declared in the ways they declare
// them, and checks that the amounts and the currency symbol survive.
func TestReadDecodesCharsets(t *testing.T) {
	raw, err := os.ReadFile("../preset/testdata/donorbox/campaign-de.html")
	if err != nil {
		t.Fatal(err)
	}
	page := string(raw)
	const utf8Meta = `<meta charset="utf-8">`
	if !strings.Contains(page, utf8Meta) || !strings.Contains(page, "44.155,91 €") {
		t.Fatalf("testdata page changed: want %s and 44.155,91 €", utf8Meta)
	}
	withMeta := func(meta string) string { return strings.Replace(page, utf8Meta, meta, 1) }
	pound := strings.ReplaceAll(page, "€", "£")
	encode := func(t *testing.T, enc encoding.Encoding, text string) []byte {
		t.Helper()
		b, err := enc.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatalf("encode test page: %v", err)
		}
		return b
	}
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)

	tests := []struct {
		name         string
		body         func(t *testing.T) []byte
		contentType  string
		wantCurrency string
	}{
		{"utf-8 declared", func(*testing.T) []byte { return raw }, "text/html; charset=utf-8", "EUR"},
		{"windows-1252 in meta only", func(t *testing.T) []byte {
			return encode(t, charmap.Windows1252, withMeta(`<meta charset="windows-1252">`))
		}, "text/html", "EUR"},
		{"windows-1252 in header only", func(t *testing.T) []byte {
			return encode(t, charmap.Windows1252, withMeta(""))
		}, "text/html; charset=windows-1252", "EUR"},
		{"latin-1 in http-equiv meta", func(t *testing.T) []byte {
			return encode(t, charmap.ISO8859_1, strings.Replace(pound, utf8Meta,
				`<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">`, 1))
		}, "text/html", "GBP"},
		{"latin-1 undeclared", func(t *testing.T) []byte {
			return encode(t, charmap.ISO8859_1, strings.Replace(pound, utf8Meta, "", 1))
		}, "text/html", "GBP"},
		{"utf-16le with byte-order mark", func(t *testing.T) []byte {
			return encode(t, utf16le, withMeta(""))
		}, "text/html", "EUR"},
		{"utf-16be in header", func(t *testing.T) []byte {
			return encode(t, utf16be, withMeta(""))
		}, "text/html; charset=UTF-16BE", "EUR"},
		{"utf-8 with byte-order mark", func(*testing.T) []byte {
			return append([]byte("\ufeff"), withMeta("")...)
		}, "text/html", "EUR"},
		{"utf-8 undeclared, first non-ASCII byte after 1024", func(*testing.T) []byte {
			return []byte("<!--" + strings.Repeat(" padding", 200) + " -->" + withMeta(""))
		}, "text/html", "EUR"},
	}
	campaign := pageSpec{Name: "de", Kind: KindHTML, Spec: Spec{AmountScale: 1, Fields: map[Field]FieldSpec{
		FieldRaised: {Selectors: []Selector{MustParseSelector("#total-raised")}},
		FieldTarget: {Selectors: []Selector{MustParseSelector(".goal-block .bold")}},
	}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := campaign.Read(testPage{Body: tc.body(t), ContentType: tc.contentType})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if v.Raised == nil || *v.Raised != 44155.91 || v.Target == nil || *v.Target != 170000 {
				t.Errorf("raised %v target %v, want 44155.91 and 170000", deref(v.Raised), deref(v.Target))
			}
			if v.Currency != tc.wantCurrency {
				t.Errorf("currency %q, want %q", v.Currency, tc.wantCurrency)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
