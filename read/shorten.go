package read

import "github.com/donation-exporter/donation_exporter/internal/textcut"

// quoteLen bounds a page's text quoted in a message: enough to recognise
// it, short for a hostile page.
const quoteLen = 80

// truncate quotes at most quoteLen bytes of a page's text.
func truncate(s string) string { return textcut.Head(s, quoteLen) }
