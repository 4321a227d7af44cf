package read

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The campaign's own block, and decoys of every kind that led zero-config
// to another figure: whatever is mixed into a page, zero-config reports the
// campaign's own figures or none, never a decoy's.
const ownBlock = `<div class="campaign-summary"><h2>$%[1]s raised of $%[2]s goal</h2><p>%[3]d donors</p></div>`

var decoys = []struct {
	name, html string
}{
	{"similar campaigns cards", `<section class="similar-campaigns"><div class="card"><p>$7,450 raised of $9,000 goal</p></div><div class="card"><p>$1,020 raised of $5,000 goal</p></div></section>`},
	{"list of campaign cards", `<ul class="campaigns"><li class="item"><p>$3,300 raised of $4,000 goal</p><p>41 donors</p></li><li class="item"><p>$990 raised of $2,000 goal</p><p>12 donors</p></li></ul>`},
	{"aside of another campaign", `<aside><h3>Also help Rex</h3><p>$8,888 raised of $10,000 goal</p></aside>`},
	{"related campaign JSON", `<script>window.related = {"relatedCampaigns":[{"raised":7450,"goal":9000,"donorCount":61}]};</script>`},
	{"campaign objects in an array", `<script>var list = [{"current_amount":5100,"goal_amount":6000},{"current_amount":222,"goal_amount":900}];</script>`},
	{"hidden campaign with a precise figure", `<div hidden><p>${headline}.37 raised of $77,777 goal</p><div data-raised="{precise}.37"></div></div>`},
	{"donors progress bar", `<div class="donor-goal"><div role="progressbar" aria-valuenow="{donors}" aria-valuemax="9000"></div><p>{donors} of 9,000 donors</p></div>`},
	{"percentage bar past 100", `<div role="progressbar" aria-valuenow="150" aria-valuemax="200"></div>`},
	{"donor goal", `<p>Goal: 500 donors</p>`},
	{"match goal", `<p>Match goal: $50,000</p>`},
	{"stretch goal", `<p>Stretch goal: $75,000</p>`},
	{"donation feed", `<div class="donations"><p>$50 donated · Ann</p><p>$25 donated by Sam</p></div>`},
	{"recent donations list", `<ul><li class="donation">$100 donated · Bo</li><li class="donation">$20 donated · Cy</li></ul>`},
	{"footer total of all campaigns", `<footer><p>$12,345,678 raised by our community</p></footer>`},
	{"hidden by a class", `<div class="campaign hidden"><p>$5,555 raised of $6,000 goal</p><div data-raised="5555"></div></div>`},
	{"hidden by visibility", `<div style="visibility: hidden"><p>$6,123 raised of $8,000 goal</p></div>`},
	{"carousel", `<div class="carousel"><div class="slide"><p>$4,321 raised of $6,000 goal</p></div></div>`},
}

func TestZeroConfigNeverReadsADecoy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 400 {
		raised := 1000 + rng.IntN(900000)
		goal := raised + 1 + rng.IntN(900000)
		donors := 1 + rng.IntN(5000)
		own := fmt.Sprintf(ownBlock, group(raised), group(goal), donors)
		parts := []string{own}
		var names []string
		for _, d := range decoys {
			if rng.IntN(2) == 0 {
				continue
			}
			// The hidden decoy agrees with the headline to its precision.
			parts = append(parts, decoy(d.html, raised, donors))
			names = append(names, d.name)
		}
		rng.Shuffle(len(parts), func(a, b int) { parts[a], parts[b] = parts[b], parts[a] })
		page := "<html><body>" + strings.Join(parts, "\n") + "</body></html>"
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			vals, _, err := zeroRead(t, page, KindHTML)
			if vals.Raised == nil && err != nil {
				return // nothing reported: allowed, never a wrong figure
			}
			check := func(field string, got *float64, want float64) {
				if got != nil && *got != want {
					t.Errorf("%s %v, want %v or none, with decoys %q", field, *got, want, names)
				}
			}
			check("raised", vals.Raised, float64(raised))
			check("target", vals.Target, float64(goal))
			check("donors", vals.Donors, float64(donors))
		})
	}
}

// TestZeroConfigReadsBesideDecoys: with every decoy on the page, the
// campaign's own figures are still read.
func TestZeroConfigReadsBesideDecoys(t *testing.T) {
	parts := []string{fmt.Sprintf(ownBlock, "12,710", "20,000", 87)}
	for _, d := range decoys {
		parts = append(parts, decoy(d.html, 12710, 87))
	}
	vals, traces, err := zeroRead(t, "<html><body>"+strings.Join(parts, "\n")+"</body></html>", KindHTML)
	if err != nil {
		t.Fatal(err)
	}
	if got := brief(vals); got != "raised=12710 target=20000 currency=USD donors=87" {
		t.Errorf("got %s", got)
	}
	// check shows why each decoy was set aside.
	var reasons []string
	for _, tr := range traces {
		for _, try := range tr.Tries {
			if try.Err != nil {
				reasons = append(reasons, try.Err.Error())
			}
		}
	}
	all := strings.Join(reasons, "\n")
	for _, want := range []string{`inside a "similar" block`, "similar <li class=\"item\"> elements", "inside <aside>", `under the key "relatedCampaigns"`,
		"one of 2 campaign objects", "hidden", "a bar whose values carry no currency", `a "match" goal`, `a "stretch" goal`, "a goal of donors",
		"a single donation", "inside <footer>", `inside a "carousel" block`} {
		if !strings.Contains(all, want) {
			t.Errorf("no reading was set aside as %q; reasons:\n%s", want, all)
		}
	}
}

// decoy fills in the figures a decoy shares with the campaign: the hidden
// one agrees with the headline to its precision, the donors bar counts the
// campaign's donors.
func decoy(html string, raised, donors int) string {
	return strings.NewReplacer("{headline}", group(raised), "{precise}", fmt.Sprint(raised), "{donors}", fmt.Sprint(donors)).Replace(html)
}

// group writes n with thousands separators: 12710 → "12,710".
func group(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
