package read

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// tryResult is a SelectorTry with its error reduced to whether there was one.
type tryResult struct {
	Selector string
	Matched  bool
}

func TestExtractTrace(t *testing.T) {
	const page = `<html><body>
<div class="meter" data-state='{"goal": 1000000}'>
  <h2 class="raised">$254,245 <span>raised of $100,000 goal</span></h2>
  <span class="donors">many</span>
</div></body></html>`
	sels := func(texts ...string) FieldSpec {
		fs := FieldSpec{}
		for _, s := range texts {
			fs.Selectors = append(fs.Selectors, MustParseSelector(s))
		}
		return fs
	}
	optional := func(fs FieldSpec) FieldSpec { fs.Optional = true; return fs }

	type fieldWant struct {
		field   Field
		literal string
		tries   []tryResult
		text    string
		failed  bool
	}
	tests := []struct {
		name    string
		fields  map[Field]FieldSpec
		want    []fieldWant
		wantErr bool
	}{
		{
			name: "first selector misses, second matches",
			fields: map[Field]FieldSpec{
				FieldRaised: sels(".progress@aria-valuenow", "h2.raised | /^(\\S+)/"),
			},
			want: []fieldWant{{
				field: FieldRaised,
				tries: []tryResult{{".progress@aria-valuenow", false}, {"h2.raised | /^(\\S+)/", true}},
				text:  "$254,245",
			}},
		},
		{
			name: "literal, JSON number in an attribute, and fields in Fields order",
			fields: map[Field]FieldSpec{
				FieldDeadline: {Literal: "2026-07-08"},
				FieldTarget:   sels("div.meter@data-state | goal"),
				FieldRaised:   {Literal: "5"},
			},
			want: []fieldWant{
				{field: FieldRaised, literal: "5", text: "5"},
				{field: FieldTarget, tries: []tryResult{{"div.meter@data-state | goal", true}}, text: "1000000"},
				{field: FieldDeadline, literal: "2026-07-08", text: "2026-07-08"},
			},
		},
		{
			name: "matched text that is not a number keeps the text and the error",
			fields: map[Field]FieldSpec{
				FieldRaised: sels("h2.raised | /^(\\S+)/"),
				FieldDonors: sels(".donors"),
			},
			want: []fieldWant{
				{field: FieldRaised, tries: []tryResult{{"h2.raised | /^(\\S+)/", true}}, text: "$254,245"},
				{field: FieldDonors, tries: []tryResult{{".donors", true}}, text: "many", failed: true},
			},
			wantErr: true,
		},
		{
			name: "optional field absent is traced without an error",
			fields: map[Field]FieldSpec{
				FieldRaised: sels("h2.raised | /^(\\S+)/"),
				FieldDonors: optional(sels(".backers", ".supporters")),
			},
			want: []fieldWant{
				{field: FieldRaised, tries: []tryResult{{"h2.raised | /^(\\S+)/", true}}, text: "$254,245"},
				{field: FieldDonors, tries: []tryResult{{".backers", false}, {".supporters", false}}},
			},
		},
		{
			name: "required field absent lists every selector tried",
			fields: map[Field]FieldSpec{
				FieldRaised: sels(".backers", "h2.raised | /collected (\\d+)/"),
			},
			want: []fieldWant{{
				field:  FieldRaised,
				tries:  []tryResult{{".backers", false}, {"h2.raised | /collected (\\d+)/", false}},
				failed: true,
			}},
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := parsePageDoc([]byte(page), KindHTML)
			if err != nil {
				t.Fatal(err)
			}
			spec := Spec{Fields: tc.fields, AmountScale: 1, Location: time.UTC}
			vals, traces, err := extract(doc, spec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ExtractTrace error = %v, want error: %v", err, tc.wantErr)
			}
			// Extract is the same code path: same values, same error.
			plainVals, plainErr := extractValues(doc, spec)
			if !reflect.DeepEqual(plainVals, vals) || errString(plainErr) != errString(err) {
				t.Errorf("Extract = %+v, %v; ExtractTrace = %+v, %v", plainVals, plainErr, vals, err)
			}
			if len(traces) != len(tc.want) {
				t.Fatalf("got %d field traces, want %d: %+v", len(traces), len(tc.want), traces)
			}
			for i, w := range tc.want {
				tr := traces[i]
				var tries []tryResult
				for _, try := range tr.Tries {
					tries = append(tries, tryResult{try.Selector, try.Err == nil})
				}
				if tr.Field != w.field || tr.Literal != w.literal || tr.Text != w.text ||
					(tr.Err != nil) != w.failed || !reflect.DeepEqual(tries, w.tries) {
					t.Errorf("trace %d = {%s literal=%q tries=%v text=%q err=%v}, want {%s literal=%q tries=%v text=%q failed=%v}",
						i, tr.Field, tr.Literal, tries, tr.Text, tr.Err, w.field, w.literal, w.tries, w.text, w.failed)
				}
				if tr.Err != nil && !errors.Is(err, tr.Err) {
					t.Errorf("trace %d error %v is not part of the extraction error %v", i, tr.Err, err)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
