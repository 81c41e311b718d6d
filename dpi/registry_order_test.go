package dpi

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// register inserts in place; the registry must be what sorting it by
// order, then name, gives, and byProto what the old map held.
func TestRegistrySortedAndIndexed(t *testing.T) {
	sorted := sort.SliceIsSorted(registry, func(i, j int) bool {
		a, b := registry[i].spec, registry[j].spec
		if a.Order != b.Order {
			return a.Order < b.Order
		}
		return a.Dissector.Name() < b.Dissector.Name()
	})
	if !sorted {
		t.Errorf("registry not sorted by order and name: %v", Dissectors())
	}
	want := map[ProtoID]int{}
	for i, e := range registry {
		if e.spec.Proto != ProtoUnknown {
			want[e.spec.Proto] = i
		}
		for _, a := range e.spec.Aliases {
			want[a] = i
		}
	}
	got := map[ProtoID]int{}
	for p := range len(protoTable) + 10 {
		if i := dissectorFor(ProtoID(p)); i >= 0 {
			got[ProtoID(p)] = i
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dissectorFor (-want +got):\n%s", diff)
	}
}
