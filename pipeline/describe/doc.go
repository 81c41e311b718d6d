// Package describe writes what a dataset says about itself beside its
// data, for people and ML tools rather than for nfdataset: croissant.json
// (Croissant 1.1 JSON-LD, the metadata ML loaders and dataset hubs read)
// and the dataset card README.md (Hugging Face's layout). Both are pure
// functions of a Dataset, itself made from the provenance, so they carry
// no wall-clock time and have the same bytes for the same dataset.
//
// It imports features/ (column kinds) and the standard library only, so
// that pipeline, which writes these files on every build, can import it;
// the HTML report, which reads finished datasets, is pipeline/report.
package describe
