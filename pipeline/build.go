package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
	"github.com/nfdataset/nfdataset/stages"
)

// BuildOptions are the command line's choices; none of them changes the
// dataset's bytes.
type BuildOptions struct {
	Jobs     int  // jobs run at once; 0 means the number of cores
	Force    bool // recompute every job even when cached
	Progress *Progress
	// Warn receives damaged-capture warnings as they happen.
	Warn func(job string, err error)
	// Report receives live inputs' performance reports (performance_report
	// > 0), ReportJSON every live input's reports as JSON lines (every
	// performance_report seconds, or every second when that is 0).
	Report, ReportJSON io.Writer
	// Stop, when done, ends live captures as their stop conditions do:
	// open flows expire and the dataset is finished (the first SIGINT).
	// Cancelling Build's context instead aborts (the second). Nil: live
	// captures stop only on their own conditions or when ctx ends.
	Stop context.Context
}

// Summary is what a build did.
type Summary struct {
	Dir        string
	Jobs       int
	Computed   int // jobs metered
	Cached     int // jobs taken from the cache
	Rows       int64
	Files      []FileInfo
	InputBytes int64
	Elapsed    time.Duration
	Provenance *Provenance
	Warnings   int
}

// errBusy reports a dataset directory another build holds.
var errBusy = errors.New("another build is writing this dataset (OUT/.cache/lock is held)")

// cache layout: OUT/.cache/jobs/KEY.rec (records) and KEY.json (jobMeta,
// written last: its presence marks a complete entry).
const cacheDirName = ".cache"

func cacheDir(out string) string { return filepath.Join(out, cacheDirName, "jobs") }

// jobMeta is the cached summary of one job.
type jobMeta struct {
	Cache    int             `json:"cache"`
	Key      string          `json:"key"`
	Columns  []ColumnInfo    `json:"columns"`
	Stats    JobStats        `json:"stats"`
	Warnings []string        `json:"warnings,omitempty"`
	Records  int64           `json:"records"`
	Schema   features.Schema `json:"-"`
}

func readJobMeta(out, key string) (*jobMeta, error) {
	b, err := os.ReadFile(filepath.Join(cacheDir(out), key+".json"))
	if err != nil {
		return nil, err
	}
	var m jobMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Cache != cacheVersion || m.Key != key {
		return nil, errors.New("stale cache entry")
	}
	if _, err := os.Stat(filepath.Join(cacheDir(out), key+".rec")); err != nil {
		return nil, err
	}
	return &m, nil
}

func cacheValid(out, key string) bool {
	_, err := readJobMeta(out, key)
	return err == nil
}

