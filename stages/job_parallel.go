package stages

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/sourcegraph/conc"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// workers resolves n_meters. 0 means one per core, the reading and
// sequencing goroutine taking one core as NFStream's streamer does (so
// cores − 1 workers, and on two cores a single inline meter, which is also
// the fastest there). 1, a job without an extractor factory, or feature
// sets that may force expiry run on one goroutine, and so does a job
// with a Part (a shard of a split capture: its machine's other cores meter
// other shards).
func (j *Job) workers() int {
	n := j.Streamer.NMeters
	if n == 0 {
		n = runtime.GOMAXPROCS(0) - 1
	}
	if n <= 1 || j.NewExtractor == nil || j.Part.Count > 1 || !meter.AllPassive(j.Extractor.Hooks()) {
		return 1
	}
	return n
}

const batchSize = 512

// batch carries commands to one worker; packet bytes are copied into arena
// because the source reuses its frame buffer.
type batch struct {
	cmds  []meter.Command
	offs  []int
	arena []byte
}

type emitted struct {
	id   int64
	rec  features.Record
	flow meter.Flow // a copy without Ext, for labelers' payload counters
}

func (j *Job) runParallel(ctx context.Context, n int) (Result, error) {
	var res Result
	st := j.Streamer
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	exts := make([]*features.Extractor, n)
	for i := range exts {
		e, err := j.NewExtractor()
		if err != nil {
			return res, err
		}
		exts[i] = e
	}
	free := make(chan *batch, n*8)
	for range n * 8 {
		free <- &batch{cmds: make([]meter.Command, 0, batchSize), offs: make([]int, 0, batchSize), arena: make([]byte, 0, 64<<10)}
	}
	work := make([]chan *batch, n)
	results := make(chan []emitted, n*4)
	var wg conc.WaitGroup
	var workersWG sync.WaitGroup
	for w := range n {
		work[w] = make(chan *batch, 4)
		ext := exts[w]
		var out []emitted
		store := meter.NewStore(st.AccountingMode, ext.Hooks(), func(id int64, f *meter.Flow) {
			fc := *f
			fc.Ext = nil
			out = append(out, emitted{id: id, rec: ext.Record(id, f), flow: fc})
		})
		workersWG.Add(1)
		wg.Go(func() {
			defer workersWG.Done()
			for b := range work[w] {
				for i := range b.cmds {
					store.Apply(&b.cmds[i])
				}
				if len(out) > 0 {
					results <- out
					out = nil
				}
				b.cmds, b.offs, b.arena = b.cmds[:0], b.offs[:0], b.arena[:0]
				free <- b
			}
		})
	}
	wg.Go(func() {
		workersWG.Wait()
		close(results)
	})

	// The merger writes records in id order: the canonical order.
	var mergeErr error
	var written int64
	mergeDone := make(chan struct{})
	go func() {
		defer close(mergeDone)
		pending := map[int64]emitted{}
		next := int64(0)
		for rs := range results {
			if mergeErr != nil {
				continue
			}
			if rs == nil {
				if err := j.sinkTick(); err != nil {
					mergeErr = err
					cancel()
				}
				continue
			}
			for _, r := range rs {
				pending[r.id] = r
			}
			for {
				r, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				rec := r.rec
				if j.Transform != nil {
					var err error
					if rec, err = j.Transform(features.View{Schema: j.Extractor.Schema(), Record: rec, Flow: &r.flow}); err != nil {
						mergeErr = err
						cancel()
						break
					}
				}
				if err := j.Sink.Write(rec); err != nil {
					mergeErr = err
					cancel()
					break
				}
				written++
			}
		}
	}()

	cur := make([]*batch, n)
	dispatch := func(w int) {
		b := cur[w]
		for i := range b.cmds {
			if ip := b.cmds[i].Pkt.IPPacket; ip != nil {
				b.cmds[i].Pkt.IPPacket = b.arena[b.offs[i] : b.offs[i]+len(ip)]
			}
		}
		work[w] <- b
		cur[w] = nil
	}
	seq := meter.NewSequencer(meter.SequencerConfig{
		IdleTimeoutMs:   secToMs(st.IdleTimeoutSec),
		ActiveTimeoutMs: secToMs(st.ActiveTimeoutSec),
		Decode:          st.decodeOptions(),
		Workers:         n,
		MaxFlows:        st.MaxFlows,
		MaxActive:       st.MaxActiveFlows,
		BytesPackets:    meter.BytesPackets(exts[0].Hooks()),
	}, func(w int, c *meter.Command) {
		b := cur[w]
		if b == nil {
			b = <-free
			cur[w] = b
		}
		b.offs = append(b.offs, len(b.arena))
		if c.Pkt.IPPacket != nil {
			b.arena = append(b.arena, c.Pkt.IPPacket...)
		}
		b.cmds = append(b.cmds, *c)
		if len(b.cmds) == batchSize {
			dispatch(w)
		}
	})

	stopped, runErr := j.readFrames(ctx, &res, func(fr *Frame) (bool, bool) {
		if fr.Tick {
			// Flows the tick expires must reach the sink now, not when a
			// batch fills up.
			seq.Tick(fr.TimeMs)
			for w := range n {
				if cur[w] != nil && len(cur[w].cmds) > 0 {
					dispatch(w)
				}
			}
			results <- nil // the merger passes the tick on to the sink
			if j.OnTick != nil {
				r := res
				r.Flows, r.Evicted = seq.Emitted(), seq.Evicted
				j.OnTick(TickStats{Result: r, Processed: seq.Processed, Balance: slices.Clone(seq.PerWorker)})
			}
			return true, seq.Done()
		}
		return seq.ProcessFrame(fr.LinkType, fr.Data, fr.WireLen, fr.TimeMs, fr.TimeUs()), seq.Done()
	})
	if runErr == nil && !stopped {
		seq.Flush()
	}
	for w := range n {
		if cur[w] != nil && len(cur[w].cmds) > 0 {
			dispatch(w)
		}
		close(work[w])
	}
	wg.Wait()
	<-mergeDone
	res.Flows, res.Evicted = written, seq.Evicted
	if runErr != nil {
		return res, runErr
	}
	if mergeErr != nil {
		return res, mergeErr
	}
	return res, nil
}
