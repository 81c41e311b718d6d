package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// Matcher decides whether a frame reaches the meter (the BPF filter).
// wireLen is the frame's length on the wire ("len", "greater", "less").
type Matcher interface {
	Match(linkType uint32, data []byte, wireLen uint32) bool
}

// Streamer holds NFStreamer's metering parameters.
type Streamer struct {
	DecodeTunnels    bool
	LinuxSLL2        bool // decode Linux cooked v2 frames (NFStream ignores them)
	PPI              bool // decode PPI frames (NFStream ignores them)
	IdleTimeoutSec   uint64
	ActiveTimeoutSec uint64
	AccountingMode   int
	MaxFlows         int64 // 0: unlimited
	MaxActiveFlows   int   // bound on the flow table (meter.Config.MaxActive); 0: none
	NMeters          int   // 0: one per core; any value gives the same output
}

// DefaultStreamer returns NFStreamer's defaults.
func DefaultStreamer() Streamer {
	return Streamer{DecodeTunnels: true, IdleTimeoutSec: 120, ActiveTimeoutSec: 1800}
}

// Env returns the feature environment for these parameters.
func (s Streamer) Env() features.Env {
	return features.Env{
		AccountingMode:   s.AccountingMode,
		DecodeTunnels:    s.DecodeTunnels,
		IdleTimeoutSec:   s.IdleTimeoutSec,
		ActiveTimeoutSec: s.ActiveTimeoutSec,
	}
}

func (s Streamer) decodeOptions() meter.DecodeOptions {
	return meter.DecodeOptions{Tunnels: s.DecodeTunnels, LinuxSLL2: s.LinuxSLL2, PPI: s.PPI}
}

func secToMs(s uint64) uint64 {
	if s > (1<<64-1)/1000 {
		return 1<<64 - 1
	}
	return s * 1000
}

// Job meters one capture (one Source) into one sink.
type Job struct {
	Source    Source
	Filter    Matcher // nil: every frame
	Streamer  Streamer
	Extractor *features.Extractor
	// Transform, when set, sees every record before the sink (labelers,
	// the source column) and returns the record to write. The view's Flow
	// is valid only during the call.
	Transform func(v features.View) (features.Record, error)
	Sink      Sink
	// Strict turns a damaged capture, or frames of a link type the meter
	// does not decode, into an error; otherwise OnWarning receives it (a
	// damaged capture ends the job with the flows read so far, an undecoded
	// link type warns once per file and link type).
	Strict    bool
	OnWarning func(error)
	// NewExtractor, when set, builds one more instance of the job's feature
	// sets; parallel metering needs one per worker. Without it (or when a
	// set may force expiry) the job meters on one goroutine.
	NewExtractor func() (*features.Extractor, error)
	// ReuseRecords lets a single-meter job hand the sink one record buffer
	// again and again; only for sinks (and a Transform) that keep nothing
	// of a record after Write returns, as the stages sinks do.
	ReuseRecords bool
	// FlushOnTick flushes a Flusher sink after every wall-clock tick
	// (live capture), so that flows reach a pipe as they expire.
	FlushOnTick bool
	// OnTick, when set, receives the job's counters on every wall-clock
	// tick, on the job's goroutine (the performance report).
	OnTick func(TickStats)
	// Part, when its Count is above 1, makes this job one machine's share
	// of a capture split by flow hash (FlowShard): it computes features
	// only for the flows of part Index. The others still take their ids,
	// so the owned flows keep the ids and order of a whole-capture job, but
	// build no record: OnForeign hears of each one, in emission order,
	// instead of the sink. Such a job meters on one goroutine.
	Part      FlowPart
	OnForeign func()
}

// TickStats is a job's progress at a tick.
type TickStats struct {
	Result
	// Processed counts frames the meter decoded; Balance splits them over
	// the meters (one entry per meter).
	Processed uint64
	Balance   []uint64
}

