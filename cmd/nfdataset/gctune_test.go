package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},         // before the first cycle: a 16 MiB goal
		{2 * mb, 450},    // goal max(2×5.5, 4×4.5) = 18 MiB = live + 16
		{4 * mb, 400},    // live + 16 = 20 MiB: 4 × 5
		{8 * mb, 200},    // 8 × 3 = 24 MiB
		{16 * mb, 100},   // the default from here on
		{1000 * mb, 100}, // never below it
		{mb / 2, 412},    // tiny live heaps: Go's minimum heap decides (16.5 / 4)
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("live %d bytes: GOGC %d, want %d", c.live, got, c.want)
		}
	}
}

// After each collection the tuner sets GOGC for the live heap it finds.
func TestGCTunerRetunesAfterCollections(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	tuner := &gcTuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, percent: 100}
	tuner.arm()
	deadline := time.Now().Add(10 * time.Second)
	for tuner.retuned.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the tuner ran after %d of the collections, want 2", tuner.retuned.Load())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	metrics.Read(tuner.sample)
	if got := debug.SetGCPercent(100); got != tuner.percent || got < 100 {
		t.Errorf("GOGC is %d after the tuner ran, want the tuner's %d (live heap %d bytes)", got, tuner.percent, tuner.sample[0].Value.Uint64())
	}
}
