package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/sourcegraph/conc/pool"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/objstore"
)

// Plan is a manifest resolved against the file system: every input file
// found and hashed, one job per input with its cache key, and the output
// directory checked. Planning writes nothing.
type Plan struct {
	Manifest    *Manifest
	OutDir      string // where the dataset goes (absolute)
	Jobs        []*Job
	FeatureSets []FeatureSetInfo
	// Requests are the manifest's feature requests with resolved options.
	Requests []features.Request

	digests *digestCache
	// Where live jobs send their performance reports (BuildOptions).
	reportText, reportJSON io.Writer
}

// Job meters one input into the cache.
type Job struct {
	Index  int    // in dataset order
	Name   string // the source column's value
	Input  *Input // the manifest table it comes from
	Files  []InputFile
	Key    string // cache key (hex SHA-256); "" until metered when hashLater
	Cached bool   // OUT/.cache holds its records

	// hashLater: some files have no digest yet; they are hashed while they
	// are read for metering, and Key is set when the job ends.
	hashLater bool
}

// Size is the total size of the job's files.
func (j *Job) Size() int64 {
	var n int64
	for _, f := range j.Files {
		n += f.Size
	}
	return n
}

// InputFile is one capture file of a job.
type InputFile struct {
	Path   string // absolute, after ${VAR} expansion; never recorded
	Size   int64
	SHA256 string
}

// FeatureSetInfo identifies one feature set's logic for provenance.
type FeatureSetInfo struct {
	Name      string           `json:"name"`
	Version   int              `json:"version"`
	LogicHash string           `json:"logic_hash"`
	Options   features.Options `json:"options,omitempty"`
}

// PlanOptions adjusts planning to the command line.
type PlanOptions struct {
	// Output overrides [output].path (--output); relative to the current
	// directory.
	Output string
	// LookupEnv expands ${VAR}; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// HashWorkers bounds concurrent input hashing; 0 means 4.
	HashWorkers int
	// HashWhileMetering lets a build hash input files as it meters them
	// (one read of each capture instead of two) when no cached job could
	// serve them anyway: with Force, or when the job cache is empty (a
	// fresh build). Files known to the digest cache, and files whose
	// digest the manifest pins, are still looked up or hashed first. Only
	// Build may be given such a plan: validate, plan and sharded builds
	// need every key before any metering.
	HashWhileMetering bool
	// Force: the build will recompute every job (BuildOptions.Force).
	Force bool
}