// Result summarises a finished job.
type Result struct {
	Frames, Ignored, Filtered uint64
	Flows                     int64
	// Evicted counts flows that left a full table (MaxActiveFlows) with
	// expiration_id 2.
	Evicted uint64
}

// FlowPart is one of Count parts of a capture split by flow hash.
type FlowPart struct{ Index, Count int }

// owns is the part's meter.Config.Owns (nil: the whole capture).
func (p FlowPart) owns() func(*meter.Key) bool {
	if p.Count <= 1 {
		return nil
	}
	return func(k *meter.Key) bool { return FlowShard(k, p.Count) == p.Index }
}

// FlowShard maps a flow's key to one of n parts, the same whichever
// direction the flow was first seen in (the key orders its two ends).
// FNV-1a, unseeded, so that every process on every machine agrees.
func FlowShard(k *meter.Key, n int) int {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, b := range k.LoIP {
		h = (h ^ uint64(b)) * prime
	}
	for _, b := range k.HiIP {
		h = (h ^ uint64(b)) * prime
	}
	for _, x := range [...]uint16{k.LoPort, k.HiPort, k.VLAN} {
		h = (h ^ uint64(x>>8)) * prime
		h = (h ^ uint64(x&0xff)) * prime
	}
	h = (h ^ uint64(k.Proto)) * prime
	h = (h ^ uint64(k.Tunnel)) * prime
	return int(h % uint64(n))
}

// Run reads the source to its end, meters it and writes every flow to the
// sink (which the caller Begins and Closes).
func (j *Job) Run(ctx context.Context) (Result, error) {
	if n := j.workers(); n > 1 {
		return j.runParallel(ctx, n)
	}
	var res Result
	var sinkErr error
	var recBuf features.Record
	id := int64(0)
	st := j.Streamer
	// done says the job should stop reading: the sink failed or MaxFlows
	// flows were emitted. It changes only when a flow is emitted, so it is
	// worked out then rather than for every frame.
	done := false
	isDone := func() bool { return sinkErr != nil || (st.MaxFlows > 0 && id >= st.MaxFlows) }
	emitFlow := func(f *meter.Flow) {
		if f.Foreign() {
			id++
			if j.OnForeign != nil {
				j.OnForeign()
			}
			return
		}
		var rec features.Record
		if j.ReuseRecords {
			recBuf = j.Extractor.RecordInto(recBuf, id, f)
			rec = recBuf
		} else {
			rec = j.Extractor.Record(id, f)
		}
		id++
		if j.Transform != nil {
			var err error
			if rec, err = j.Transform(features.View{Schema: j.Extractor.Schema(), Record: rec, Flow: f}); err != nil {
				sinkErr = err
				return
			}
		}
		if err := j.Sink.Write(rec); err != nil {
			sinkErr = err
		}
	}
	emit := func(f *meter.Flow) {
		if !done {
			emitFlow(f)
			done = isDone()
		}
	}
	m := meter.New(meter.Config{
		IdleTimeoutMs:   secToMs(st.IdleTimeoutSec),
		ActiveTimeoutMs: secToMs(st.ActiveTimeoutSec),
		AccountingMode:  st.AccountingMode,
		Decode:          st.decodeOptions(),
		MaxActive:       st.MaxActiveFlows,
		Hooks:           j.Extractor.Hooks(),
		Emit:            emit,
		Owns:            j.Part.owns(),
	})
	stopped, err := j.readFrames(ctx, &res, func(fr *Frame) (bool, bool) {
		if fr.Tick {
			m.Tick(fr.TimeMs)
			if sinkErr == nil {
				sinkErr = j.sinkTick()
			}
			if j.OnTick != nil {
				r := res
				r.Flows, r.Evicted = id, m.Evicted
				j.OnTick(TickStats{Result: r, Processed: m.Processed, Balance: []uint64{m.Processed}})
			}
			done = isDone()
			return true, done
		}
		return m.ProcessFrame(fr.LinkType, fr.Data, fr.WireLen, fr.TimeMs, fr.TimeUs()), done
	})
	if err != nil {
		return res, err
	}
	if sinkErr != nil {
		return res, sinkErr
	}
	res.Evicted = m.Evicted
	if stopped {
		res.Flows = id
		return res, nil
	}
	m.Flush()
	res.Flows = id
	return res, sinkErr
}

