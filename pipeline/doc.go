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
//	if err != nil { … } // *ManifestErrors: file, line, key
//	plan, err := pipeline.MakePlan(ctx, m, pipeline.PlanOptions{})
//	sum, err := pipeline.Build(ctx, plan, pipeline.BuildOptions{Jobs: 4})
//
// Manifest keys, layout, determinism, provenance and caching are documented
// in docs/manifest.md, whose key reference is generated from manifestKeys.
//
// Every build also writes croissant.json, manifest.json and the dataset
// card README.md (rendered by pipeline/describe) and lists them in
// dataset.json; Reproduce rebuilds a published dataset from its
// manifest.json.
//
// May import: stages/ (and stages/bpf), features/, labelers/,
// pipeline/describe (which imports only features/, so that every build can
// write the metadata files; a deviation from DESIGN.md's table, where the
// describing package sits above pipeline), conc, BurntSushi/toml,
// parquet-go (reading datasets back) and the standard library.
package pipeline
