package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

func (p *Plan) hasLive() bool {
	for _, j := range p.Jobs {
		if j.Input.Live != nil {
			return true
		}
	}
	return false
}

// buildLive builds a dataset with live inputs. Its rows cannot wait for
// the end of a capture that may run for a week, so jobs run one at a time
// in dataset order and their rows stream into a RollingSink: each part,
// once finished, is in OUT under its final name and listed in
// dataset.json, rewritten atomically with "complete": false, until every
// input is done. Capture files among the inputs are metered into the cache
// as usual and streamed from it in their turn. Labelers run in one pass:
// their reports are known only at the end and go into dataset.json.
func (p *Plan) buildLive(ctx context.Context, opts BuildOptions, prog *Progress, sum *Summary, start time.Time) (*Summary, error) {
	m := p.Manifest
	a, err := p.newAssembly()
	if err != nil {
		return nil, err
	}
	prov := a.prov
	complete := false
	prov.Complete = &complete
	prov.Files = []FileInfo{}
	prov.Inputs = []InputInfo{}
	for _, l := range a.ls {
		prov.Labelers = append(prov.Labelers, LabelerInfo{Kind: l.Name(), Version: l.Version(), Column: l.Column()})
	}
	if len(m.Features.Defs) > 0 {
		prov.Derived = &DerivedInfo{Columns: derivedColumns(m.Features.Defs), Hash: "sha256:" + a.der.Hash()}
	}
	ext, _ := stages.FormatExtension(m.Output.Format)

	// A new capture is a new dataset: an earlier one in OUT goes first.
	provPath := filepath.Join(p.OutDir, ProvenanceFile)
	if err := os.Remove(provPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	removeStale(p.OutDir, map[string]bool{}, p.Jobs)
	for _, name := range MetadataFiles {
		os.Remove(filepath.Join(p.OutDir, name))
	}
	work := filepath.Join(p.OutDir, cacheDirName, "live")
	os.RemoveAll(work) // parts a killed build left half-written
	sink, err := stages.NewRollingSink(m.Output.Format, p.OutDir, work, m.Output.RowsPerFile, m.Output.RotateInterval,
		stages.SinkOptions{Compression: m.Output.Compression})
	if err != nil {
		return nil, err
	}
	sink.PartMetadata = func(part int, rows int64) map[string]string {
		q := *prov
		q.Files = append(slices.Clone(prov.Files), FileInfo{Path: stages.PartName(part, ext), Rows: rows})
		q.Rows = prov.Rows + rows
		return metadataFacts(&q)
	}
	sink.OnPart = func(pf stages.PartFile) error {
		prov.Files = append(prov.Files, FileInfo{Path: pf.Name, Rows: pf.Rows, Size: pf.Size, SHA256: pf.SHA256})
		prov.Rows += pf.Rows
		// croissant.json, manifest.json and README.md follow every
		// rewrite, so that each listed state of the dataset is complete.
		if err := writeMetadataFiles(p.OutDir, m, prov, a.outSchema, a.ls); err != nil {
			return err
		}
		return writeFileAtomic(provPath, marshalProvenance(prov))
	}
	if err := sink.Begin(a.outSchema); err != nil {
		return nil, err
	}
	// Until the first part, dataset.json says a capture is under way.
	if err := writeFileAtomic(provPath, marshalProvenance(prov)); err != nil {
		return nil, err
	}
	for _, job := range p.Jobs {
		row := newRowAssembler(job.Name, a.cached, a.labelSchema, a.der, a.ls, a.nfeat, a.sel)
		var meta *jobMeta
		if job.Input.Live != nil {
			meta, err = p.runJobTo(ctx, opts.Stop, job, prog, opts.Warn, cacheDir(p.OutDir), nil, &rowSink{row: row, out: sink}, nil)
		} else {
			if opts.Force || !job.Cached {
				err = p.runJob(ctx, nil, job, prog, opts.Warn, cacheDir(p.OutDir), nil)
			}
			if err == nil {
				meta, err = readJobMeta(p.OutDir, job.Key)
			}
			if err == nil {
				err = p.assembleJob(ctx, job, meta, a.cached, a.labelSchema, a.der, a.ls, a.nfeat, a.sel, sink)
			}
		}
		prog.jobDone(job)
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			// The finished parts stay, listed; the one being written goes.
			sink.Abort()
			return nil, err
		}
		info := InputInfo{Name: job.Name, Files: []FileDigest{}, Rows: meta.Records, Stats: meta.Stats, Warnings: jobWarnings(job, meta.Warnings)}
		for _, f := range job.Files {
			info.Files = append(info.Files, FileDigest{Name: filepath.Base(f.Path), Size: f.Size, SHA256: f.SHA256})
			info.Size += f.Size
		}
		prov.Inputs = append(prov.Inputs, info)
		sum.InputBytes += info.Size
		sum.Warnings += len(info.Warnings)
	}
	if err := sink.Close(); err != nil {
		return nil, err
	}
	for i, l := range a.ls {
		prov.Labelers[i].Report = l.Report()
	}
	complete = true
	if err := writeMetadataFiles(p.OutDir, m, prov, a.outSchema, a.ls); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(provPath, marshalProvenance(prov)); err != nil {
		return nil, err
	}
	sum.Rows, sum.Files, sum.Provenance = prov.Rows, prov.Files, prov
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// rowSink turns a live job's records into dataset rows on their way to the
// rolling sink, and passes the job's ticks on.
type rowSink struct {
	row func(features.Record) (features.Record, error)
	out *stages.RollingSink
	n   int64
}

func (s *rowSink) Begin(features.Schema) error { return nil }
func (s *rowSink) Close() error                { return nil }
func (s *rowSink) Abort() error                { return nil }
func (s *rowSink) Tick() error                 { return s.out.Tick() }
func (s *rowSink) Flush() error                { return s.out.Flush() }

func (s *rowSink) Write(rec features.Record) error {
	out, err := s.row(rec)
	if err != nil {
		return fmt.Errorf("flow %d: %w", s.n, err)
	}
	s.n++
	return s.out.Write(out)
}