// sinkTick passes a wall-clock tick on to the sink: a rolling sink may
// close a part, and with FlushOnTick a streaming sink flushes.
func (j *Job) sinkTick() error {
	if ts, ok := j.Sink.(TickSink); ok {
		if err := ts.Tick(); err != nil {
			return err
		}
	}
	if fl, ok := j.Sink.(Flusher); ok && j.FlushOnTick {
		return fl.Flush()
	}
	return nil
}

// readFrames hands every frame that passes the filter to process until the
// source ends or process asks to stop (stopped reports that). A damaged
// capture ends the input with a warning, or with Strict an error; ctx is
// checked every few thousand frames. The frame process sees is valid only
// during the call.
func (j *Job) readFrames(ctx context.Context, res *Result, process func(fr *Frame) (metered, stop bool)) (stopped bool, err error) {
	links := linkCheck{opt: j.Streamer.decodeOptions()}
	src := batchesOf(j.Source)
	batch := make([]Frame, frameBatchSize)
	sinceCheck := ctxCheckEvery
	for {
		if sinceCheck >= ctxCheckEvery {
			if err := ctx.Err(); err != nil {
				return false, err
			}
			sinceCheck = 0
		}
		n, err := src.nextBatch(batch)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			var ce *CorruptError
			if errors.As(err, &ce) && !j.Strict {
				if j.OnWarning != nil {
					j.OnWarning(err)
				}
				return false, nil
			}
			return false, fmt.Errorf("reading capture: %w", err)
		}
		sinceCheck += n
		for i := range batch[:n] {
			fr := &batch[i]
			if fr.Tick {
				if ctx.Err() != nil { // a quiet link reads few frames
					return false, ctx.Err()
				}
				if _, stop := process(fr); stop {
					return true, nil
				}
				continue
			}
			res.Frames++
			if fr.LinkType != links.last || fr.File != links.file {
				if err := links.check(fr); err != nil {
					if j.Strict {
						return false, err
					}
					if j.OnWarning != nil {
						j.OnWarning(err)
					}
				}
			}
			if j.Filter != nil && !j.Filter.Match(fr.LinkType, fr.Data, fr.WireLen) {
				res.Filtered++
				continue
			}
			metered, stop := process(fr)
			if !metered {
				res.Ignored++
			}
			if stop {
				return true, nil
			}
		}
	}
}

// ctxCheckEvery is how many frames pass between two looks at the job's
// context: ctx.Err takes a lock.
const ctxCheckEvery = 4096

// linkCheck finds frames of link types the meter does not decode. The
// job compares each frame's link type and file with the last ones seen, so
// the common case (one link type per file) costs two compares per frame.
type linkCheck struct {
	opt    meter.DecodeOptions
	last   uint32
	file   string
	warned []LinkTypeError // each (file, link type) warns once
}

// maxLinkWarnings bounds the warnings of a pcapng file that declares a
// new interface of an odd link type for every packet.
const maxLinkWarnings = 16

func (c *linkCheck) check(fr *Frame) error {
	c.last, c.file = fr.LinkType, fr.File
	if meter.Decodes(fr.LinkType, c.opt) {
		return nil
	}
	e := LinkTypeError{File: fr.File, LinkType: fr.LinkType}
	if len(c.warned) >= maxLinkWarnings || slices.Contains(c.warned, e) {
		return nil
	}
	c.warned = append(c.warned, e)
	return &e
}
