package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scraped is one answer of the exporter: /metrics, or a status page.
type scraped struct {
	took time.Duration
	down int // campaigns without donation_up 1
	body string
}

// get asks for u with the headers given and reads the answer, which must be
// 200; what names the page in the errors. took runs from sending the
// request to the answer's last byte.
func get(ctx context.Context, client *http.Client, u, what string, header http.Header) (body []byte, took time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	for name, values := range header {
		req.Header[name] = values
	}
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	took = time.Since(begin)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%s: status %s: %.200s", what, resp.Status, body)
	}
	return body, took, nil
}

// scrape gets /metrics at url and counts the campaigns c<i> not up.
func scrape(ctx context.Context, client *http.Client, url string, campaigns int) (scraped, error) {
	body, took, err := get(ctx, client, url, "scrape", http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {"60"}})
	if err != nil {
		return scraped{}, err
	}
	up := 0
	for line := range strings.Lines(string(body)) {
		// Labels come sorted by name: a campaign's extra labels (the scale
		// mode's appeal) may come before campaign.
		if strings.HasPrefix(line, "donation_up{") && strings.Contains(line, `campaign="c`) && strings.HasSuffix(line, "} 1\n") {
			up++
		}
	}
	return scraped{took: took, down: campaigns - up, body: string(body)}, nil
}

// number returns the value of the unlabelled sample name, or 0.
func (s scraped) number(name string) float64 {
	v, err := strconv.ParseFloat(s.gauge(name), 64)
	if err != nil {
		return 0
	}
	return v
}

// gauge returns the text of the unlabelled sample name, or "?".
func (s scraped) gauge(name string) string {
	for line := range strings.Lines(s.body) {
		if value, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(value)
		}
	}
	return "?"
}

// getPage gets the status page at u, which must answer 200.
func getPage(ctx context.Context, client *http.Client, u string) (scraped, error) {
	body, took, err := get(ctx, client, u, "status page", nil)
	if err != nil {
		return scraped{}, err
	}
	return scraped{took: took, body: string(body)}, nil
}

// concurrently runs fn n times at once and returns the answers, or the
// first error.
func concurrently(n int, fn func() (scraped, error)) ([]scraped, error) {
	answers, errs := make([]scraped, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i], errs[i] = fn() })
	}
	wg.Wait()
	return answers, errors.Join(errs...)
}

// postReload asks the exporter to reload and returns how long it took.
func postReload(ctx context.Context, client *http.Client, base string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/-/reload", nil)
	if err != nil {
		return 0, err
	}
	begin := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("reload: %w", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("reload: %s: %s", resp.Status, body)
	}
	return time.Since(begin), nil
}
