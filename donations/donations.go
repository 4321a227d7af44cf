// Package donations reads a platform's list of donations and computes, from
// it alone, what Prometheus could not know right after a start: the last
// donation, the money of the last hour, day and week, and the campaign's
// history for a backfill. It is pure: a page's body in, donations out; a
// list and an instant in, figures out. Fetching the pages is package
// source's job.
package donations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/donation-exporter/donation_exporter/read"
)

// Spec says where a campaign's donation list is and how it is read: what a
// platform preset declares, with the campaign's URL filled in.
type Spec struct {
	// URL is the list's first page, without paging parameters.
	URL string
	Format
	Paging
}

// Format says where a list page holds its donations.
type Format struct {
	// Items is the dotted path of the array of donations in the page's
	// JSON; empty when the page is the array itself.
	Items string
	// Amount and Time are dotted paths inside each donation. An amount
	// that is null or absent is one the donor hid.
	Amount, Time string
	// AmountScale multiplies the amounts read (0.01 for cents); 0 means 1.
	AmountScale float64
}

// Paging says how the platform splits its list into pages. The list is
// newest first: each page holds older donations than the one before.
type Paging struct {
	// LimitParam and OffsetParam name the query parameters of the page
	// size and of the number of donations skipped; empty LimitParam: the
	// list is one page.
	LimitParam, OffsetParam string
	// MaxLimit is the largest page size the platform allows.
	MaxLimit int
	// TotalHeader names the response header that gives the length of the
	// whole list; empty: the platform gives none.
	TotalHeader string
}

// Donation is one donation of the list.
type Donation struct {
	Time time.Time
	// Amount is in currency units; nil when the donor hid it.
	Amount *float64
}

// ErrPage is wrapped by every error about a list page's content.
var ErrPage = errors.New("invalid donation list")

// ParsePage reads one page of a donation list. A donation without a
// readable time, or with an amount that is neither a number, a numeric
// string nor null, makes the page fail: a list read partly would give
// wrong windows.
func ParsePage(body []byte, f Format) ([]Donation, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %w", ErrPage, err)
	}
	items, ok := lookup(doc, f.Items)
	if !ok {
		return nil, fmt.Errorf("%w: no %q in the answer", ErrPage, f.Items)
	}
	list, ok := items.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is %s, not an array of donations", ErrPage, pathName(f.Items), kindOf(items))
	}
	scale := f.AmountScale
	if scale == 0 {
		scale = 1
	}
	out := make([]Donation, 0, len(list))
	for i, item := range list {
		d, err := parseDonation(item, f, scale)
		if err != nil {
			return nil, fmt.Errorf("%w: donation %d: %w", ErrPage, i, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func parseDonation(item any, f Format, scale float64) (Donation, error) {
	if _, ok := item.(map[string]any); !ok {
		return Donation{}, fmt.Errorf("%s, not an object", kindOf(item))
	}
	var d Donation
	tv, ok := lookup(item, f.Time)
	if !ok || tv == nil {
		return Donation{}, fmt.Errorf("no %s", f.Time)
	}
	t, err := parseTime(tv)
	if err != nil {
		return Donation{}, fmt.Errorf("%s: %w", f.Time, err)
	}
	d.Time = t
	av, ok := lookup(item, f.Amount)
	if !ok || av == nil {
		return d, nil // hidden by the donor
	}
	var text string
	switch v := av.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	default:
		return Donation{}, fmt.Errorf("%s is %s, not an amount", f.Amount, kindOf(av))
	}
	n, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return Donation{}, fmt.Errorf("%s %q is not an amount", f.Amount, truncate(text))
	}
	if n < 0 {
		return Donation{}, fmt.Errorf("%s %s is negative", f.Amount, text)
	}
	n *= scale
	d.Amount = &n
	return d, nil
}

// Layouts of a donation's time besides RFC 3339: DonorDrive writes
// "2018-11-02T23:31:26.283+0000", an offset without its colon.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
}

func parseTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case json.Number:
		n, err := v.Float64()
		if err != nil {
			return time.Time{}, err
		}
		return read.DateFromNumber(n)
	case string:
		s := strings.TrimSpace(v)
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				if t.Year() < read.FirstYear || t.Year() > read.LastYear {
					return time.Time{}, fmt.Errorf("%q is in the year %d", truncate(s), t.Year())
				}
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a time with its offset", truncate(s))
	default:
		return time.Time{}, fmt.Errorf("%s, not a time", kindOf(v))
	}
}

// lookup follows a dotted path of object keys; "" is the value itself.
func lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for key := range strings.SplitSeq(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func pathName(path string) string {
	if path == "" {
		return "the answer"
	}
	return path
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string) string {
	const limit = 60
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}

// List is what was read of a campaign's donation list, newest first.
type List struct {
	Donations []Donation
	// Complete is true when the whole list was read, to its first
	// donation.
	Complete bool
	// Total is the length of the whole list as the platform gave it
	// (TotalHeader); -1 when it gave none.
	Total int
}

// Add appends a page, keeping the list newest first (a platform's order
// is not trusted for the arithmetic: ties and clock corrections happen).
func (l *List) Add(page []Donation) {
	l.Donations = append(l.Donations, page...)
	slices.SortStableFunc(l.Donations, func(a, b Donation) int { return b.Time.Compare(a.Time) })
}

// Covers reports whether every donation after since is in the list: it is
// complete, or it reaches back to since at least. Donations at the oldest
// instant read may go on in the next page, so that instant itself is not
// covered.
func (l List) Covers(since time.Time) bool {
	if l.Complete {
		return true
	}
	if len(l.Donations) == 0 {
		return false
	}
	oldest := l.Donations[len(l.Donations)-1].Time
	return !since.Before(oldest)
}
