package stages

import "github.com/nfdataset/nfdataset/features"

// Sink receives finished records. Begin is called once before any Write;
// Close finishes the output (renaming a temporary file into place) and Abort
// discards it, leaving nothing under the final name.
type Sink interface {
	Begin(schema features.Schema) error
	Write(rec features.Record) error
	Close() error
	Abort() error
}
