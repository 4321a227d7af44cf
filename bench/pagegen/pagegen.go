// Package pagegen generates donation pages of a chosen size for benchmarks
// and the load harness: HTML shaped like a real campaign page (head, inline
// state, navigation, updates, donor list) and a JSON document shaped like a
// platform's endpoint, each with the campaign's figures near the end, so
// that reading them means going through the whole document.
package pagegen

import (
	"bytes"
	"fmt"
)

// Figures are what a generated page shows.
type Figures struct {
	Raised, Target, Donors int
}

// The figures' dates and currency, the same on every page.
const (
	Currency = "EUR"
	Start    = "2026-03-01T09:00:00Z"
	Deadline = "2026-07-08"
)

// HTMLSelectors returns, by field name (raised, target, currency, start,
// deadline, donors), a selector that reads the field from an HTML page.
func HTMLSelectors() map[string]string {
	return map[string]string{
		"raised":   `div[role=progressbar]@aria-valuenow`,
		"target":   `.campaign-progress .goal`,
		"currency": `.campaign-progress@data-currency`,
		"start":    `time.start@datetime`,
		"deadline": `time.deadline@datetime`,
		"donors":   `.campaign-progress .donors`,
	}
}

// JSONSelectors is HTMLSelectors for a JSON document.
func JSONSelectors() map[string]string {
	return map[string]string{
		"raised":   `campaign.progress.raised`,
		"target":   `campaign.progress.goal`,
		"currency": `campaign.currency`,
		"start":    `campaign.launched_at`,
		"deadline": `campaign.deadline`,
		"donors":   `campaign.progress.donors`,
	}
}

