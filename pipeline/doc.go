// Package pipeline turns a declarative manifest (TOML) into a reproducible
// flow dataset: it loads and validates manifests with line-accurate errors,
// plans one job per input with a cache key, runs the jobs in parallel,
// re-assembles their records in one canonical order into Parquet, CSV or
// JSON lines files, and writes provenance (dataset.json and the same facts
// in each Parquet file's key/value metadata). It also verifies, inspects and
// compares finished datasets, and computes each feature set's logic hash
// from a small probe capture built into the binary.
//
//	m, err := pipeline.Load("manifests/quickstart.toml")
//	if err != nil { … } // a *ManifestError: file, line, key
//	sum, err := pipeline.Build(ctx, m, pipeline.BuildOptions{Jobs: 4})
//
// May import: stages/, features/, labelers/, meter/ (types only), conc,
// BurntSushi/toml, parquet-go and the standard library.
package pipeline