// Build runs the plan's jobs (those not cached, or all with Force), then
// assembles the dataset in p.OutDir and writes dataset.json. On error or
// cancellation nothing is published under the final names; finished jobs
// stay in the cache for the next run.
func Build(ctx context.Context, p *Plan, opts BuildOptions) (*Summary, error) {
	start := time.Now()
	prog := opts.Progress
	if prog == nil {
		prog = &Progress{}
	}
	if err := os.MkdirAll(cacheDir(p.OutDir), 0o777); err != nil {
		return nil, fmt.Errorf("output %s: %w", p.OutDir, err)
	}
	unlock, err := lockDir(p.OutDir)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", p.OutDir, err)
	}
	defer unlock()
	// Temporary files of builds killed before us (we hold the lock, so no
	// live process owns them).
	removeStrays(p.OutDir)
	p.digests.save(p.OutDir)
	var todo []*Job
	for _, job := range p.Jobs {
		if opts.Force || !job.Cached {
			todo = append(todo, job)
		}
	}
	prog.start(p, todo)
	sum := &Summary{Dir: p.OutDir, Jobs: len(p.Jobs), Computed: len(todo), Cached: len(p.Jobs) - len(todo)}
	if p.hasLive() {
		p.reportText, p.reportJSON = opts.Report, opts.ReportJSON
		return p.buildLive(ctx, opts, prog, sum, start)
	}
	var prov *Provenance
	var files []FileInfo
	if len(p.Jobs) == 1 && len(todo) == 1 {
		prov, files, err = p.buildStreaming(ctx, opts, todo[0], prog)
	} else {
		err = p.runJobs(ctx, opts, todo, prog, cacheDir(p.OutDir), func(*Job) *splitPart { return nil })
		p.digests.save(p.OutDir) // what hashLater jobs learnt
		if err == nil {
			prov, files, err = p.assemble(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	for _, job := range p.Jobs {
		sum.InputBytes += job.Size()
	}
	for _, in := range prov.Inputs {
		sum.Warnings += len(in.Warnings)
	}
	sum.Rows = prov.Rows
	sum.Files = files
	sum.Provenance = prov
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// extraSchema is what a cached record holds beyond the feature columns:
// the always-available counters labelers may read (features.ExtraColumns).
func extraSchema() features.Schema { return features.ExtraColumns() }

// runJobs runs todo on opts.Jobs goroutines (0: one per core), each job
// writing into dir; partOf gives the split a job computes (nil: all its
// flows). The first error cancels the rest; cancellation wins over the
// errors it causes.
func (p *Plan) runJobs(ctx context.Context, opts BuildOptions, todo []*Job, prog *Progress, dir string, partOf func(*Job) *splitPart) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	pl := pool.New().WithMaxGoroutines(jobs).WithContext(ctx).WithCancelOnError().WithFirstError()
	for _, job := range todo {
		part := partOf(job)
		pl.Go(func(ctx context.Context) error {
			err := p.runJob(ctx, opts.Stop, job, prog, opts.Warn, dir, part)
			prog.jobDone(job)
			return err
		})
	}
	if err := pl.Wait(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return err
	}
	return ctx.Err()
}

// runJob meters one input into DIR/KEY.{rec,json} (DIR is OUT/.cache/jobs,
// or a shard's area). With part set, only the flows that part owns are
// written, and their positions in the whole job go to part.idx.
func (p *Plan) runJob(ctx, stop context.Context, job *Job, prog *Progress, warn func(string, error), dir string, part *splitPart) error {
	_, err := p.runJobTo(ctx, stop, job, prog, warn, dir, part, nil, nil)
	return err
}

// runJobTo is runJob, or with direct set, a job whose records go to direct
// instead of the cache (a live build streams them into its rolling
// dataset); with tee set, every record also goes to tee as it is written
// to the cache. It returns the job's summary.
func (p *Plan) runJobTo(ctx, stop context.Context, job *Job, prog *Progress, warn func(string, error), dir string, part *splitPart,
	direct stages.Sink, tee func(features.Record) error) (*jobMeta, error) {
	m := p.Manifest
	ex, err := features.NewExtractor(p.Requests, m.Streamer.Stages().Env())
	if err != nil {
		return nil, err
	}
	filter, err := compileBPF(m.Streamer.BPFFilter)
	if err != nil {
		return nil, err
	}
	streamer := m.Streamer.Stages()
	flowLimit := m.Streamer.FlowLimit(job.Input.Live != nil, p.Requests)
	streamer.MaxActiveFlows = int(flowLimit)
	var src stages.Source
	var raw stages.Source // the files' reader, when the input is files
	var hashes []*readHash
	var live *liveRun
	if l := job.Input.Live; l != nil {
		if stop == nil {
			stop = ctx
		}
		if live, err = startLive(stop, l, m.Streamer); err != nil {
			return nil, fmt.Errorf("input %s: %w", job.Name, err)
		}
		defer live.src.Close()
		src = live.src
		if l.Flows > 0 && (streamer.MaxFlows == 0 || l.Flows < streamer.MaxFlows) {
			streamer.MaxFlows = l.Flows
		}
	} else {
		var paths []string
		for _, f := range job.Files {
			paths = append(paths, f.Path)
		}
		var opened stages.Source
		if job.hashLater {
			hashes = make([]*readHash, len(paths))
			for i := range hashes {
				hashes[i] = newReadHash()
			}
			opened, err = stages.OpenFilesTee(ctx, paths, func(i int) io.Writer { return hashes[i] })
		} else {
			opened, err = stages.OpenFiles(paths)
		}
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", job.Name, err)
		}
		// A capture that is read rather than mapped is read (and a
		// hashLater job's files hashed) on another goroutine while this one
		// meters; a mapped one is cut into records here, and hashed on a
		// goroutine of its own.
		raw = stages.Prefetch(opened)
		defer raw.Close()
		src = raw
	}
	// editcap -D, then reordercap: the order of the usual clean-up.
	var dedup *dedupSource
	if job.Input.DedupWindow > 0 {
		dedup = newDedupSource(src, int(job.Input.DedupWindow))
		src = dedup
	}
	if job.Input.Reorder {
		ro := newReorderSource(src, dir)
		defer ro.Close() // removes its spill file; closing raw twice is harmless
		src = ro
	}
	prog.track(job, src)

	schema := append(append(features.Schema(nil), ex.Schema()...), extraSchema()...)
	tmpName := job.Key
	if job.hashLater {
		tmpName = fmt.Sprintf("job%d", job.Index)
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%s", tmpName, strconv.FormatUint(rand.Uint64(), 36)))
	ok := false
	var sink stages.Sink
	var rw *recordWriter
	var f *os.File
	if direct != nil {
		sink = direct
	} else {
		if f, err = os.Create(tmp); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		defer func() {
			if !ok {
				f.Close()
				os.Remove(tmp)
			}
		}()
		if rw, err = newRecordWriter(f, schema); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
		sink = recordSink{rw}
	}
	if part != nil {
		if err := part.open(dir, job.Key); err != nil {
			return nil, fmt.Errorf("shard: %w", err)
		}
		defer part.abort()
		sink = part.sink(rw)
	}
	if tee != nil {
		sink = teeSink{sink, tee}
	}
	var warnings []string
	extras := extraSchema()
	var slab features.Record // records are cut from it, recordSlab at a time
	j := stages.Job{
		Source:    src,
		Filter:    filter,
		Streamer:  streamer,
		Extractor: ex,
		// The extractor fills one buffer again and again and Transform
		// copies it, with the extra columns, into a record the sinks may
		// keep: one allocation per recordSlab records instead of two per
		// record (a record of the default sets is 5 KB).
		ReuseRecords: true,
		Transform: func(v features.View) (features.Record, error) {
			n := len(v.Record) + len(extras)
			if len(slab) < n {
				slab = make(features.Record, n*recordSlab)
			}
			rec := slab[:n:n]
			slab = slab[n:]
			copy(rec, v.Record)
			rec.OwnLists() // the extractor's lists are the flow's
			for i, c := range extras {
				val, _, _ := v.Value(c.Name)
				rec[len(v.Record)+i] = val
			}
			prog.flows.Add(1)
			return rec, nil
		},
		Sink:        sink,
		FlushOnTick: direct != nil,
		OnWarning: func(err error) {
			warnings = append(warnings, cachedWarning(job, err))
			if warn != nil {
				warn(job.Name, err)
			}
		},
	}
	if part != nil {
		j.Part = part.flowPart()
		j.OnForeign = func() {
			prog.flows.Add(1)
			part.foreign()
		}
	}
	if job.Input.Live != nil {
		// Live jobs run one at a time, so n_meters spreads the metering
		// of one capture over cores; files are spread over the job pool.
		j.NewExtractor = func() (*features.Extractor, error) {
			return features.NewExtractor(p.Requests, m.Streamer.Stages().Env())
		}
	}
	var rep *Reporter
	if l := job.Input.Live; l != nil && (l.PerformanceReport > 0 || p.reportJSON != nil) {
		var text io.Writer
		if l.PerformanceReport > 0 {
			text = p.reportText
		}
		rep = NewReporter(job.Name, l.Interface, live.src, time.Duration(l.PerformanceReport)*time.Second, text, p.reportJSON)
	}
	if l := job.Input.Live; l != nil {
		j.OnTick = prog.liveTicker(l.Interface, live, rep)
		defer prog.live.Store(nil)
	}
	res, err := j.Run(ctx)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", job.Name, err)
	}
	if rep != nil {
		rep.Write(stages.TickStats{Result: res, Processed: res.Frames - res.Filtered - res.Ignored})
		if rep.Err != nil {
			return nil, fmt.Errorf("--report-json: %w", rep.Err)
		}
	}
	if job.hashLater {
		// The reader must be stopped before its hashes are read.
		raw.Close()
		for i, h := range hashes {
			f := &job.Files[i]
			size, sum, err := h.finish(f.Path)
			if err != nil {
				return nil, fmt.Errorf("input %s: %w", job.Name, err)
			}
			f.Size, f.SHA256 = size, sum
			p.digests.store(f.Path, size, sum)
		}
		job.Key = p.cacheKey(job)
		job.hashLater = false
	}
	meta := &jobMeta{Cache: cacheVersion, Key: job.Key, Columns: columnInfos(schema), Records: res.Flows, Warnings: warnings,
		Stats: JobStats{Frames: res.Frames, Filtered: res.Filtered, Ignored: res.Ignored, Flows: res.Flows}}
	if dedup != nil {
		meta.Stats.Duplicates = dedup.Dropped
	}
	if flowLimit > 0 {
		meta.Stats.Eviction = &EvictionStats{MaxActiveFlows: flowLimit, Evicted: res.Evicted}
	}
	if live != nil {
		meta.Stats.Live = live.stats(res, streamer.MaxFlows)
	}
	if direct != nil {
		return meta, nil
	}
	meta.Records = rw.n
	if err := rw.Close(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if part != nil {
		if err := part.finish(); err != nil {
			return nil, fmt.Errorf("shard: %w", err)
		}
	}
	recPath := filepath.Join(dir, job.Key+".rec")
	if err := os.Rename(tmp, recPath); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	ok = true
	b, _ := json.MarshalIndent(meta, "", "  ")
	return meta, writeFileAtomic(filepath.Join(dir, job.Key+".json"), b)
}

// buildStreaming builds a dataset of one job that must be metered: its
// records go to the cache and, at the same time, through the labelers to
// the dataset's parts, instead of being read back from the cache once the
// job is done. The part files' footers wait for the provenance, which is
// known only at the end. The bytes are those of assemble.
func (p *Plan) buildStreaming(ctx context.Context, opts BuildOptions, job *Job, prog *Progress) (*Provenance, []FileInfo, error) {
	a, err := p.newAssembly()
	if err != nil {
		return nil, nil, err
	}
	sink, w, err := p.datasetSink(a, nil)
	if err != nil {
		return nil, nil, err
	}
	rows := newRowStream(job.Name, newRowAssembler(job.Name, a.cached, a.labelSchema, a.der, a.ls, a.nfeat, a.sel), w)
	_, err = p.runJobTo(ctx, opts.Stop, job, prog, opts.Warn, cacheDir(p.OutDir), nil, nil, rows.add)
	prog.jobDone(job)
	if rowsErr := rows.close(); rowsErr != nil {
		err = rowsErr // the cause of the job's errRowStream
	}
	p.digests.save(p.OutDir) // what a hashLater job learnt
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = ctxErr // cancellation wins over the errors it causes
	}
	if err != nil {
		sink.Abort()
		return nil, nil, err
	}
	if _, err := p.inputsProvenance(a); err != nil {
		sink.Abort()
		return nil, nil, err
	}
	for i, l := range a.ls {
		a.prov.Labelers[i].Report = l.Report()
	}
	sink.SetMetadata(metadataFacts(a.prov))
	return p.publish(a, sink)
}

// recordSlab is how many records a job's Transform cuts from one allocation.
const recordSlab = 64

// rowStream turns a job's records into dataset rows on a goroutine of its
// own, so that labelling, encoding and compressing the dataset overlap
// metering. Records are handed over in batches; after an error, the rest
// are dropped and add reports it, which stops the job.
type rowStream struct {
	name  string
	batch []features.Record
	ch    chan []features.Record
	done  chan struct{}
	err   error       // the consumer's, read after done
	fail  atomic.Bool // set with err, for add
	n     int         // rows made, on the consumer's side
	row   func(features.Record) (features.Record, error)
	out   stages.Sink
}

const rowStreamBatch = 1024

func newRowStream(name string, row func(features.Record) (features.Record, error), out stages.Sink) *rowStream {
	s := &rowStream{name: name, row: row, out: out, ch: make(chan []features.Record, 4), done: make(chan struct{})}
	go s.consume()
	return s
}

func (s *rowStream) consume() {
	defer close(s.done)
	for batch := range s.ch {
		if s.err != nil {
			continue
		}
		for _, rec := range batch {
			r, err := s.row(rec)
			if err == nil {
				err = s.out.Write(r)
			} else {
				err = fmt.Errorf("input %s: flow %d: %w", s.name, s.n, err)
			}
			if err != nil {
				s.err = err
				s.fail.Store(true)
				break
			}
			s.n++
		}
	}
}

// add takes a record the job also wrote to the cache (it owns its memory).
func (s *rowStream) add(rec features.Record) error {
	if s.fail.Load() {
		return errRowStream
	}
	s.batch = append(s.batch, rec)
	if len(s.batch) == rowStreamBatch {
		s.ch <- s.batch
		s.batch = make([]features.Record, 0, rowStreamBatch)
	}
	return nil
}

// close hands over the last records, waits for the rows and returns the
// first error.
func (s *rowStream) close() error {
	if len(s.batch) > 0 {
		s.ch <- s.batch
		s.batch = nil
	}
	close(s.ch)
	<-s.done
	return s.err
}

// errRowStream stops a job whose rows failed; close returns the cause.
var errRowStream = errors.New("dataset rows failed")

// teeSink writes every record to a sink and hands it to tee.
type teeSink struct {
	stages.Sink
	tee func(features.Record) error
}

func (t teeSink) Write(rec features.Record) error {
	if err := t.Sink.Write(rec); err != nil {
		return err
	}
	return t.tee(rec)
}

// A cached job result is shared by every input with the same bytes (the
// key is content only), so the warnings stored in it must not name a file:
// cachedWarning puts the position of the file in the job in place of its
// name, and jobWarnings puts the name of the job using the result back.
// Otherwise dataset.json would name whichever copy was metered last.
const warnFileMark = "{file:%d}"

func cachedWarning(job *Job, err error) string {
	var ce *stages.CorruptError
	if !errors.As(err, &ce) {
		msg := err.Error()
		for i, f := range job.Files {
			msg = strings.ReplaceAll(msg, f.Path, fmt.Sprintf(warnFileMark, i))
		}
		return msg
	}
	file := filepath.Base(ce.File) // never the machine's directories
	for i, f := range job.Files {
		if f.Path == ce.File {
			file = fmt.Sprintf(warnFileMark, i)
			break
		}
	}
	return fmt.Sprintf("%s: packet %d: %v", file, ce.Packet, ce.Err)
}

// jobWarnings is a cached result's warnings as this job's dataset.json
// states them: naming this job's files, by base name.
func jobWarnings(job *Job, cached []string) []string {
	if len(cached) == 0 {
		return nil
	}
	out := make([]string, len(cached))
	for i, w := range cached {
		for j := len(job.Files) - 1; j >= 0; j-- { // {file:10} before {file:1}
			w = strings.ReplaceAll(w, fmt.Sprintf(warnFileMark, j), filepath.Base(job.Files[j].Path))
		}
		out[i] = w
	}
	return out
}

// recordSink adapts a recordWriter to stages.Sink.
type recordSink struct{ w *recordWriter }

func (s recordSink) Begin(features.Schema) error     { return nil }
func (s recordSink) Write(rec features.Record) error { return s.w.Write(rec) }
func (s recordSink) Close() error                    { return nil }
func (s recordSink) Abort() error                    { return nil }

func columnInfos(s features.Schema) []ColumnInfo {
	out := make([]ColumnInfo, len(s))
	for i, c := range s {
		out[i] = ColumnInfo{Name: c.Name, Type: c.Kind.String(), Nullable: c.Nullable}
	}
	return out
}

// writeFileAtomic writes b under a temporary name and renames it.
func writeFileAtomic(path string, b []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
	if err := os.WriteFile(tmp, b, 0o666); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// assemble reads the cached records of every job in dataset order, applies
// labelers, adds the source column, selects columns and writes the dataset
// files and dataset.json.
// assembly is what turns cached records into dataset rows: the labelers,
// derived columns, column selection and the provenance known before the
// first row.
type assembly struct {
	ls          []labelers.Labeler
	der         *features.Derived
	nfeat       int
	sel         []int
	outSchema   features.Schema
	cached      features.Schema
	labelSchema features.Schema
	prov        *Provenance
}

func (p *Plan) newAssembly() (*assembly, error) {
	m := p.Manifest
	ex, err := features.NewExtractor(p.Requests, m.Streamer.Stages().Env())
	if err != nil {
		return nil, err
	}
	ls, err := labelers.Build(m.Labels, m.Dir)
	if err != nil {
		return nil, err
	}
	der, err := features.CompileDerived(m.Features.Defs, ex.Schema())
	if err != nil {
		return nil, err
	}
	// feat: the feature columns and the derived columns computed from them.
	feat := append(append(features.Schema(nil), ex.Schema()...), der.Columns()...)
	full, err := datasetSchema(ex.Schema(), der.Columns(), ls)
	if err != nil {
		return nil, err
	}
	sel, err := selectColumns(full, m.Output.Columns, m.Output.Drop)
	if err != nil {
		return nil, err
	}
	outSchema := make(features.Schema, len(sel))
	for i, j := range sel {
		outSchema[i] = full[j]
	}
	// The view labelers see: features, source, extras.
	cached := append(append(features.Schema(nil), ex.Schema()...), extraSchema()...)
	view := append(append(append(features.Schema(nil), feat...), full[len(feat)]), extraSchema()...)
	labelSchema, err := labelers.Schema(view, ls)
	if err != nil {
		return nil, err
	}

	anonInfo, err := anonymizationInfo(m)
	if err != nil {
		return nil, err
	}
	manifest, manifestSum := p.resolvedManifest()
	prov := &Provenance{
		Format:         FormatName,
		Dataset:        m.Dataset,
		Nfdataset:      buildInfo(),
		Manifest:       manifest,
		ManifestSHA256: manifestSum,
		FeatureSets:    p.FeatureSets,
		Labelers:       []LabelerInfo{},
		Columns:        columnInfos(stages.AnonymizedSchema(outSchema, m.Output.Anonymize)),
		RowOrder:       RowOrder,
		Anonymization:  anonInfo,
	}
	return &assembly{ls: ls, der: der, nfeat: len(feat), sel: sel, outSchema: outSchema, cached: cached, labelSchema: labelSchema, prov: prov}, nil
}

func (p *Plan) assemble(ctx context.Context) (*Provenance, []FileInfo, error) {
	m := p.Manifest
	a, err := p.newAssembly()
	if err != nil {
		return nil, nil, err
	}
	metas, err := p.inputsProvenance(a)
	if err != nil {
		return nil, nil, err
	}
	ls, der, sel, cached, labelSchema, prov := a.ls, a.der, a.sel, a.cached, a.labelSchema, a.prov
	nfeat := a.nfeat
	if len(ls) > 0 {
		// The labelers' reports belong in every file's metadata, but are
		// only known after the last row: a first pass labels every row
		// with labelers of its own and writes nothing.
		dry, err := labelers.Build(m.Labels, m.Dir)
		if err != nil {
			return nil, nil, err
		}
		for i, job := range p.Jobs {
			if err := p.assembleJob(ctx, job, metas[i], cached, labelSchema, der, dry, nfeat, sel, nil); err != nil {
				return nil, nil, err
			}
		}
		for i, l := range dry {
			prov.Labelers[i].Report = l.Report()
		}
	}
	sink, w, err := p.datasetSink(a, metadataFacts(prov))
	if err != nil {
		return nil, nil, err
	}
	for i, job := range p.Jobs {
		if err := p.assembleJob(ctx, job, metas[i], cached, labelSchema, der, ls, nfeat, sel, w); err != nil {
			sink.Abort()
			return nil, nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		sink.Abort()
		return nil, nil, err
	}
	for i, l := range ls {
		if got, _ := json.Marshal(l.Report()); string(got) != string(mustJSON(prov.Labelers[i].Report)) {
			sink.Abort()
			return nil, nil, fmt.Errorf("internal error: labeler %s reported differently on two passes over the same rows", l.Name())
		}
	}
	return p.publish(a, sink)
}

// inputsProvenance reads every job's cache entry and states in a.prov what
// it holds: the inputs with their digests, rows and warnings, the row
// count, the labelers, the derived columns and the planned part files
// (labeler reports and file digests come later).
func (p *Plan) inputsProvenance(a *assembly) ([]*jobMeta, error) {
	m := p.Manifest
	prov := a.prov
	metas := make([]*jobMeta, len(p.Jobs))
	for i, job := range p.Jobs {
		meta, err := readJobMeta(p.OutDir, job.Key)
		if err != nil {
			return nil, fmt.Errorf("cache entry of input %s: %w", job.Name, err)
		}
		if !slices.Equal(meta.Columns, columnInfos(a.cached)) {
			return nil, fmt.Errorf("cache entry of input %s has other columns than this build: run with --force", job.Name)
		}
		metas[i] = meta
		info := InputInfo{Name: job.Name, Files: []FileDigest{}, Rows: meta.Records, Stats: meta.Stats, Warnings: jobWarnings(job, meta.Warnings)}
		for _, f := range job.Files {
			info.Files = append(info.Files, FileDigest{Name: filepath.Base(f.Path), Size: f.Size, SHA256: f.SHA256})
			info.Size += f.Size
		}
		prov.Inputs = append(prov.Inputs, info)
		prov.Rows += meta.Records
	}
	for _, l := range a.ls {
		prov.Labelers = append(prov.Labelers, LabelerInfo{Kind: l.Name(), Version: l.Version(), Column: l.Column()})
	}
	if len(m.Features.Defs) > 0 {
		prov.Derived = &DerivedInfo{Columns: derivedColumns(m.Features.Defs), Hash: "sha256:" + a.der.Hash()}
	}
	ext, _ := stages.FormatExtension(m.Output.Format)
	prov.Files = plannedFiles(prov.Rows, m.Output.RowsPerFile, ext)
	return metas, nil
}

// datasetSink opens the dataset's part files with the given footer
// metadata (nil: set later, the footers held until Close) and returns the
// sink and the writer rows go to (anonymising, when configured), begun.
func (p *Plan) datasetSink(a *assembly, meta map[string]string) (*stages.PartitionedSink, stages.Sink, error) {
	m := p.Manifest
	sink, err := stages.NewPartitionedSink(m.Output.Format, p.OutDir, m.Output.RowsPerFile, stages.SinkOptions{
		Compression: m.Output.Compression,
		Metadata:    meta,
	})
	if err != nil {
		return nil, nil, err
	}
	if meta == nil {
		sink.HoldFooters()
	}
	// Anonymisation happens here, after the cache: cached job results hold
	// clear values, so a new key needs no new metering.
	var w stages.Sink = sink
	if m.Output.Anonymize.Enabled() {
		if w, err = anonymizingSink(m, sink); err != nil {
			sink.Abort()
			return nil, nil, err
		}
	}
	if err := w.Begin(a.outSchema); err != nil {
		sink.Abort()
		return nil, nil, err
	}
	return sink, w, nil
}

// publish puts the written dataset in place: parts, metadata files and
// dataset.json, which goes last and marks a complete dataset.
func (p *Plan) publish(a *assembly, sink *stages.PartitionedSink) (*Provenance, []FileInfo, error) {
	m, prov := p.Manifest, a.prov
	fail := func(err error) (*Provenance, []FileInfo, error) {
		sink.Abort()
		return nil, nil, err
	}
	// Take the old dataset.json away before the new parts appear.
	provPath := filepath.Join(p.OutDir, ProvenanceFile)
	if err := beginPublish(p.OutDir); err != nil {
		return fail(err)
	}
	if err := os.Remove(provPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	if err := sink.Close(); err != nil {
		return nil, nil, err
	}
	keep := map[string]bool{}
	for i := range prov.Files {
		f := &prov.Files[i]
		keep[f.Path] = true
		size, sum, err := hashFile(context.Background(), filepath.Join(p.OutDir, f.Path))
		if err != nil {
			return nil, nil, err
		}
		f.Size, f.SHA256 = size, sum
	}
	if got := len(sink.Files()); got != len(prov.Files) {
		return nil, nil, fmt.Errorf("internal error: wrote %d files, planned %d", got, len(prov.Files))
	}
	removeStale(p.OutDir, keep, p.Jobs)
	// A report of the previous build (pipeline/report's default name)
	// would describe other rows: it goes with the old parts.
	os.Remove(filepath.Join(p.OutDir, "report.html"))
	if err := writeMetadataFiles(p.OutDir, m, prov, stages.AnonymizedSchema(a.outSchema, m.Output.Anonymize), a.ls); err != nil {
		return nil, nil, err
	}
	if err := writeFileAtomic(provPath, marshalProvenance(prov)); err != nil {
		return nil, nil, err
	}
	endPublish(p.OutDir)
	return prov, prov.Files, nil
}

// assembleJob writes one job's cached records: each record (features and
// extras) gets its derived values, its source and its labels, then the
// selected columns go to the sink. nfeat counts feature and derived
// columns.
func (p *Plan) assembleJob(ctx context.Context, job *Job, meta *jobMeta, cached, labelSchema features.Schema,
	der *features.Derived, ls []labelers.Labeler, nfeat int, sel []int, sink stages.Sink) error {
	f, err := os.Open(filepath.Join(cacheDir(p.OutDir), job.Key+".rec"))
	if err != nil {
		return fmt.Errorf("cache entry of input %s: %w", job.Name, err)
	}
	defer f.Close()
	rr, err := newRecordReader(f, cached)
	if err != nil {
		return fmt.Errorf("cache entry of input %s: %w (run with --force)", job.Name, err)
	}
	row := newRowAssembler(job.Name, cached, labelSchema, der, ls, nfeat, sel)
	for n := 0; ; n++ {
		if n&0x3FF == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		rec, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("cache entry of input %s: %w (run with --force)", job.Name, err)
		}
		out, err := row(rec)
		if err != nil {
			return fmt.Errorf("input %s: flow %d: %w", job.Name, n, err)
		}
		if sink == nil {
			continue // the labelers' first pass
		}
		if err := sink.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// plannedFiles lists the part files a dataset of rows rows will have.
func plannedFiles(rows, perFile int64, ext string) []FileInfo {
	if perFile <= 0 || rows <= perFile {
		return []FileInfo{{Path: stages.PartName(0, ext), Rows: rows}}
	}
	var out []FileInfo
	for i := 0; rows > 0; i++ {
		n := min(rows, perFile)
		out = append(out, FileInfo{Path: stages.PartName(i, ext), Rows: n})
		rows -= n
	}
	return out
}

// removeStale deletes part files of an earlier build that this one did not
// write, and cache entries no job of this plan uses.
func removeStale(dir string, keep map[string]bool, jobs []*Job) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "part-") && !keep[name] && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, name))
		}
	}
	used := map[string]bool{}
	for _, j := range jobs {
		used[j.Key+".rec"], used[j.Key+".json"] = true, true
	}
	entries, _ = os.ReadDir(cacheDir(dir))
	// Temporary files of jobs that never finished (killed builds) go too.
	for _, e := range entries {
		if !used[e.Name()] && e.Type().IsRegular() {
			os.Remove(filepath.Join(cacheDir(dir), e.Name()))
		}
	}
}

