package meter

import (
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// countHook counts the flows and packets it saw; passive says whether it
// declares itself Passive (see passiveCount).
type countHook struct {
	Inits, Updates, Expires int
	// EndAt, when > 0, forces a flow out at its EndAt-th packet, as
	// tcp_teardown or a flow slicer does.
	EndAt uint64
}

func (h *countHook) Init(p *Packet, f *Flow) { h.Inits++; h.end(f) }
func (h *countHook) Update(p *Packet, f *Flow) {
	h.Updates++
	h.end(f)
}
func (h *countHook) Expire(f *Flow) { h.Expires++ }
func (h *countHook) end(f *Flow) {
	if h.EndAt > 0 && f.Packets == h.EndAt {
		f.ExpirationID = ExpireCustom
	}
}

type passiveCount struct{ countHook }

func (*passiveCount) PassiveHook() {}

type emittedFlow struct {
	Key                 Key
	FirstSeen, LastSeen uint64
	Packets             uint64
	ExpirationID        int8
	Foreign             bool
}

// ownsRun meters a fixed packet sequence: 40 UDP flows of 5 packets each,
// interleaved, with an idle gap that Expires the first half by timeout.
func ownsRun(t *testing.T, owns func(*Key) bool, hooks ...Hook) []emittedFlow {
	t.Helper()
	var out []emittedFlow
	m := New(Config{IdleTimeoutMs: 1000, ActiveTimeoutMs: 1 << 40, Hooks: hooks, Owns: owns,
		Emit: func(f *Flow) {
			out = append(out, emittedFlow{f.Key, f.FirstSeen, f.LastSeen, f.Packets, f.ExpirationID, f.Foreign()})
		}})
	ms := uint64(1)
	for round := range 2 {
		for pkt := range 5 {
			for i := range 20 {
				src := [4]byte{10, 0, byte(round), byte(i)}
				fr := frame(17, src, [4]byte{10, 1, 0, 1}, uint16(1000+i), 53, 10)
				if pkt%2 == 1 { // replies: the same flow the other way
					fr = frame(17, [4]byte{10, 1, 0, 1}, src, 53, uint16(1000+i), 10)
				}
				if !m.Process(LinkEthernet, fr, uint32(len(fr)), ms) {
					t.Fatal("frame ignored")
				}
				ms++
			}
		}
		ms += 5000
	}
	m.Flush()
	return out
}

func TestOwnsSkipsPassiveHooks(t *testing.T) {
	half := func(k *Key) bool { return k.LoIP[15]%2 == 0 }
	for _, endAt := range []uint64{0, 3} {
		var allP passiveCount
		all := countHook{EndAt: endAt}
		want := ownsRun(t, nil, &allP, &all)

		var shardP passiveCount
		shard := countHook{EndAt: endAt}
		got := ownsRun(t, half, &shardP, &shard)

		// Lifetimes, ids (emission order) and expiry reasons must not
		// depend on ownership; only the Foreign mark differs.
		owned := 0
		for i := range want {
			if i < len(got) {
				if got[i].Foreign == half(&got[i].Key) {
					t.Errorf("endAt %d: flow %d foreign = %v, but Owns says %v", endAt, i, got[i].Foreign, half(&got[i].Key))
				}
				if !got[i].Foreign {
					owned++
				}
				want[i].Foreign = got[i].Foreign
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("endAt %d: emitted flows differ from a meter owning all (-all +owned half):\n%s", endAt, d)
		}
		if owned == 0 || owned == len(got) {
			t.Fatalf("endAt %d: %d of %d flows owned; the test needs both kinds", endAt, owned, len(got))
		}
		// The hook that may force expiry sees everything, the passive one
		// only the owned flows.
		if d := cmp.Diff(all, shard); d != "" {
			t.Errorf("endAt %d: non-passive hook saw different work (-all +shard):\n%s", endAt, d)
		}
		if shardP.Inits != owned || shardP.Expires != owned {
			t.Errorf("endAt %d: passive hook saw %d Inits, %d expiries; want %d owned flows", endAt, shardP.Inits, shardP.Expires, owned)
		}
		if shardP.Updates >= allP.Updates || shardP.Updates == 0 {
			t.Errorf("endAt %d: passive hook saw %d Updates, all-owning meter %d", endAt, shardP.Updates, allP.Updates)
		}
	}
}

// Foreign lives in padding: a field added before FirstSeen must not push
// the flow past one 64-byte line of header fields.
func TestFlowHeaderSize(t *testing.T) {
	var f Flow
	if off := unsafe.Offsetof(f.FirstSeen); off != 64 {
		t.Errorf("Flow.FirstSeen at offset %d, want 64 (the header fields grew)", off)
	}
}
