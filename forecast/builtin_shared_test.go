package forecast

import "testing"

// TestBuiltinShared asks for each built-in curve twice: the same curve,
// parsed once, so that campaigns share it.
func TestBuiltinShared(t *testing.T) {
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			a, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if a != b {
				t.Errorf("two curves %q, want one shared", name)
			}
		})
	}
	if _, err := Builtin("no-such-curve"); err == nil {
		t.Error("no error for a curve that is not built in")
	}
}
