package pipeline

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// Sharded builds. Shard I of N meters the whole jobs assigned to it and,
// for every input larger than SplitAbove, the flows whose symmetric key
// hashes to I. Each shard writes only under OUT/.shards/I-of-N/ and then
// the record OUT/.shards/I-of-N.json; Merge checks the records and
// assembles the dataset exactly as Build does, from the same record files.
//
// A split input is metered whole by every shard (keys, times, expiry and
// ids depend on every packet), but each shard keeps only the records of
// the flows it owns, with their position in the job: merging by position
// gives the single-machine order.

// DefaultSplitAbove is --split-above's default: inputs larger than this
// are split by flow hash over the shards.
const DefaultSplitAbove int64 = 8 << 30

const shardsDirName = ".shards"

// Shard names one shard of a sharded build.
type Shard struct {
	Index, Count int
	// SplitAbove: inputs larger than this many bytes are split by flow
	// hash (when Count > 1); 0 means DefaultSplitAbove.
	SplitAbove int64
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

func (s Shard) splitAbove() int64 {
	if s.SplitAbove <= 0 {
		return DefaultSplitAbove
	}
	return s.SplitAbove
}

// ParseShard reads "I/N" (0 ≤ I < N).
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want I/N, such as 0/4", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want 0 ≤ I < N", s)
	}
	return Shard{Index: i, Count: n}, nil
}

var sizeRE = regexp.MustCompile(`^\s*([0-9]+)\s*(B|KiB|MiB|GiB|TiB)\s*$`)

