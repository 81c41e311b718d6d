package pipeline

import (
	"fmt"
	"strings"

	"github.com/nfdataset/nfdataset/features"
)

// DefaultLiveMemoryLimit is the memory_limit a live input gets when the
// manifest sets neither max_active_flows nor memory_limit: a capture left
// running must not grow without bound under a flood. Capture files get no
// default limit, for parity with NFStream.
const DefaultLiveMemoryLimit = 1 << 30

// memoryReserve is what memory_limit keeps for everything but the flow
// table: the runtime, DPI's tables, the sink's buffers.
const memoryReserve = 64 << 20

// flowBytes estimates the peak resident memory one active flow costs with
// these feature sets: the live heap per flow measured by features'
// BenchmarkFlowMemory (base 280 B, DPI +460 B, stats and splt +380 B
// each), rounded up, times two for the collector's headroom
// (docs/performance.md). It is a fixed table, not a measurement at run
// time, so that the flow limit, and with it the output, depends on the
// manifest alone.
func flowBytes(reqs []features.Request) int64 {
	n := int64(300)
	for _, r := range reqs {
		switch {
		case r.Name == "base":
		case r.Name == "dpi":
			n += 500
		case r.Name == "stats" || r.Name == "splt":
			n += 400
		case strings.HasPrefix(r.Name, "plugin."):
			n += 100
		default:
			n += 200
		}
	}
	return 2 * n
}

// FlowLimit resolves [streamer] max_active_flows and memory_limit into the
// meter's bound on active flows (0: none): the smaller of the two when
// both are set; for a live input without either, DefaultLiveMemoryLimit.
func (s StreamerParams) FlowLimit(live bool, reqs []features.Request) int64 {
	mem := s.MemoryLimit
	if mem == 0 && s.MaxActiveFlows == 0 && live {
		mem = DefaultLiveMemoryLimit
	}
	limit := s.MaxActiveFlows
	if mem > 0 {
		n := max(1, (mem-memoryReserve)/flowBytes(reqs))
		if limit == 0 || n < limit {
			limit = n
		}
	}
	return limit
}

// describeLimit says how the flow table is bounded, for plan and validate.
func (s StreamerParams) describeLimit(live bool, reqs []features.Request) string {
	n := s.FlowLimit(live, reqs)
	if n == 0 {
		return ""
	}
	from := "max_active_flows"
	switch {
	case s.MemoryLimit == 0 && s.MaxActiveFlows == 0:
		from = fmt.Sprintf("default memory_limit %s", formatSize(DefaultLiveMemoryLimit))
	case s.MemoryLimit > 0 && (s.MaxActiveFlows == 0 || n < s.MaxActiveFlows):
		from = "memory_limit " + formatSize(s.MemoryLimit)
	}
	return fmt.Sprintf("at most %d active flows (%s; the oldest goes first, expiration_id 2)", n, from)
}

func formatSize(n int64) string {
	for _, u := range []struct {
		name  string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d%s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
}
