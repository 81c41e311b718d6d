package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
	"github.com/nfdataset/nfdataset/pipeline/describe"
)

// ManifestFile is the resolved manifest's file in a dataset directory: the
// bytes of dataset.json's manifest, so its SHA-256 is manifest_sha256.
const ManifestFile = "manifest.json"

// MetadataFiles are the files every dataset has beside its parts and
// dataset.json, in the order dataset.json lists them.
var MetadataFiles = []string{describe.CroissantFile, ManifestFile, describe.CardFile}

// describeDataset gathers what croissant.json and the card are made of.
// schema is the output schema (with the columns' docs), ls the labelers.
func describeDataset(m *Manifest, prov *Provenance, schema features.Schema, ls []labelers.Labeler) (*describe.Dataset, error) {
	d := &describe.Dataset{
		Name: m.Dataset.Name, Version: m.Dataset.Version, Description: m.Dataset.Description,
		License: m.Dataset.License, Citation: m.Dataset.Citation, URL: m.Dataset.URL,
		Creators:         m.Dataset.Creators,
		NfdatasetVersion: prov.Nfdataset.Version,
		ManifestSHA256:   prov.ManifestSHA256,
		Format:           m.Output.Format,
		Rows:             prov.Rows,
		RowOrder:         prov.RowOrder,
	}
	if m.Dataset.Card != "" {
		b, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(m.Dataset.Card)))
		if err != nil {
			return nil, fmt.Errorf("[dataset] card: %w", err)
		}
		d.Card = string(b)
	}
	for _, f := range prov.Files {
		d.Parts = append(d.Parts, describe.File{Path: f.Path, Rows: f.Rows, Size: f.Size, SHA256: f.SHA256})
	}
	sum := sha256.Sum256(prov.Manifest)
	d.Manifest = describe.File{Path: ManifestFile, Size: int64(len(prov.Manifest)), SHA256: hex.EncodeToString(sum[:])}
	labelCols := map[string]bool{}
	for i, l := range ls {
		labelCols[l.Column()] = true
		rules, _ := json.Marshal(m.Labels[i].Data)
		d.Labelers = append(d.Labelers, describe.Labeler{Kind: l.Name(), Version: l.Version(), Column: l.Column(),
			Rules: "`[[label]]` " + string(rules)})
	}
	for _, c := range schema {
		d.Columns = append(d.Columns, describe.Column{Name: c.Name, Kind: c.Kind, Doc: c.Doc, Nullable: c.Nullable, Label: labelCols[c.Name]})
	}
	for _, in := range prov.Inputs {
		di := describe.Input{Name: in.Name, Rows: in.Rows, Warnings: len(in.Warnings)}
		for _, f := range in.Files {
			di.Files = append(di.Files, describe.File{Path: f.Name, Size: f.Size, SHA256: f.SHA256})
		}
		d.Inputs = append(d.Inputs, di)
	}
	for _, fs := range prov.FeatureSets {
		d.FeatureSets = append(d.FeatureSets, describe.FeatureSet{Name: fs.Name, Version: fs.Version, LogicHash: fs.LogicHash})
	}
	return d, nil
}

// writeMetadataFiles writes croissant.json, manifest.json and README.md
// into dir (each under a temporary name, then renamed) and lists them in
// prov.Metadata. It runs after the parts are written, whose digests
// croissant.json carries, and before dataset.json, which lists these.
func writeMetadataFiles(dir string, m *Manifest, prov *Provenance, schema features.Schema, ls []labelers.Labeler) error {
	d, err := describeDataset(m, prov, schema, ls)
	if err != nil {
		return err
	}
	contents := map[string][]byte{
		describe.CroissantFile: describe.Croissant(d),
		ManifestFile:           slices.Clone(prov.Manifest),
		describe.CardFile:      describe.Card(d),
	}
	prov.Metadata = nil
	for _, name := range MetadataFiles {
		b := contents[name]
		if err := writeFileAtomic(filepath.Join(dir, name), b); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		sum := sha256.Sum256(b)
		prov.Metadata = append(prov.Metadata, MetadataInfo{Path: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])})
	}
	return nil
}
