package fetch

import "context"

// response is a fetched page with its answer, for tests that look at
// bodies rather than read them.
type response struct {
	Page
	Answer
}

// Do fetches r and keeps the page's body (a copy: Fetch's reader must
// not keep it).
func (f *Fetcher) Do(ctx context.Context, r Request) (response, error) {
	var resp response
	answer, err := f.Fetch(ctx, r, func(p Page) {
		resp.Page = Page{Body: append([]byte(nil), p.Body...), ContentType: p.ContentType}
	})
	resp.Answer = answer
	return resp, err
}