// MakePlan resolves m's inputs and output. Missing inputs, sha256
// mismatches, duplicate input names and an unwritable output are
// *ManifestErrors.
func MakePlan(ctx context.Context, m *Manifest, opts PlanOptions) (*Plan, error) {
	lookup := opts.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	p := &Plan{Manifest: m}
	var errs []error
	merr := func(key string, err error) {
		errs = append(errs, &ManifestError{File: m.File, Line: m.lines.line(key), Key: key, Err: err})
	}
	names := map[string]string{}
	// Globs never match the output folder or anything in it. A folder
	// that will be refused below (/, a foreign one) excludes nothing, so
	// that its refusal is the one error.
	outForGlobs, _, outErr := m.outputDir(opts.Output, lookup)
	if outErr != nil || checkOutputFolder(outForGlobs) != nil {
		outForGlobs = ""
	}
	for i := range m.Inputs {
		in := &m.Inputs[i]
		var groups [][]string // one job per group
		if in.Live != nil {
			if err := checkInterface(in.Live.Interface); err != nil {
				merr(in.Key+".interface", err)
				continue
			}
			name := in.Name
			if name == "" {
				name = in.Live.Interface
			}
			if prev, dup := names[name]; dup {
				merr(in.Key, fmt.Errorf("input name %q is also the name of %s: set name = \"…\" to tell them apart", name, prev))
				continue
			}
			names[name] = in.Key
			p.Jobs = append(p.Jobs, &Job{Index: len(p.Jobs), Name: name, Input: in})
			continue
		}
		if in.Path != "" {
			paths, err := m.resolvePaths(ctx, in.Path, lookup, true, outForGlobs)
			if err != nil {
				merr(in.Key+".path", err)
				continue
			}
			if in.Name != "" && len(paths) > 1 {
				merr(in.Key+".name", fmt.Errorf("one name for %d files matched by %q: give each file its own [[input]] or drop name", len(paths), in.Path))
				continue
			}
			if in.SHA256 != "" && len(paths) > 1 {
				merr(in.Key+".sha256", fmt.Errorf("pins one file, but %q matches %d", in.Path, len(paths)))
				continue
			}
			for _, p := range paths {
				groups = append(groups, []string{p})
			}
		} else {
			var group []string
			bad := false
			for j, f := range in.Files {
				paths, err := m.resolvePaths(ctx, f, lookup, false, "")
				if err != nil {
					merr(fmt.Sprintf("%s.files[%d]", in.Key, j), err)
					bad = true
					continue
				}
				group = append(group, paths...)
			}
			if bad {
				continue
			}
			groups = append(groups, group)
		}
		for _, g := range groups {
			name := in.Name
			if name == "" {
				name = filepath.Base(g[0])
			}
			if prev, dup := names[name]; dup {
				merr(in.Key, fmt.Errorf("input name %q is also the name of a file of %s: set name = \"…\" to tell them apart", name, prev))
				continue
			}
			names[name] = in.Key
			job := &Job{Index: len(p.Jobs), Name: name, Input: in}
			for _, path := range g {
				job.Files = append(job.Files, InputFile{Path: path})
			}
			p.Jobs = append(p.Jobs, job)
		}
	}
	out, key, err := m.outputDir(opts.Output, lookup)
	if err != nil {
		merr(key, err)
	} else if err := checkWritable(out); err != nil {
		merr(key, err)
	} else if err := checkOutputFolder(out); err != nil {
		merr(key, err)
	} else {
		for _, job := range p.Jobs {
			for _, f := range job.Files {
				if inside(out, f.Path) {
					merr(job.Input.Key, fmt.Errorf("input %s is inside the output folder %s, which the build replaces", f.Path, out))
				}
			}
		}
	}
	p.OutDir = out
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// A file that is not a capture is a manifest error too, found before
	// anything is written.
	for _, job := range p.Jobs {
		if job.Input.Live != nil {
			continue
		}
		var paths []string
		for _, f := range job.Files {
			paths = append(paths, f.Path)
		}
		src, err := stages.OpenFiles(paths)
		if err != nil {
			key := job.Input.Key + ".path"
			if job.Input.Path == "" {
				key = job.Input.Key + ".files"
			}
			merr(key, err)
			continue
		}
		src.Close()
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	digests := loadDigests(p.OutDir)
	deferHashing := opts.HashWhileMetering && (opts.Force || !hasCachedJobs(p.OutDir))
	if err := p.hashInputs(ctx, opts.HashWorkers, digests, deferHashing); err != nil {
		return nil, err
	}
	p.digests = digests
	for _, job := range p.Jobs {
		if job.hashLater {
			continue // never pinned: pinned files are hashed first
		}
		if pin := job.Input.SHA256; pin != "" && job.Files[0].SHA256 != pin {
			merr(job.Input.Key+".sha256", fmt.Errorf("%s has sha256 %s, the manifest pins %s", job.Name, job.Files[0].SHA256, pin))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := p.featureSets(); err != nil {
		return nil, err
	}
	for _, job := range p.Jobs {
		if job.hashLater {
			continue
		}
		job.Key = p.cacheKey(job)
		// A live capture is new every time: never taken from the cache.
		job.Cached = job.Input.Live == nil && cacheValid(p.OutDir, job.Key)
	}
	return p, nil
}

// resolvePaths expands variables, makes path relative to the manifest and
// expands a pattern (sorted; see glob.go). Every result is a regular file.
// When glob is set a pattern is expanded; it never matches outDir (unless
// "") or anything inside it.
func (m *Manifest) resolvePaths(ctx context.Context, path string, lookup func(string) (string, bool), glob bool, outDir string) ([]string, error) {
	p, err := expandVars(path, lookup)
	if err != nil {
		return nil, err
	}
	if objstore.IsURL(p) {
		return resolveS3(ctx, path, p, glob, lookup)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(m.Dir, p)
	}
	paths := []string{p}
	if glob && hasGlob(p) {
		var st globStats
		var skip func(string) bool
		if outDir != "" {
			skip = func(f string) bool { return inside(outDir, f) }
		}
		paths, st, err = expandGlob(p, skip)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", path, err)
		}
		if len(paths) == 0 {
			var why []string
			if st.output > 0 {
				why = append(why, fmt.Sprintf("the output folder %s is never matched", outDir))
			}
			if st.hidden > 0 {
				why = append(why, fmt.Sprintf("%d name(s) starting with a dot are matched only by a pattern element starting with one", st.hidden))
			}
			if len(why) > 0 {
				return nil, fmt.Errorf("no file matches %q (%s)", path, strings.Join(why, "; "))
			}
			return nil, fmt.Errorf("no file matches %q", path)
		}
	}
	for i, f := range paths {
		info, err := os.Stat(f)
		if errors.Is(err, fs.ErrNotExist) {
			if alt, ok := foldMatch(f); ok {
				paths[i], f = alt, alt
				info, err = os.Stat(f)
			}
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("no such file: %s", f)
		case err != nil:
			return nil, err
		case info.IsDir():
			return nil, fmt.Errorf("%s is a directory (use a glob such as %q)", f, filepath.Join(path, "*.pcap"))
		case !info.Mode().IsRegular():
			// A FIFO would block validate for ever and could not be read
			// twice (once for its digest, once to meter it).
			return nil, fmt.Errorf("%s is not a regular file (%v): a manifest input is hashed, then read; meter a pipe with nfdataset flows", f, info.Mode().Type())
		}
	}
	return paths, nil
}

// foldMatch finds the one file in path's directory whose name equals path's
// base name but for case (CIC-IDS2017's Wednesday-workingHours.pcap is
// spelled Wednesday-WorkingHours.pcap on older mirrors).
func foldMatch(path string) (string, bool) {
	dir, base := filepath.Split(path)
	entries, err := os.ReadDir(filepath.Clean(dir))
	if err != nil {
		return "", false
	}
	found := ""
	for _, e := range entries {
		if strings.EqualFold(e.Name(), base) {
			if found != "" {
				return "", false // ambiguous: report the name as written
			}
			found = filepath.Join(dir, e.Name())
		}
	}
	return found, found != ""
}

// outputDir returns the absolute dataset directory and the key that set it.
func (m *Manifest) outputDir(override string, lookup func(string) (string, bool)) (string, string, error) {
	key := "output.path"
	if override != "" {
		key = "--output"
	}
	if u, ok, err := m.S3Output(override, lookup); err != nil {
		return "", key, err
	} else if ok {
		dir, err := S3WorkDir(u, lookup)
		return dir, key, err
	}
	if override != "" {
		abs, err := filepath.Abs(override)
		return abs, "--output", err
	}
	p, err := expandVars(m.Output.Path, lookup)
	if err != nil {
		return "", "output.path", err
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(m.Dir, p)
	}
	return filepath.Clean(p), "output.path", nil
}

// checkWritable reports whether dir is, or can be created as, a writable
// directory, without creating anything.
func checkWritable(dir string) error {
	p := dir
	for {
		info, err := os.Stat(p)
		if err == nil {
			if !info.IsDir() {
				if p == dir {
					return fmt.Errorf("%s exists and is not a directory", dir)
				}
				return fmt.Errorf("cannot create %s: %s is not a directory", dir, p)
			}
			if err := syscall.Access(p, 0x2|0x1); err != nil {
				return fmt.Errorf("cannot write to %s: %w", p, err)
			}
			return nil
		}
		if errors.Is(err, syscall.ENOTDIR) {
			p = filepath.Dir(p)
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot use %s: %w", dir, err)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return fmt.Errorf("cannot create %s", dir)
		}
		p = parent
	}
}

// hashInputs computes every file's size and SHA-256, a few files at a time;
// a file whose size and modification time match its entry in the digest
// cache is not read again. With later set, a job of unpinned files that
// are not in the digest cache is left to be hashed while it is metered
// (hashLater): only its files' sizes are taken now.
func (p *Plan) hashInputs(ctx context.Context, workers int, digests *digestCache, later bool) error {
	if workers <= 0 {
		workers = 4
	}
	type ref struct{ job, file int }
	var refs []ref
	seen := map[string]*InputFile{}
	for i, job := range p.Jobs {
		if later && job.Input.SHA256 == "" && len(job.Files) > 0 {
			known := true
			for _, f := range job.Files {
				if _, _, ok := digests.lookup(f.Path); !ok {
					known = false
				}
			}
			if !known {
				for j := range job.Files {
					f := &job.Files[j]
					info, err := os.Stat(f.Path)
					if err != nil {
						return err
					}
					f.Size = info.Size()
				}
				job.hashLater = true
				continue
			}
		}
		for j := range job.Files {
			refs = append(refs, ref{i, j})
		}
	}
	var mu sync.Mutex
	pl := pool.New().WithMaxGoroutines(workers).WithContext(ctx).WithCancelOnError().WithFirstError()
	for _, r := range refs {
		f := &p.Jobs[r.job].Files[r.file]
		mu.Lock()
		_, dup := seen[f.Path]
		seen[f.Path] = f
		mu.Unlock()
		if dup {
			continue
		}
		pl.Go(func(ctx context.Context) error {
			if size, sum, ok := digests.lookup(f.Path); ok {
				f.Size, f.SHA256 = size, sum
				return nil
			}
			size, sum, err := hashFile(ctx, f.Path)
			if err != nil {
				return err
			}
			f.Size, f.SHA256 = size, sum
			digests.store(f.Path, size, sum)
			return nil
		})
	}
	if err := pl.Wait(); err != nil {
		return err
	}
	for _, job := range p.Jobs {
		if job.hashLater {
			continue
		}
		for j := range job.Files {
			f := &job.Files[j]
			if f.SHA256 == "" {
				*f = *seen[f.Path]
			}
		}
	}
	return nil
}

// hasCachedJobs reports whether OUT/.cache/jobs holds any entry.
func hasCachedJobs(out string) bool {
	entries, err := os.ReadDir(cacheDir(out))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			return true
		}
	}
	return false
}