// HTML returns a page of about size bytes (at least a few KiB: the head and
// the progress section are always there) with f near its end.
func HTML(size int, f Figures) []byte {
	var b bytes.Buffer
	b.Grow(size + 4<<10)
	b.WriteString(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Donate — Community Radio needs a new transmitter</title>
<meta property="og:title" content="Community Radio needs a new transmitter">
<meta property="og:image" content="https://cdn.example.org/campaigns/radio/cover.jpg">
<link rel="stylesheet" href="/assets/app.3f9c2a.css">
<link rel="preload" href="/assets/fonts/inter.woff2" as="font" crossorigin>
<script async src="/assets/analytics.js"></script>
<script>window.__CONFIG__ = {"locale":"en-GB","features":{"share":true,"comments":true,"recurring":false},"cdn":"https://cdn.example.org"};</script>
</head>
<body class="campaign-page theme-light">
<header class="site-header">
<nav aria-label="Main"><ul class="nav-list">
`)
	for i := range 12 {
		fmt.Fprintf(&b, `<li class="nav-item"><a class="nav-link" href="/category/%d">Category %d</a></li>
`, i, i)
	}
	b.WriteString(`</ul></nav>
</header>
<main id="content" class="container">
<article class="campaign-story">
<h1 class="campaign-title">Community Radio needs a new transmitter</h1>
`)
	tail := progressSection(f)
	for i := 0; b.Len()+len(tail) < size; i++ {
		if i%5 == 4 {
			donorList(&b, i)
			continue
		}
		fmt.Fprintf(&b, `<section class="update" id="update-%d" data-update-id="%d">
<h3 class="update-title">Update %d: the week on air</h3>
<p class="update-meta"><time datetime="2026-03-%02dT10:00:00Z">March %d</time> · <a href="/u/team">The team</a></p>
<p>Our volunteers kept the station on air for <strong>%d hours</strong> this week, with the old transmitter running
hot. Listeners in the valley still lose the signal after dark; the new transmitter fixes that, and the
<a href="/campaign/radio/budget#item-%d">budget</a> explains where each euro goes.</p>
<figure class="update-image"><img src="https://cdn.example.org/updates/%d.jpg" alt="Studio, week %d" width="640" height="360" loading="lazy"><figcaption>Studio, week %d</figcaption></figure>
<ul class="reactions"><li><button type="button" class="btn-like" data-count="%d">Like</button></li><li><button type="button" class="btn-share">Share</button></li></ul>
</section>
`, i, i, i, i%28+1, i%28+1, 100+i%60, i, i, i, i, i*3%97)
	}
	b.WriteString(`</article>
`)
	b.WriteString(tail)
	b.WriteString(`</main>
<footer class="site-footer"><p>© 2026 Example Giving Ltd · <a href="/terms">Terms</a> · <a href="/privacy">Privacy</a></p></footer>
</body>
</html>
`)
	return b.Bytes()
}

func donorList(b *bytes.Buffer, i int) {
	fmt.Fprintf(b, `<section class="donors-recent" id="donors-%d">
<h3>Recent donations</h3>
<ul class="donor-list">
`, i)
	for j := range 8 {
		fmt.Fprintf(b, `<li class="donor"><span class="donor-name">Anonymous</span> donated <span class="donor-amount">€%d</span> <time datetime="2026-03-%02dT%02d:%02d:00Z">%d days ago</time></li>
`, 5*(i+j)%200+5, (i+j)%28+1, j+8, (i*j)%60, (i+j)%28+1)
	}
	b.WriteString(`</ul>
</section>
`)
}

func progressSection(f Figures) string {
	return fmt.Sprintf(`<aside class="campaign-progress" data-currency="%s">
<p class="progress-text"><span class="raised">€%s</span> raised of <span class="goal">€%s</span> goal</p>
<div class="progress"><div class="progress-bar" role="progressbar" aria-valuenow="%d" aria-valuemin="0" aria-valuemax="%d"></div></div>
<p><span class="donors">%s</span> donors so far.</p>
<p>Started <time class="start" datetime="%s">March 1, 2026</time>, closes at the end of <time class="deadline" datetime="%s">July 8, 2026</time>.</p>
<a class="donate-button" href="#donate">Donate now</a>
</aside>
`, Currency, grouped(f.Raised), grouped(f.Target), f.Raised, f.Target, grouped(f.Donors), Start, Deadline)
}

// JSON returns a document of about size bytes with f in its last member.
func JSON(size int, f Figures) []byte {
	var b bytes.Buffer
	b.Grow(size + 1<<10)
	b.WriteString(`{"meta":{"version":3,"locale":"en-GB","generated":"2026-04-01T12:00:00Z"},"updates":[`)
	tail := fmt.Sprintf(`],"campaign":{"id":4711,"slug":"community-radio","title":"Community Radio needs a new transmitter",`+
		`"currency":%q,"launched_at":%q,"deadline":%q,"progress":{"raised":%d,"goal":%d,"donors":%d,"percent":%.1f}}}`,
		Currency, Start, Deadline, f.Raised, f.Target, f.Donors, 100*float64(f.Raised)/float64(max(f.Target, 1)))
	for i := 0; b.Len()+len(tail) < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"title":"Update %d: the week on air","posted_at":"2026-03-%02dT10:00:00Z",`+
			`"body":"Our volunteers kept the station on air for %d hours this week, with the old transmitter running hot.",`+
			`"image":{"url":"https://cdn.example.org/updates/%d.jpg","width":640,"height":360},"likes":%d,"pinned":%t,`+
			`"donations":[{"name":"Anonymous","amount":%d.50,"currency":"EUR"},{"name":null,"amount":%d,"currency":"EUR"}]}`,
			i, i, i%28+1, 100+i%60, i, i*3%97, i%17 == 0, 5+i%200, 10+i%90)
	}
	b.WriteString(tail)
	return b.Bytes()
}

// grouped writes n ≥ 0 with comma thousands separators: 1234567 →
// "1,234,567".
func grouped(n int) string {
	s := fmt.Sprint(n)
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, c)
	}
	return string(out)
}
