package meter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// evictStep is one UDP packet to port at a time (ms).
type evictStep struct {
	atMs uint64
	port uint16
}

type evicted struct {
	Port    uint16
	Reason  int8
	Packets uint64
}

// runEvict meters steps on the single meter (workers 0) or the sequencer
// with that many stores, and returns the flows in emission order.
func runEvict(steps []evictStep, cfg Config, workers int) (got []evicted, nEvicted uint64) {
	pkt := func(s evictStep) []byte {
		return frame(17, [4]byte{10, 0, byte(s.port >> 8), byte(s.port)}, [4]byte{10, 0, 0, 2}, 40000, s.port, 10)
	}
	if workers == 0 {
		c := cfg
		c.Emit = func(f *Flow) { got = append(got, evicted{f.DstPort, f.ExpirationID, f.Packets}) }
		m := New(c)
		for _, s := range steps {
			b := pkt(s)
			m.Process(LinkEthernet, b, uint32(len(b)), s.atMs)
		}
		m.Flush()
		return got, m.Evicted
	}
	byID := map[int64]evicted{}
	stores := make([]*Store, workers)
	for w := range stores {
		stores[w] = NewStore(0, nil, func(id int64, f *Flow) { byID[id] = evicted{f.DstPort, f.ExpirationID, f.Packets} })
	}
	seq := NewSequencer(SequencerConfig{IdleTimeoutMs: cfg.IdleTimeoutMs, ActiveTimeoutMs: cfg.ActiveTimeoutMs,
		Workers: workers, MaxActive: cfg.MaxActive, BytesPackets: -1},
		func(w int, c *Command) { stores[w].Apply(c) })
	for _, s := range steps {
		b := pkt(s)
		seq.Process(LinkEthernet, b, uint32(len(b)), s.atMs)
	}
	seq.Flush()
	for id := range int64(len(byID)) {
		got = append(got, byID[id])
	}
	return got, seq.Evicted
}

// TestEvictionPolicy: in a full table the oldest created flow leaves; it
// is idle (0) when its idle timeout has passed at the new packet's time,
// else evicted (2). Times stay inside one 10 ms scan period, so the
// packet-driven scan never runs and only eviction takes flows out.
func TestEvictionPolicy(t *testing.T) {
	steps := []evictStep{
		{1, 1}, // A
		{2, 2}, // B
		{3, 1}, // A again: no new flow, nothing leaves
		{8, 3}, // C: full; A (last 3) is idle at 8 − 5 → A idle
		{9, 4}, // D: full; B (last 2) idle → B idle
		{9, 5}, // E: full; C (last 8) not idle → C evicted
		{9, 4}, // D again
		{9, 6}, // F: full; D evicted
	}
	cfg := Config{IdleTimeoutMs: 5, ActiveTimeoutMs: 1000, MaxActive: 2}
	want := []evicted{
		{1, ExpireIdle, 2}, {2, ExpireIdle, 1}, {3, ExpireEvicted, 1}, {4, ExpireEvicted, 2},
		{5, ExpireIdle, 1}, {6, ExpireIdle, 1}, // end of input
	}
	for _, workers := range []int{0, 1, 2, 3} {
		got, n := runEvict(steps, cfg, workers)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("workers %d: flows (-want +got):\n%s", workers, d)
		}
		if n != 2 {
			t.Errorf("workers %d: %d evictions counted, want 2", workers, n)
		}
	}
}

// TestEvictionFlood: a generated flood of one-packet flows among a few
// long ones, with a limit far below the flows created. The single meter
// and the sequencer over 1, 2 and 3 stores emit the same flows in the same
// order, the table never holds more than the limit, and the counts match
// a hand count: with idle and active timeouts out of reach every flow but
// the last limit created is evicted.
func TestEvictionFlood(t *testing.T) {
	const limit, flood = 100, 5000
	var steps []evictStep
	for i := range flood {
		// Ports 1..4 recur (long flows); the others are new each time.
		port := uint16(10 + i)
		if i%10 == 0 {
			port = uint16(1 + i/10%4)
		}
		steps = append(steps, evictStep{atMs: uint64(i), port: port})
	}
	cfg := Config{IdleTimeoutMs: 1 << 40, ActiveTimeoutMs: 1 << 40, MaxActive: limit}
	want, nWant := runEvict(steps, cfg, 0)
	var evictions, idle, packets uint64
	for _, f := range want {
		switch f.Reason {
		case ExpireEvicted:
			evictions++
		case ExpireIdle:
			idle++
		}
		packets += f.Packets
	}
	// Only the end of input expires flows idle: the last limit created.
	if idle != limit || evictions != nWant || int(evictions) != len(want)-limit || packets != flood {
		t.Fatalf("%d flows: %d evicted (counted %d), %d at the end, %d packets; want %d evicted, %d at the end, %d packets",
			len(want), evictions, nWant, idle, packets, len(want)-limit, limit, flood)
	}
	for _, workers := range []int{1, 2, 3} {
		got, n := runEvict(steps, cfg, workers)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("workers %d differ from one meter (-meter +sequencer):\n%.2000s", workers, d)
		}
		if n != nWant {
			t.Errorf("workers %d: %d evictions, want %d", workers, n, nWant)
		}
	}
	m := New(cfg)
	for _, s := range steps {
		b := frame(17, [4]byte{10, 0, byte(s.port >> 8), byte(s.port)}, [4]byte{10, 0, 0, 2}, 40000, s.port, 10)
		m.Process(LinkEthernet, b, uint32(len(b)), s.atMs)
		if m.Active() > limit {
			t.Fatalf("%d flows in the table, limit %d", m.Active(), limit)
		}
	}
}

// TestEvictionNoAllocs: under a flood at the limit, each new flow takes
// the place (and the recycled Flow) of the one it evicts, so creating
// flows allocates nothing once the table is full.
func TestEvictionNoAllocs(t *testing.T) {
	const limit = 1000
	m := New(Config{IdleTimeoutMs: 1 << 40, ActiveTimeoutMs: 1 << 40, MaxActive: limit})
	fr := frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 1234, 53, 10)
	ip := fr[14:]
	i := 0
	next := func() {
		i++
		ip[12], ip[13], ip[14] = byte(i>>16), byte(i>>8), byte(i)
		m.Process(LinkEthernet, fr, uint32(len(fr)), uint64(i))
	}
	for range 4 * limit {
		next()
	}
	if allocs := testing.AllocsPerRun(5000, next); allocs != 0 {
		t.Errorf("%.2f allocations per new flow at the limit, want 0", allocs)
	}
	if m.Evicted == 0 || m.Active() != limit {
		t.Errorf("%d evicted, %d active; want evictions and %d active", m.Evicted, m.Active(), limit)
	}
}
