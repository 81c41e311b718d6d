package features

import (
	"math"
	"testing"
)

// FuzzDerived: any expression text and declared type either fails to
// compile with an error or compiles to a program that, run on a record
// with nulls, empty lists and extreme numbers, gives a value of the
// declared kind or an error; never a panic. Manifests are written by
// users, but a published manifest.json (reproduce) can come from anyone.
func FuzzDerived(f *testing.F) {
	f.Add("bidirectional_bytes / bidirectional_packets", "float")
	f.Add("bidirectional_bytes > 1000", "bool")
	f.Add("bidirectional_bytes / 1024 | int()", "int")
	f.Add("splt_ps[0] + 0", "int")  // index into a list that may be empty
	f.Add("splt_ps[-1] * 2", "int") // negative index
	f.Add(`udps.ja4 == nil ? "none" : udps.ja4[0:3]`, "string")
	f.Add("udps.dhcp_57 * 2", "int")
	f.Add(`src_ip startsWith "10." ? "private" : "other"`, "string")
	f.Add("bidirectional_packets % 0", "int") // integer division by zero
	f.Add("1 / 0", "float")
	f.Add("int(bidirectional_mean_ps)", "int") // NaN and Inf to int
	f.Add("src2dst_payload_bytes + dst2src_payload_packets", "int")
	f.Add(`len(filter(splt_ps, # > 0))`, "int")
	f.Add(`string(bidirectional_bytes) + src_ip`, "string")
	f.Fuzz(func(t *testing.T, src, typ string) {
		if len(src) > 256 {
			// Bounded so one input cannot build a huge range or string
			// and time the worker out; length is not what is being tested.
			return
		}
		schema := derivedTestSchema()
		d, err := CompileDerived([]DerivedDef{{Name: "fuzzed", Expr: src, Type: typ}}, schema)
		if err != nil {
			return
		}
		cols := d.Columns()
		if len(cols) != 1 {
			t.Fatalf("%q: %d columns", src, len(cols))
		}
		if d.Canonical() == "" || d.Hash() == "" {
			t.Fatalf("%q: empty canonical form or hash", src)
		}
		records := []Record{
			{IntValue(4), IntValue(2050), FloatValue(512.5), StringValue("10.0.0.1"), ListValue([]int64{60, -1}),
				StringValue("t13d1516h2_8daaf6152771_e5627efa2ab1"), NullValue()},
			{IntValue(0), IntValue(math.MinInt64), FloatValue(math.NaN()), StringValue(""), ListValue(nil), NullValue(), IntValue(math.MaxInt64)},
			{IntValue(-1), IntValue(math.MaxInt64), FloatValue(math.Inf(-1)), StringValue("\xff\x00"), ListValue([]int64{math.MinInt64}),
				StringValue(""), IntValue(0)},
		}
		for _, rec := range records {
			// The extras come from the flow; without one, a program reading
			// them must fail with an error, which is all that is checked.
			got, err := d.Eval(View{Schema: schema, Record: rec})
			if err != nil {
				continue
			}
			if len(got) != 1 {
				t.Fatalf("%q: %d values", src, len(got))
			}
			if v := got[0]; !v.Null && !fitsKind(v, cols[0].Kind) {
				t.Fatalf("%q (%s): value %+v in a column of kind %v", src, typ, v, cols[0].Kind)
			}
		}
	})
}

// fitsKind says whether v sets only the field its column's kind uses.
func fitsKind(v Value, k Kind) bool {
	intSet, floatSet, strSet := v.Int != 0, v.Float != 0 || math.IsNaN(v.Float), v.Str != ""
	switch k {
	case Int:
		return !floatSet && !strSet && v.List == nil
	case Float:
		return !intSet && !strSet && v.List == nil
	case String:
		return !intSet && !floatSet && v.List == nil
	}
	return false
}
