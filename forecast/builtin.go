package forecast

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// The built-in curves, measured from the timelines under
// testdata/timelines by TestBuiltinCurvesAreDerived (go test ./forecast
// -update rewrites them); each file's comments say which.
//
//go:embed curves/*.csv
var builtinFiles embed.FS

// LinearName is the seed's arithmetic: the average daily rate holds.
const LinearName = "linear"

// Linear is the curve of the seed's arithmetic: the average daily rate
// since the start holds to the deadline. Its range is the spread of
// campaigns of every kind (curves/linear.csv): what is known of a campaign
// whose kind is not.
func Linear() *Curve { return linear() }

// OrLinear is c, or Linear when c is nil: a campaign without a curve is
// projected, and labelled, as linear.
func (c *Curve) OrLinear() *Curve {
	if c == nil {
		return Linear()
	}
	return c
}

// linear parses the embedded file once: a Curve is never changed after
// Parse, so every campaign without a curve can share it.
var linear = sync.OnceValue(func() *Curve {
	c, err := Builtin(LinearName)
	if err != nil {
		// Only if the embedded file were broken, which a test rules out.
		return &Curve{Name: LinearName, linear: true, points: []Point{{}, {Elapsed: 1, Share: 1}}}
	}
	return c
})

// Builtin returns the built-in curve of that name, the same *Curve every
// time: each campaign asking for its own copy kept about 9 KiB of points
// and comments, 90 MiB for 10,000 campaigns.
func Builtin(name string) (*Curve, error) {
	if c, ok := builtins()[name]; ok {
		return c, nil
	}
	return parseBuiltin(name)
}

// builtins parses every built-in curve once, when one is first asked for
// (a Curve is never changed after Parse); one that does not parse is left
// out, and parseBuiltin gives its error.
var builtins = sync.OnceValue(func() map[string]*Curve {
	curves := map[string]*Curve{}
	for _, name := range BuiltinNames() {
		if c, err := parseBuiltin(name); err == nil {
			curves[name] = c
		}
	}
	return curves
})

func parseBuiltin(name string) (*Curve, error) {
	data, err := builtinFiles.ReadFile("curves/" + name + ".csv")
	if err != nil || strings.ContainsAny(name, "/\\.") {
		return nil, fmt.Errorf("%w: no built-in curve %q (built-in: %s)", ErrCurve, name, strings.Join(BuiltinNames(), ", "))
	}
	c, err := Parse(name, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c.linear = name == LinearName
	return c, nil
}

// BuiltinNames lists the built-in curves, sorted.
func BuiltinNames() []string {
	var names []string
	entries, _ := builtinFiles.ReadDir("curves")
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".csv"))
	}
	slices.Sort(names)
	return names
}

// Load returns the curve spec names: a built-in name, or the path of a
// curve file opened by open (its name is "file:" and the file's base name).
func Load(spec string, open func(path string) (io.ReadCloser, error)) (*Curve, error) {
	if !strings.ContainsAny(spec, "/\\.") {
		return Builtin(spec)
	}
	f, err := open(spec)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	base := spec[strings.LastIndexAny(spec, "/\\")+1:]
	c, err := Parse("file:"+strings.TrimSuffix(base, ".csv"), io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	return c, nil
}