// readHash is a SHA-256 fed with the bytes a capture reader reads from one
// file (stages.OpenFilesTee); finish hashes whatever the reader left
// unread, so that the digest is the whole file's.
type readHash struct {
	h hash.Hash
	n int64
}

func newReadHash() *readHash { return &readHash{h: sha256.New()} }

func (r *readHash) Write(b []byte) (int, error) {
	r.h.Write(b)
	r.n += int64(len(b))
	return len(b), nil
}

// finish reads path from where the reader stopped to its end and returns
// the file's size and digest.
func (r *readHash) finish(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	if _, err := f.Seek(r.n, io.SeekStart); err != nil {
		return 0, "", fmt.Errorf("hashing %s: %w", path, err)
	}
	if _, err := io.Copy(r, f); err != nil {
		return 0, "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return r.n, hex.EncodeToString(r.h.Sum(nil)), nil
}

func hashFile(ctx context.Context, path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return 0, "", err
		}
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, "", fmt.Errorf("hashing %s: %w", path, err)
		}
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// featureSets resolves the requested sets' options and logic hashes.
func (p *Plan) featureSets() error {
	m := p.Manifest
	ex, err := features.NewExtractor(m.Features.Requests, m.Streamer.Stages().Env())
	if err != nil {
		return &ManifestError{File: m.File, Line: m.lines.line("features"), Key: "features", Err: err}
	}
	for _, in := range ex.Instances() {
		h, err := LogicHash(in.Spec.Name, in.Options)
		if err != nil {
			return err
		}
		p.FeatureSets = append(p.FeatureSets, FeatureSetInfo{Name: in.Spec.Name, Version: in.Spec.Version, LogicHash: h, Options: in.Options})
		p.Requests = append(p.Requests, features.Request{Name: in.Spec.Name, Options: in.Options})
	}
	return nil
}

