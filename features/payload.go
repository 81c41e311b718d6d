package features

import "github.com/nfdataset/nfdataset/meter"

func init() {
	Register(Spec{
		Name:    "payload",
		Version: 1,
		Rank:    40,
		Doc:     "Transport payload bytes and payload-carrying packets per direction (the meter's payload counters, independent of accounting_mode).",
		New: func(Options, Env) (Set, error) {
			return payloadSet{}, nil
		},
	})
}

// payloadSet exposes meter.Direction's PayloadBytes and PayloadPackets. The
// meter keeps them for every flow, so the set has no state of its own;
// labelers read the same values through View.Value even when it is off.
type payloadSet struct{}

var _ Set = payloadSet{}

func (payloadSet) Init(*meter.Packet, *meter.Flow)   {}
func (payloadSet) Update(*meter.Packet, *meter.Flow) {}
func (payloadSet) Expire(*meter.Flow)                {}

// Columns returns the same four columns View.Value answers as extras.
func (payloadSet) Columns() Schema { return append(Schema(nil), extraColumns...) }

func (payloadSet) Fill(_ int64, f *meter.Flow, dst []Value) {
	dst[0] = IntValue(int64(f.Src2Dst.PayloadBytes))
	dst[1] = IntValue(int64(f.Dst2Src.PayloadBytes))
	dst[2] = IntValue(int64(f.Src2Dst.PayloadPackets))
	dst[3] = IntValue(int64(f.Dst2Src.PayloadPackets))
}
