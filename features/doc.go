// Package features is the registry of feature sets: each set has a name, a
// version, a column schema with one-line docs, and meter hooks that compute
// its columns. Built-in sets are base, stats, splt, dpi (adapting dpi/) and
// plugins registered as plugin.<name>. It also defines the column and value
// types that sinks and labelers consume, and the feature-logic hash.
//
// May import: meter/, dpi/, an expression library and the standard library.
package features
