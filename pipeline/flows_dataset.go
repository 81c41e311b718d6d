package pipeline

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages"
)

// FlowsDataset is the dataset layout of `nfdataset flows SOURCE -o DIR
// --rotate-interval D`, without a manifest: the rolling parts of a live
// build (DIR/part-NNNNN.EXT, the part being written under
// DIR/.cache/live/) listed in DIR/dataset.json, which is rewritten
// atomically at every part with "complete": false until Close. The
// manifest fields are empty: what the dataset is made of is what the
// command line said, which dataset.json does not record.
type FlowsDataset struct {
	*stages.RollingSink
	dir  string
	prov *Provenance
}

// NewFlowsDataset prepares DIR (an earlier dataset there is replaced when
// the first part is listed) for parts of at most rowsPerFile rows (0: no
// limit) closed interval after their first row (0: none).
func NewFlowsDataset(dir, format, name string, rowsPerFile int64, interval time.Duration) (*FlowsDataset, error) {
	work := filepath.Join(dir, cacheDirName, "live")
	os.RemoveAll(work) // parts a killed capture left half-written
	rs, err := stages.NewRollingSink(format, dir, work, rowsPerFile, interval, stages.SinkOptions{})
	if err != nil {
		return nil, err
	}
	complete := false
	d := &FlowsDataset{RollingSink: rs, dir: dir, prov: &Provenance{
		Format: FormatName, Dataset: DatasetInfo{Name: name}, Nfdataset: buildInfo(), Manifest: []byte("null"),
		Inputs: []InputInfo{}, FeatureSets: []FeatureSetInfo{}, Labelers: []LabelerInfo{}, RowOrder: "flow id",
		Files: []FileInfo{}, Complete: &complete,
	}}
	rs.OnPart = func(pf stages.PartFile) error {
		d.prov.Files = append(d.prov.Files, FileInfo{Path: pf.Name, Rows: pf.Rows, Size: pf.Size, SHA256: pf.SHA256})
		d.prov.Rows += pf.Rows
		return d.writeProvenance()
	}
	return d, nil
}

// Begin removes an earlier dataset's parts and dataset.json, then says a
// capture is under way.
func (d *FlowsDataset) Begin(schema features.Schema) error {
	d.prov.Columns = columnInfos(schema)
	if err := os.Remove(filepath.Join(d.dir, ProvenanceFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(d.dir, "part-*"))
	for _, f := range old {
		os.Remove(f)
	}
	if err := d.RollingSink.Begin(schema); err != nil {
		return err
	}
	return d.writeProvenance()
}

// Close finishes the last part and marks the dataset complete.
func (d *FlowsDataset) Close() error {
	if err := d.RollingSink.Close(); err != nil {
		return err
	}
	*d.prov.Complete = true
	return d.writeProvenance()
}

func (d *FlowsDataset) writeProvenance() error {
	return writeFileAtomic(filepath.Join(d.dir, ProvenanceFile), marshalProvenance(d.prov))
}
