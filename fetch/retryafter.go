package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// retryAfter reads a Retry-After header: delay seconds or an HTTP date. It
// returns 0 when the header is absent, malformed or in the past.
func retryAfter(header string, now time.Time) time.Duration {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(header, 10, 64); err == nil {
		switch {
		case secs <= 0:
			return 0
		case secs > int64(MaxRetryAfter/time.Second):
			return MaxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(header); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

// MaxRetryAfter caps how long a Retry-After keeps us from fetching a page
// (and serving its last figures): a site cannot freeze them for days.
const MaxRetryAfter = time.Hour