// ParseSize reads a size with its unit: B, KiB, MiB, GiB or TiB.
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("size %q: want a number and a unit (B, KiB, MiB, GiB, TiB), such as 512MiB", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	shift := map[string]uint{"B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}[m[2]]
	if n > (1<<63-1)>>shift {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n << shift, nil
}

// ShardRecord is OUT/.shards/I-of-N.json, written after every file it
// lists is complete.
type ShardRecord struct {
	PlanSHA256 string `json:"plan_sha256"`
	Shard      int    `json:"shard"`
	Shards     int    `json:"shards"`
	// Manifest is the manifest's absolute path and SplitAbove the split
	// threshold used: merge plans again from them.
	Manifest   string      `json:"manifest"`
	SplitAbove int64       `json:"split_above"`
	Jobs       []ShardJob  `json:"jobs"`
	Files      []ShardFile `json:"files"`
}

// ShardJob is one job a shard metered: all of it, or (Split) the flows
// of its hash.
type ShardJob struct {
	Input string `json:"input"`
	Split bool   `json:"split"`
	Flows int64  `json:"flows"`
}

// ShardFile is one file of a shard's area, relative to OUT.
type ShardFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

func shardsDir(out string) string { return filepath.Join(out, shardsDirName) }

func shardArea(out string, s Shard) string {
	return filepath.Join(shardsDir(out), fmt.Sprintf("%d-of-%d", s.Index, s.Count))
}

func shardRecordPath(out string, s Shard) string { return shardArea(out, s) + ".json" }

// shardAssignment says which shard meters each job: its index, or -1 for
// a job split over every shard. Whole jobs go, largest first, to the least
// loaded shard (ties: lowest shard), so the assignment depends only on the
// plan.
func (p *Plan) shardAssignment(n int, splitAbove int64) []int {
	owner := make([]int, len(p.Jobs))
	load := make([]int64, n)
	var whole []*Job
	for i, job := range p.Jobs {
		if n > 1 && job.Input.Live == nil && job.Size() > splitAbove {
			owner[i] = -1
			for s := range load {
				load[s] += job.Size() / int64(n)
			}
			continue
		}
		whole = append(whole, job)
	}
	slices.SortStableFunc(whole, func(a, b *Job) int {
		switch {
		case a.Size() > b.Size():
			return -1
		case a.Size() < b.Size():
			return 1
		}
		return 0
	})
	for _, job := range whole {
		best := 0
		for s := range load {
			if load[s] < load[best] {
				best = s
			}
		}
		owner[job.Index] = best
		load[best] += job.Size()
	}
	return owner
}

// planSHA256 identifies what a sharded build computes: the resolved
// manifest, every job's cache key, the shard count and the split.
func (p *Plan) planSHA256(n int, splitAbove int64) string {
	_, manifestSum := p.resolvedManifest()
	type job struct {
		Name  string `json:"name"`
		Key   string `json:"key"`
		Owner int    `json:"owner"`
	}
	v := struct {
		Format   string `json:"format"`
		Manifest string `json:"manifest_sha256"`
		Shards   int    `json:"shards"`
		Jobs     []job  `json:"jobs"`
	}{"nfdataset-shards/1", manifestSum, n, nil}
	for i, owner := range p.shardAssignment(n, splitAbove) {
		v.Jobs = append(v.Jobs, job{p.Jobs[i].Name, p.Jobs[i].Key, owner})
	}
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ShardSummary is what one shard did.
type ShardSummary struct {
	Record  *ShardRecord
	Path    string // the record
	Elapsed time.Duration
}

// BuildShard meters shard s of the plan into OUT/.shards/I-of-N/ and
// writes its record last. It never reads or writes OUT/.cache, so shards
// run at once on machines that share OUT. Live inputs cannot be sharded.
func BuildShard(ctx context.Context, p *Plan, opts BuildOptions, s Shard) (*ShardSummary, error) {
	start := time.Now()
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return nil, fmt.Errorf("invalid shard %s", s)
	}
	for _, job := range p.Jobs {
		if job.Input.Live != nil {
			return nil, fmt.Errorf("input %s is a live capture: live inputs cannot be sharded", job.Name)
		}
	}
	prog := opts.Progress
	if prog == nil {
		prog = &Progress{}
	}
	area := shardArea(p.OutDir, s)
	if err := os.MkdirAll(area, 0o777); err != nil {
		return nil, fmt.Errorf("output %s: %w", p.OutDir, err)
	}
	unlock, err := lockFile(filepath.Join(area, "lock"))
	if err != nil {
		return nil, fmt.Errorf("shard %s: another process is building it (%s is locked)", s, filepath.Join(area, "lock"))
	}
	defer unlock()
	// The old record goes first: a shard killed from here on has none,
	// and merge reports it missing rather than trusting changed files.
	recPath := shardRecordPath(p.OutDir, s)
	if err := os.Remove(recPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	entries, _ := os.ReadDir(area)
	for _, e := range entries {
		if e.Name() != "lock" {
			os.RemoveAll(filepath.Join(area, e.Name()))
		}
	}
	split := s.splitAbove()
	owner := p.shardAssignment(s.Count, split)
	var todo []*Job
	for i, job := range p.Jobs {
		if owner[i] == s.Index || owner[i] == -1 {
			todo = append(todo, job)
		}
	}
	prog.start(p, todo)
	partOf := func(job *Job) *splitPart {
		if owner[job.Index] == -1 {
			return &splitPart{index: s.Index, count: s.Count}
		}
		return nil
	}
	if err := p.runJobs(ctx, opts, todo, prog, area, partOf); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(p.Manifest.File)
	if err != nil {
		return nil, err
	}
	rec := &ShardRecord{PlanSHA256: p.planSHA256(s.Count, split), Shard: s.Index, Shards: s.Count,
		Manifest: abs, SplitAbove: split, Jobs: []ShardJob{}, Files: []ShardFile{}}
	for _, job := range todo {
		meta, err := readMeta(filepath.Join(area, job.Key+".json"), job.Key)
		if err != nil {
			return nil, fmt.Errorf("shard %s: input %s: %w", s, job.Name, err)
		}
		rec.Jobs = append(rec.Jobs, ShardJob{Input: job.Name, Split: owner[job.Index] == -1, Flows: meta.Records})
		exts := []string{".rec", ".json"}
		if owner[job.Index] == -1 {
			exts = []string{".rec", ".idx", ".json"}
		}
		for _, ext := range exts {
			path := filepath.Join(area, job.Key+ext)
			_, sum, err := hashFile(ctx, path)
			if err != nil {
				return nil, err
			}
			rel, _ := filepath.Rel(p.OutDir, path)
			rec.Files = append(rec.Files, ShardFile{Path: filepath.ToSlash(rel), SHA256: sum})
		}
	}
	b, _ := json.MarshalIndent(rec, "", "  ")
	tmp := filepath.Join(area, ".record.tmp-"+strconv.FormatUint(rand.Uint64(), 36))
	if err := os.WriteFile(tmp, append(b, '\n'), 0o666); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, recPath); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return &ShardSummary{Record: rec, Path: recPath, Elapsed: time.Since(start)}, nil
}

// lockFile takes an exclusive lock on path; it goes with the process.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, errBusy
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func readMeta(path, key string) (*jobMeta, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m jobMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Cache != cacheVersion || m.Key != key {
		return nil, errors.New("stale entry")
	}
	return &m, nil
}

// splitPart keeps the records of the flows one shard owns in a split job,
// and in KEY.idx each kept record's position in the whole job (uvarints).
// The job meters the whole capture but computes features only for the
// owned flows (stages.Job.Part); the others only advance pos (foreign).
type splitPart struct {
	index, count int
	pos          uint64 // the position of the next flow in the whole job
	f            *os.File
	tmp, final   string
	w            *bufio.Writer
}

func (s *splitPart) flowPart() stages.FlowPart {
	return stages.FlowPart{Index: s.index, Count: s.count}
}

// foreign skips a flow another shard owns.
func (s *splitPart) foreign() { s.pos++ }

func (s *splitPart) open(dir, key string) error {
	s.final = filepath.Join(dir, key+".idx")
	s.tmp = filepath.Join(dir, "."+key+".idx.tmp-"+strconv.FormatUint(rand.Uint64(), 36))
	f, err := os.Create(s.tmp)
	if err != nil {
		return err
	}
	s.f, s.w = f, bufio.NewWriterSize(f, 1<<16)
	return nil
}

func (s *splitPart) sink(rw *recordWriter) stages.Sink { return splitSink{s, rw} }

func (s *splitPart) finish() error {
	if err := s.w.Flush(); err != nil {
		return err
	}
	if err := s.f.Close(); err != nil {
		return err
	}
	s.f = nil
	return os.Rename(s.tmp, s.final)
}

func (s *splitPart) abort() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.tmp)
	}
}

