package features

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/meter"
)

func derivedTestSchema() Schema {
	return Schema{
		{Name: "bidirectional_packets", Kind: Int},
		{Name: "bidirectional_bytes", Kind: Int},
		{Name: "bidirectional_mean_ps", Kind: Float},
		{Name: "src_ip", Kind: String},
		{Name: "splt_ps", Kind: IntList},
		{Name: "udps.ja4", Kind: String, Nullable: true},
		{Name: "udps.dhcp_57", Kind: Int, Nullable: true},
	}
}

func TestDerivedEval(t *testing.T) {
	schema := derivedTestSchema()
	defs := []DerivedDef{
		{Name: "bytes_per_packet", Expr: "bidirectional_bytes / bidirectional_packets", Type: "float"},
		{Name: "big", Expr: "bidirectional_bytes > 1000", Type: "bool"},
		{Name: "kib", Expr: "bidirectional_bytes / 1024 | int()", Type: "int"},
		{Name: "first_ps", Expr: "splt_ps[0] + 0", Type: "int"},
		{Name: "tls_client", Expr: `udps.ja4 == nil ? "none" : (udps.ja4 != "" ? udps.ja4[0:3] : "none")`, Type: "string"},
		{Name: "max_size", Expr: "udps.dhcp_57 * 2", Type: "int"},
		{Name: "mean", Expr: "bidirectional_mean_ps", Type: "float"},
		{Name: "net", Expr: `src_ip startsWith "10." ? "private" : "other"`, Type: "string"},
	}
	d, err := CompileDerived(defs, schema)
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{IntValue(4), IntValue(2050), FloatValue(512.5), StringValue("10.0.0.1"), ListValue([]int64{60, -1}),
		StringValue("t13d1516h2_8daaf6152771_e5627efa2ab1"), NullValue()}
	got, err := d.Eval(View{Schema: schema, Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	want := Record{FloatValue(512.5), IntValue(1), IntValue(2), IntValue(60), StringValue("t13"), IntValue(0), FloatValue(512.5), StringValue("private")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	var kinds []Kind
	for _, c := range d.Columns() {
		kinds = append(kinds, c.Kind)
	}
	if diff := cmp.Diff([]Kind{Float, Int, Int, Int, String, Int, Float, String}, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

func TestDerivedErrors(t *testing.T) {
	schema := derivedTestSchema()
	for _, tc := range []struct {
		name string
		def  DerivedDef
		want string // substring of the error
	}{
		{"unknown column", DerivedDef{Name: "x", Expr: "bidirectional_byte * 2", Type: "int"}, `unknown column "bidirectional_byte" (did you mean bidirectional_bytes`},
		{"unknown udps column", DerivedDef{Name: "x", Expr: "udps.ja5", Type: "string"}, "ja5"},
		{"float into int", DerivedDef{Name: "x", Expr: "bidirectional_bytes / bidirectional_packets", Type: "int"}, `gives a float: declare type = "float"`},
		{"string into float", DerivedDef{Name: "x", Expr: "src_ip", Type: "float"}, "not a number"},
		{"int into bool", DerivedDef{Name: "x", Expr: "bidirectional_bytes", Type: "bool"}, "not a bool"},
		{"bad type", DerivedDef{Name: "x", Expr: "1", Type: "double"}, `type "double": want int, float, string or bool`},
		{"missing type", DerivedDef{Name: "x", Expr: "1"}, "type is missing"},
		{"clash", DerivedDef{Name: "src_ip", Expr: "1", Type: "int"}, `a column named "src_ip" already exists`},
		{"bad name", DerivedDef{Name: "a-b", Expr: "1", Type: "int"}, "name must be"},
		{"empty expr", DerivedDef{Name: "x", Type: "int"}, "expr is empty"},
		{"syntax", DerivedDef{Name: "x", Expr: "1 +", Type: "int"}, "derived feature 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileDerived([]DerivedDef{tc.def}, schema)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestDerivedHash(t *testing.T) {
	schema := derivedTestSchema()
	a, err := CompileDerived([]DerivedDef{{Name: "x", Expr: "bidirectional_bytes * 2", Type: "int"}}, schema)
	if err != nil {
		t.Fatal(err)
	}
	b, err := CompileDerived([]DerivedDef{{Name: "x", Expr: "bidirectional_bytes * 3", Type: "int"}}, schema)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := CompileDerived([]DerivedDef{{Name: "x", Expr: " bidirectional_bytes * 2 ", Type: "int"}}, schema)
	if a.Hash() == b.Hash() {
		t.Errorf("different expressions share hash %s", a.Hash())
	}
	if a.Hash() != again.Hash() {
		t.Errorf("surrounding spaces changed the hash")
	}
	if got, want := a.Canonical(), "x\tint\tbidirectional_bytes * 2\n"; got != want {
		t.Errorf("Canonical() = %q, want %q", got, want)
	}
}

// The examples of docs/plugins.md compile and give what the text says.
func TestDerivedDocExamples(t *testing.T) {
	schema := derivedTestSchema()
	d, err := CompileDerived([]DerivedDef{
		{Name: "bytes_per_packet", Expr: "bidirectional_bytes / bidirectional_packets", Type: "float"},
		{Name: "tls_13", Expr: `udps.ja4 != "" && udps.ja4[1:3] == "13"`, Type: "bool"},
		{Name: "first_sizes", Expr: "sum(splt_ps) + len(splt_ps)", Type: "int"},
	}, schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ja4  Value
		want Record
	}{
		{StringValue("t13d1516h2_8daaf6152771_e5627efa2ab1"), Record{FloatValue(1.5), IntValue(1), IntValue(61)}},
		{NullValue(), Record{FloatValue(1.5), IntValue(0), IntValue(61)}},
	} {
		rec := Record{IntValue(2), IntValue(3), FloatValue(0), StringValue(""), ListValue([]int64{60, -1}), tc.ja4, NullValue()}
		got, err := d.Eval(View{Schema: schema, Record: rec})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ja4 %+v (-want +got):\n%s", tc.ja4, diff)
		}
	}
}

func TestDerivedExtrasNeedTheFlow(t *testing.T) {
	schema := derivedTestSchema()
	d, err := CompileDerived([]DerivedDef{{Name: "payload", Expr: "src2dst_payload_bytes + dst2src_payload_bytes", Type: "int"}}, schema)
	if err != nil {
		t.Fatal(err)
	}
	rec := make(Record, len(schema))
	if _, err := d.Eval(View{Schema: schema, Record: rec}); err == nil || !strings.Contains(err.Error(), "needs the flow") {
		t.Errorf("without a flow: error %v", err)
	}
	f := &meter.Flow{}
	f.Src2Dst.PayloadBytes, f.Dst2Src.PayloadBytes = 100, 23
	got, err := d.Eval(View{Schema: schema, Record: rec, Flow: f})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Record{IntValue(123)}, got); diff != "" {
		t.Errorf("with the flow (-want +got):\n%s", diff)
	}
}

// TestDerivedRuntimeKind: where expr cannot infer an expression's type at
// compile time (?: gives an interface), a result of the wrong type is an
// error naming the declared type, never an int written into a string
// column (found by FuzzDerived); an int result in a float column widens.
func TestDerivedRuntimeKind(t *testing.T) {
	schema := derivedTestSchema()
	rec := Record{IntValue(4), IntValue(2050), FloatValue(512.5), StringValue("10.0.0.1"), ListValue([]int64{60, -1}),
		StringValue("t13d1516h2_8daaf6152771_e5627efa2ab1"), NullValue()}
	for _, c := range []struct {
		def     DerivedDef
		want    Value
		wantErr string
	}{
		{DerivedDef{Name: "x", Expr: `src_ip startsWith "0" ?: 1`, Type: "string"}, Value{}, "gave a int (1), not the declared string"},
		{DerivedDef{Name: "x", Expr: `src_ip startsWith "1" ?: 1`, Type: "string"}, Value{}, "gave a bool (true), not the declared string"},
		{DerivedDef{Name: "x", Expr: `src_ip startsWith "0" ? 1.5 : 2`, Type: "float"}, FloatValue(2), ""},
		{DerivedDef{Name: "x", Expr: `src_ip startsWith "1" ? "a" : 2`, Type: "string"}, StringValue("a"), ""},
	} {
		d, err := CompileDerived([]DerivedDef{c.def}, schema)
		if err != nil {
			t.Fatalf("%s: %v", c.def.Expr, err)
		}
		got, err := d.Eval(View{Schema: schema, Record: rec})
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.def.Expr, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.def.Expr, err)
		}
		if diff := cmp.Diff(Record{c.want}, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.def.Expr, diff)
		}
	}
}
