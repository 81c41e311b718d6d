package features

import (
	"fmt"

	"github.com/nfdataset/nfdataset/meter"
)

// FlowSlicer (NFStream's nfstream/plugins/slicer.py): cut flows into chunks
// of `limit` packets by forcing expiration. It adds no column.
func init() {
	RegisterPlugin(PluginSpec[struct{}]{
		Name:    "slicer",
		Version: 1,
		Doc:     "NFStream's FlowSlicer: ends a flow (expiration_id -1) every `limit` packets; no columns.",
		Options: []Option{{Name: "limit", Default: int64(0), Doc: "packets per flow chunk, ≥ 1 (required)"}},
		New: func(opts Options, _ Env) (Plugin[struct{}], error) {
			limit, err := opts.Int("limit")
			if err != nil {
				return nil, err
			}
			if limit < 1 {
				return nil, fmt.Errorf("option limit must be ≥ 1, got %d (e.g. --plugin slicer:limit=4)", limit)
			}
			return flowSlicer{limit: uint64(limit)}, nil
		},
	})
}

type flowSlicer struct {
	PluginHooks[struct{}]
	limit uint64
}

func (flowSlicer) Columns() []Column { return nil }

func (s flowSlicer) OnInit(_ *meter.Packet, f *meter.Flow, _ *struct{}) {
	if s.limit == 1 {
		ForceExpire(f)
	}
}

func (s flowSlicer) OnUpdate(_ *meter.Packet, f *meter.Flow, _ *struct{}) {
	if f.Packets == s.limit {
		ForceExpire(f)
	}
}
