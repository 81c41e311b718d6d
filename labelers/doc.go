// Package labelers is the registry of labelers: each adds one label column
// to finished flow records (rules by address, port and time window,
// ground-truth CSV joins, application/category maps, …), configured by the
// manifest's [[label]] tables. docs/labelers.md documents every key.
//
// The pipeline decodes the manifest with BurntSushi/toml into
// map[string]any and hands each [[label]] table over as it decoded it, with
// the line of its header:
//
//	ls, err := labelers.Build([]labelers.Table{{Line: 57, Data: table}}, manifestDir)
//	// err is a *labelers.Error: Key "label[0].rule[2].dst", Line 57
//	schema, err := labelers.Schema(extractor.Schema(), ls)
//	job.Transform = func(v features.View) (features.Record, error) {
//		return labelers.Apply(ls, schema, v), nil
//	}
//	// after the build: ls[i].Name(), Version(), Column(), Report() → dataset.json
//
// Raw maps rather than toml.Primitive keep this package independent of how
// the manifest was decoded, and let each labeler reject unknown keys by
// name (Config.Done). Build does every check and loads ground-truth files,
// so Label only compares; Label is safe for concurrent use by every job of
// a build, and reports are sums, the same whatever the number of jobs.
//
// A labeler kind is one file: a Spec with its keys, a documented example
// and a constructor, registered in init. Labelers read flows through
// features.View: the meter's flow while it is emitted, else the record's
// columns by NFStream's names.
//
// May import: features/ (record and view types) and the standard library.
package labelers