// Progress counts a build's work for a progress display; its methods are
// safe for concurrent use.
type Progress struct {
	mu        sync.Mutex
	total     int64 // bytes of the jobs to compute
	done      int64 // bytes of finished jobs
	active    map[*Job]stages.Source
	jobsTotal int
	jobsDone  int
	flows     atomic.Int64
	started   time.Time
	live      atomic.Pointer[LiveProgress] // the capture running now, if any
}

func (p *Progress) start(plan *Plan, todo []*Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active = map[*Job]stages.Source{}
	p.jobsTotal = len(todo)
	for _, j := range todo {
		p.total += j.Size()
	}
	p.started = time.Now()
}

func (p *Progress) track(j *Job, src stages.Source) {
	p.mu.Lock()
	p.active[j] = src
	p.mu.Unlock()
}

func (p *Progress) jobDone(j *Job) {
	p.mu.Lock()
	delete(p.active, j)
	p.done += j.Size()
	p.jobsDone++
	p.mu.Unlock()
}

// Snapshot is a progress reading.
type Snapshot struct {
	BytesRead, BytesTotal int64
	Flows                 int64
	JobsDone, JobsTotal   int
	Elapsed               time.Duration
	// Live holds a running capture's counters at its last tick.
	Live *LiveProgress
}

// Remaining estimates the time left from the bytes read so far.
func (s Snapshot) Remaining() (time.Duration, bool) {
	if s.BytesRead <= 0 || s.Elapsed < time.Second {
		return 0, false
	}
	left := float64(s.BytesTotal-s.BytesRead) / float64(s.BytesRead) * float64(s.Elapsed)
	return time.Duration(left), true
}