type splitSink struct {
	part *splitPart
	rw   *recordWriter
}

func (s splitSink) Begin(features.Schema) error { return nil }
func (s splitSink) Close() error                { return nil }
func (s splitSink) Abort() error                { return nil }
func (s splitSink) Write(rec features.Record) error {
	pos := s.part.pos
	s.part.pos++
	var b [binary.MaxVarintLen64]byte
	if _, err := s.part.w.Write(b[:binary.PutUvarint(b[:], pos)]); err != nil {
		return err
	}
	return s.rw.Write(rec)
}

// ShardError is a shard merge refuses; Shard is "I/N".
type ShardError struct {
	Shard string
	Err   error
}

func (e *ShardError) Error() string { return fmt.Sprintf("shard %s %v", e.Shard, e.Err) }
func (e *ShardError) Unwrap() error { return e.Err }

var recordNameRE = regexp.MustCompile(`^([0-9]+)-of-([0-9]+)\.json$`)

// MergeOptions are merge's choices.
type MergeOptions struct {
	// LookupEnv expands ${VAR} in the manifest; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Merge checks the shard records in out/.shards — every shard of one plan
// present once, built from the manifest as it is now, its files unchanged —
// and writes the dataset a single Build of the manifest writes. The shard
// areas are removed afterwards.
func Merge(ctx context.Context, out string, opts MergeOptions) (*Summary, error) {
	start := time.Now()
	out, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(shardsDir(out))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil, fmt.Errorf("%s holds no shards (%s is missing): run build --shard I/N first", out, shardsDir(out))
	}
	if err != nil {
		return nil, err
	}
	type found struct {
		rec  *ShardRecord
		name string
	}
	var recs []found
	held := map[[2]int]string{}
	for _, e := range entries {
		m := recordNameRE.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		i, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		name := fmt.Sprintf("%d/%d", i, n)
		b, err := os.ReadFile(filepath.Join(shardsDir(out), e.Name()))
		if err != nil {
			return nil, &ShardError{name, err}
		}
		var r ShardRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, &ShardError{name, fmt.Errorf("is altered: %s is not a shard record: %v", e.Name(), err)}
		}
		claimed := [2]int{r.Shard, r.Shards}
		cname := fmt.Sprintf("%d/%d", r.Shard, r.Shards)
		if prev, dup := held[claimed]; dup {
			return nil, &ShardError{cname, fmt.Errorf("is duplicated: %s and %s both hold it", prev, e.Name())}
		}
		held[claimed] = e.Name()
		if r.Shard != i || r.Shards != n {
			return nil, &ShardError{name, fmt.Errorf("is altered: %s holds shard %s", e.Name(), cname)}
		}
		recs = append(recs, found{&r, e.Name()})
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s holds no shard records: run build --shard I/N first", shardsDir(out))
	}
	slices.SortFunc(recs, func(a, b found) int {
		if a.rec.Shards != b.rec.Shards {
			return a.rec.Shards - b.rec.Shards
		}
		return a.rec.Shard - b.rec.Shard
	})
	first := recs[0].rec
	m, err := Load(first.Manifest)
	if err != nil {
		return nil, fmt.Errorf("shard %d/%d names manifest %s: %w", first.Shard, first.Shards, first.Manifest, err)
	}
	p, err := MakePlan(ctx, m, PlanOptions{Output: out, LookupEnv: opts.LookupEnv})
	if err != nil {
		return nil, err
	}
	n := first.Shards
	want := p.planSHA256(n, first.SplitAbove)
	for _, f := range recs {
		r := f.rec
		name := fmt.Sprintf("%d/%d", r.Shard, r.Shards)
		if r.Shards != n {
			return nil, &ShardError{name, fmt.Errorf("is stale: %s also holds shards of %d; remove those of the other run", shardsDir(out), n)}
		}
		if r.Manifest != first.Manifest || r.SplitAbove != first.SplitAbove || r.PlanSHA256 != want {
			return nil, &ShardError{name, fmt.Errorf("is stale: built from another plan (plan_sha256 %s; %s now plans %s): run build --shard %s again", short(r.PlanSHA256), first.Manifest, short(want), name)}
		}
	}
	for i := 0; i < n; i++ {
		if _, ok := held[[2]int{i, n}]; !ok {
			return nil, &ShardError{fmt.Sprintf("%d/%d", i, n), fmt.Errorf("is missing: %s not found (run build --shard %d/%d)", shardRecordPath(out, Shard{Index: i, Count: n}), i, n)}
		}
	}
	owner := p.shardAssignment(n, first.SplitAbove)
	byName := map[string]*Job{}
	for _, job := range p.Jobs {
		byName[job.Name] = job
	}
	for _, f := range recs {
		r := f.rec
		s := Shard{Index: r.Shard, Count: r.Shards}
		var wantJobs []ShardJob
		for i, job := range p.Jobs {
			if owner[i] == s.Index || owner[i] == -1 {
				wantJobs = append(wantJobs, ShardJob{Input: job.Name, Split: owner[i] == -1})
			}
		}
		got := make([]ShardJob, len(r.Jobs))
		for i, j := range r.Jobs {
			got[i] = ShardJob{Input: j.Input, Split: j.Split}
		}
		if !slices.Equal(got, wantJobs) {
			return nil, &ShardError{s.String(), fmt.Errorf("is altered: its jobs are not the plan's")}
		}
		listed := map[string]bool{}
		for _, file := range r.Files {
			listed[file.Path] = true
			path := filepath.Join(out, filepath.FromSlash(file.Path))
			if rel, err := filepath.Rel(shardArea(out, s), path); err != nil || strings.HasPrefix(rel, "..") {
				return nil, &ShardError{s.String(), fmt.Errorf("is altered: it lists %s, outside its area", file.Path)}
			}
			_, sum, err := hashFile(ctx, path)
			if err != nil {
				return nil, &ShardError{s.String(), fmt.Errorf("is altered: %s cannot be read: %v", file.Path, err)}
			}
			if sum != file.SHA256 {
				return nil, &ShardError{s.String(), fmt.Errorf("is altered: %s has sha256 %s, its record says %s", file.Path, short(sum), short(file.SHA256))}
			}
		}
		for _, j := range r.Jobs {
			job := byName[j.Input]
			exts := []string{".rec", ".json"}
			if j.Split {
				exts = append(exts, ".idx")
			}
			for _, ext := range exts {
				rel, _ := filepath.Rel(out, filepath.Join(shardArea(out, s), job.Key+ext))
				if !listed[filepath.ToSlash(rel)] {
					return nil, &ShardError{s.String(), fmt.Errorf("is altered: its record does not list %s", filepath.ToSlash(rel))}
				}
			}
		}
	}

	if err := os.MkdirAll(cacheDir(out), 0o777); err != nil {
		return nil, fmt.Errorf("output %s: %w", out, err)
	}
	unlock, err := lockDir(out)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", out, err)
	}
	defer unlock()
	removeStrays(out)
	p.digests.save(out)
	for i, job := range p.Jobs {
		if owner[i] >= 0 {
			area := shardArea(out, Shard{Index: owner[i], Count: n})
			for _, ext := range []string{".rec", ".json"} { // the meta last
				if err := copyFileAtomic(filepath.Join(area, job.Key+ext), filepath.Join(cacheDir(out), job.Key+ext)); err != nil {
					return nil, fmt.Errorf("merge: input %s: %w", job.Name, err)
				}
			}
			continue
		}
		if err := p.mergeSplit(ctx, job, n); err != nil {
			return nil, err
		}
	}
	prov, files, err := p.assemble(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(shardsDir(out)); err != nil {
		return nil, fmt.Errorf("merge: removing %s: %w", shardsDir(out), err)
	}
	sum := &Summary{Dir: out, Jobs: len(p.Jobs), Rows: prov.Rows, Files: files, Provenance: prov, Elapsed: time.Since(start)}
	for _, job := range p.Jobs {
		sum.InputBytes += job.Size()
	}
	for _, in := range prov.Inputs {
		sum.Warnings += len(in.Warnings)
	}
	return sum, nil
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

// mergeSplit interleaves the n parts of a split job by their positions
// into OUT/.cache/jobs/KEY.{rec,json}: the records a single build writes.
func (p *Plan) mergeSplit(ctx context.Context, job *Job, n int) error {
	ex, err := features.NewExtractor(p.Requests, p.Manifest.Streamer.Stages().Env())
	if err != nil {
		return err
	}
	schema := append(append(features.Schema(nil), ex.Schema()...), extraSchema()...)
	type part struct {
		name string
		rr   *recordReader
		idx  *bufio.Reader
		next uint64
		done bool
	}
	parts := make([]*part, n)
	var meta *jobMeta
	var total int64
	for i := range parts {
		s := Shard{Index: i, Count: n}
		area := shardArea(p.OutDir, s)
		m, err := readMeta(filepath.Join(area, job.Key+".json"), job.Key)
		if err != nil {
			return &ShardError{s.String(), fmt.Errorf("is altered: input %s: %v", job.Name, err)}
		}
		if meta == nil {
			meta = m
		} else if !slices.Equal(m.Columns, meta.Columns) || m.Stats != meta.Stats || !slices.Equal(m.Warnings, meta.Warnings) {
			return &ShardError{s.String(), fmt.Errorf("is altered: input %s was metered differently from shard 0/%d", job.Name, n)}
		}
		total += m.Records
		rf, err := os.Open(filepath.Join(area, job.Key+".rec"))
		if err != nil {
			return err
		}
		defer rf.Close()
		rr, err := newRecordReader(rf, schema)
		if err != nil {
			return &ShardError{s.String(), fmt.Errorf("is altered: input %s: %v", job.Name, err)}
		}
		xf, err := os.Open(filepath.Join(area, job.Key+".idx"))
		if err != nil {
			return err
		}
		defer xf.Close()
		parts[i] = &part{name: s.String(), rr: rr, idx: bufio.NewReaderSize(xf, 1<<16)}
	}
	advance := func(pt *part) error {
		v, err := binary.ReadUvarint(pt.idx)
		if err == io.EOF {
			pt.done = true
			return nil
		}
		if err != nil {
			return &ShardError{pt.name, fmt.Errorf("is altered: input %s: damaged positions file", job.Name)}
		}
		pt.next = v
		return nil
	}
	for _, pt := range parts {
		if err := advance(pt); err != nil {
			return err
		}
	}
	dir := cacheDir(p.OutDir)
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%s", job.Key, strconv.FormatUint(rand.Uint64(), 36)))
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(tmp)
	}()
	rw, err := newRecordWriter(f, schema)
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	for pos := uint64(0); pos < uint64(total); pos++ {
		if pos&0x3FF == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		var pt *part
		for _, q := range parts {
			if !q.done && q.next == pos {
				if pt != nil {
					return &ShardError{q.name, fmt.Errorf("is altered: input %s: flow %d is also in shard %s", job.Name, pos, pt.name)}
				}
				pt = q
			}
		}
		if pt == nil {
			return fmt.Errorf("merge: input %s: no shard holds flow %d", job.Name, pos)
		}
		rec, err := pt.rr.Next()
		if err != nil {
			return &ShardError{pt.name, fmt.Errorf("is altered: input %s: fewer records than positions", job.Name)}
		}
		if err := rw.Write(rec); err != nil {
			return fmt.Errorf("cache: %w", err)
		}
		if err := advance(pt); err != nil {
			return err
		}
	}
	for _, pt := range parts {
		if !pt.done {
			return &ShardError{pt.name, fmt.Errorf("is altered: input %s: position %d beyond the job's %d flows", job.Name, pt.next, total)}
		}
		if _, err := pt.rr.Next(); err != io.EOF {
			return &ShardError{pt.name, fmt.Errorf("is altered: input %s: more records than positions", job.Name)}
		}
	}
	if err := rw.Close(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, job.Key+".rec")); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	meta.Records = total
	b, _ := json.MarshalIndent(meta, "", "  ")
	return writeFileAtomic(filepath.Join(dir, job.Key+".json"), b)
}

// copyFileAtomic copies src to dst under a temporary name, then renames.
func copyFileAtomic(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// OutputDir is the dataset directory MakePlan would use (override is
// --output), found without planning: deploy files name it.
func (m *Manifest) OutputDir(override string) (string, error) {
	out, _, err := m.outputDir(override, os.LookupEnv)
	return out, err
}
