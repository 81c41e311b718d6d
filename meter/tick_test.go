package meter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tickStep is a packet (port > 0) or a wall-clock tick (port 0) at a time.
type tickStep struct {
	atMs uint64
	port uint16
}

type expiry struct {
	Port   uint16
	Reason int8
	Step   int // index of the step during which the flow came out
}

// TestTick checks the live wall-clock tick on the single meter and on the
// sequencer: with idle 5 s and active 4 s, a flow comes out at the first
// tick at or past last_seen + idle or first_seen + active, in creation
// order, and a flow that is due neither way stays in the table.
func TestTick(t *testing.T) {
	steps := []tickStep{
		{1000, 1001}, // A: created, then quiet: idle at 4000
		{1200, 1002}, // B: busy, active at 5200
		{2500, 1002},
		{3000, 1003}, // C: created later, then quiet: idle at 6000
		{3900, 1002},
		{3999, 0}, // nothing due
		{4000, 0}, // A idle
		{5000, 1002},
		{5199, 0},    // nothing due
		{5200, 0},    // B active
		{5999, 0},    // nothing due
		{6000, 0},    // C idle
		{9000, 1004}, // D after the ticks: packets still meter
		{9000, 0},
	}
	want := []expiry{{1001, ExpireIdle, 6}, {1002, ExpireActive, 9}, {1003, ExpireIdle, 11}, {1004, ExpireIdle, len(steps)}}
	cfg := Config{IdleTimeoutMs: 3000, ActiveTimeoutMs: 4000}

	t.Run("meter", func(t *testing.T) {
		var got []expiry
		step := 0
		c := cfg
		c.Emit = func(f *Flow) { got = append(got, expiry{f.DstPort, f.ExpirationID, step}) }
		m := New(c)
		for i, s := range steps {
			step = i
			if s.port == 0 {
				m.Tick(s.atMs)
				continue
			}
			b := frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 40000, s.port, 10)
			m.Process(LinkEthernet, b, uint32(len(b)), s.atMs)
		}
		step = len(steps)
		m.Flush()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("expiries (-want +got):\n%s", d)
		}
	})
	t.Run("sequencer", func(t *testing.T) {
		var got []expiry
		step := 0
		store := NewStore(0, nil, func(id int64, f *Flow) { got = append(got, expiry{f.DstPort, f.ExpirationID, step}) })
		seq := NewSequencer(SequencerConfig{IdleTimeoutMs: cfg.IdleTimeoutMs, ActiveTimeoutMs: cfg.ActiveTimeoutMs, Workers: 1, BytesPackets: -1},
			func(_ int, c *Command) { store.Apply(c) })
		for i, s := range steps {
			step = i
			if s.port == 0 {
				seq.Tick(s.atMs)
				continue
			}
			b := frame(17, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}, 40000, s.port, 10)
			seq.Process(LinkEthernet, b, uint32(len(b)), s.atMs)
		}
		step = len(steps)
		seq.Flush()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("expiries (-want +got):\n%s", d)
		}
	})
}
