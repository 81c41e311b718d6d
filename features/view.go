package features

import "github.com/nfdataset/nfdataset/meter"

// View is what labelers and derived expressions read for one finished flow:
// every column of the record, plus values that are always available even
// when their feature set is off (the payload counters).
type View struct {
	Schema Schema
	Record Record
	Flow   *meter.Flow // valid only while the flow is being emitted
}

// Always-available extras, readable by name through Value.
var extraColumns = Schema{
	{Name: "src2dst_payload_bytes", Kind: Int, Doc: "transport payload bytes sent src→dst"},
	{Name: "dst2src_payload_bytes", Kind: Int, Doc: "transport payload bytes sent dst→src"},
	{Name: "src2dst_payload_packets", Kind: Int, Doc: "src→dst packets that carried transport payload"},
	{Name: "dst2src_payload_packets", Kind: Int, Doc: "dst→src packets that carried transport payload"},
}

// ExtraColumns lists the names View.Value answers beyond the record.
func ExtraColumns() Schema { return extraColumns }

// Value returns the named column's value and kind.
func (v View) Value(name string) (Value, Kind, bool) {
	if i := v.Schema.Index(name); i >= 0 {
		return v.Record[i], v.Schema[i].Kind, true
	}
	if v.Flow != nil {
		switch name {
		case "src2dst_payload_bytes":
			return IntValue(int64(v.Flow.Src2Dst.PayloadBytes)), Int, true
		case "dst2src_payload_bytes":
			return IntValue(int64(v.Flow.Dst2Src.PayloadBytes)), Int, true
		case "src2dst_payload_packets":
			return IntValue(int64(v.Flow.Src2Dst.PayloadPackets)), Int, true
		case "dst2src_payload_packets":
			return IntValue(int64(v.Flow.Dst2Src.PayloadPackets)), Int, true
		}
	}
	return Value{}, 0, false
}
