package fetch

import (
	"errors"
	"net/url"

	"github.com/donation-exporter/donation_exporter/internal/textcut"
)

// MaxErrorText bounds the text of an error about a campaign, as the log and
// the status page show it. Errors quote what a site sent (a number, a
// status line, a Location) cut short where they are made; this is the cap
// on the whole, so that no path, present or future, carries megabytes of a
// hostile page into a log line. Long enough for every cause joined when
// several fields fail.
const MaxErrorText = 2048

// ShortenError returns err when its text is at most MaxErrorText bytes, or
// an error that wraps it (errors.Is and errors.As still see it) with the
// text cut in the middle: its start says what failed and its end why.
func ShortenError(err error) error { return shortenErrorTo(err, MaxErrorText) }

// shortenErrorTo is ShortenError with limit for MaxErrorText.
func shortenErrorTo(err error, limit int) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if len(text) <= limit {
		return err
	}
	return &shortenedError{text: textcut.Middle(text, limit), err: err}
}

type shortenedError struct {
	text string
	err  error
}

func (e *shortenedError) Error() string { return e.text }
func (e *shortenedError) Unwrap() error { return e.err }

// shorten cuts a site's text quoted in an error to about limit bytes,
// keeping its start and its end.
func shorten(s string, limit int) string { return textcut.Middle(s, limit) }

// How long the site's own text may be in an error: a status line, a URL
// from a Location header.
const (
	maxStatusText = 100
	maxURLText    = 200
)

// shortenURLError cuts the URL a *url.Error quotes (a redirect's Location
// is the site's to choose, megabytes long if it likes) and the text of
// the error it wraps, keeping both for errors.Is and errors.As.
func shortenURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return ShortenError(err)
	}
	return &url.Error{Op: ue.Op, URL: shorten(ue.URL, maxURLText), Err: shortenErrorTo(ue.Err, 2*maxURLText)}
}