// devBinary identifies the running executable (its SHA-256) in a
// development version, whose code may change without any version or logic
// hash changing (a fix the probe capture does not exercise): cached jobs
// are then reused only by the very same binary. Releases rely on Version
// and the logic hashes alone.
var devBinary = sync.OnceValue(func() string {
	if !strings.HasSuffix(Version, "-dev") {
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	_, sum, err := hashFile(context.Background(), exe)
	if err != nil {
		return "unknown"
	}
	return sum
})

// cacheVersion changes whenever the cached record layout or the meaning of
// a cache key changes.
const cacheVersion = 3 // 3: warnings name files by position in the job

// cacheKey covers everything a job's records depend on: the input bytes,
// the clean-up, the metering parameters and each feature set's identity.
// The input's name, labelers and output settings are applied when the
// dataset is assembled, so changing them recomputes nothing.
func (p *Plan) cacheKey(job *Job) string {
	var sums []string
	for _, f := range job.Files {
		sums = append(sums, f.SHA256)
	}
	// n_meters and snapshot_length never change a flow.
	streamer := p.Manifest.Streamer
	streamer.NMeters, streamer.SnapshotLength = 0, 0
	key := struct {
		Cache       int              `json:"cache"`
		Version     string           `json:"nfdataset"`
		Files       []string         `json:"files"`
		DedupWindow int64            `json:"dedup_window"`
		Reorder     bool             `json:"reorder"`
		Streamer    StreamerParams   `json:"streamer"`
		Features    []FeatureSetInfo `json:"feature_sets"`
		Binary      string           `json:"binary,omitempty"`
		Live        *LiveInput       `json:"live,omitempty"`
		LiveName    string           `json:"live_name,omitempty"`
	}{cacheVersion, Version, sums, job.Input.DedupWindow, job.Input.Reorder, streamer, p.FeatureSets, devBinary(), job.Input.Live, ""}
	if job.Input.Live != nil {
		key.LiveName = job.Name // two captures of one interface are two entries
	}
	b, _ := json.Marshal(key)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// inside reports whether path is dir or lies under it, after resolving
// symbolic links of both (a link from elsewhere into the output folder is
// still inside).
func inside(dir, path string) bool {
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	if p, err := filepath.EvalSymlinks(path); err == nil {
		path = p
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