// Snapshot reads the counters.
func (p *Progress) Snapshot() Snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Snapshot{BytesRead: p.done, BytesTotal: p.total, Flows: p.flows.Load(), JobsDone: p.jobsDone, JobsTotal: p.jobsTotal, Live: p.live.Load()}
	for _, src := range p.active {
		s.BytesRead += bytesRead(src)
	}
	if !p.started.IsZero() {
		s.Elapsed = time.Since(p.started)
	}
	return s
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// newRowAssembler returns the function that turns one cached record
// (features and extras) into a dataset row: derived values, the source,
// labels, then the selected columns. The row it returns is reused.
func newRowAssembler(name string, cached, labelSchema features.Schema, der *features.Derived, ls []labelers.Labeler,
	nfeat int, sel []int) func(rec features.Record) (features.Record, error) {
	source := features.StringValue(name)
	nview := nfeat + 1 + len(extraSchema())
	full := make(features.Record, nfeat+1+len(ls))
	out := make(features.Record, len(sel))
	nplain := len(cached) - len(extraSchema())
	// The row returned, and the buffers it is assembled in, are reused:
	// sinks keep nothing of a record after Write.
	derived := make(features.Record, nfeat-nplain)
	viewRec := make(features.Record, 0, nview+len(ls))
	return func(rec features.Record) (features.Record, error) {
		clear(derived)
		if err := der.EvalInto(features.View{Schema: cached, Record: rec}, derived); err != nil {
			return nil, err
		}
		viewRec = viewRec[:0]
		viewRec = append(viewRec, rec[:nplain]...)
		viewRec = append(viewRec, derived...)
		viewRec = append(viewRec, source)
		viewRec = append(viewRec, rec[nplain:]...)
		if len(ls) > 0 {
			viewRec = labelers.Apply(ls, labelSchema, features.View{Schema: labelSchema[:nview], Record: viewRec})
		}
		copy(full, viewRec[:nfeat+1])
		copy(full[nfeat+1:], viewRec[nview:])
		for i, j := range sel {
			out[i] = full[j]
		}
		return out, nil
	}
}
