package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// gcHeadroom is how far the heap may grow past its live size before the
// collector runs again, at least.
const gcHeadroom = 16 << 20

// goMinHeap is the Go runtime's smallest heap goal at GOGC=100; it scales
// with GOGC.
const goMinHeap = 4 << 20

// tuneGC lets the heap grow by gcHeadroom between two collections where Go's
// default, doubling the live heap, would collect far more often. A metering
// run's live heap is small (a few megabytes: the flow table) while it
// allocates steadily (the features' per-flow state, the records), so by
// default the collector ran every 2 to 4 MB of allocation. Its marking and
// the write barriers it switches on were a fifth of a default run's
// instructions. Once the live heap exceeds gcHeadroom, GOGC stays at 100,
// as without this, so a large flow table does not grow the heap's share. A
// GOGC or GOMEMLIMIT in the environment is the user's, and wins.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	t := &gcTuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.set(gcPercentFor(0))
	t.arm()
}

// gcPercentFor is the GOGC that puts the next heap goal at live +
// gcHeadroom (live = 0 before the first cycle), without letting Go's
// minimum heap, which GOGC scales, go above that, and never below 100.
func gcPercentFor(live uint64) int {
	p := uint64((gcHeadroom + live) * 100 / goMinHeap)
	if live > 0 {
		p = min(p, gcHeadroom*100/live)
	}
	return int(max(p, 100))
}

type gcTuner struct {
	sample  []metrics.Sample
	percent int
	retuned atomic.Int64 // collections seen, for the tests
}

func (t *gcTuner) set(p int) {
	if p != t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
}

// arm sets a finalizer on an object nothing references: it runs after the
// next collection, retunes, and arms itself again.
func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcCycle{t: t}, func(c *gcCycle) {
		metrics.Read(c.t.sample)
		if s := c.t.sample[0]; s.Value.Kind() == metrics.KindUint64 {
			c.t.set(gcPercentFor(s.Value.Uint64()))
		}
		c.t.retuned.Add(1)
		c.t.arm()
	})
}

// gcCycle holds a pointer, so it is not a tiny allocation, whose finalizer
// could wait on its neighbours.
type gcCycle struct{ t *gcTuner }
