// Command nfdataset turns captures into NFStream-compatible flow datasets:
// `flows` meters captures like NFStreamer, `build` makes a reproducible
// dataset from a TOML manifest, and `validate`, `plan`, `features`,
// `inspect`, `verify` and `diff` check and compare datasets.
//
// The command line is thin: each subcommand lives in its own file and
// registers itself in init(); the work is done by pipeline/, stages/ and
// features/. Exit codes: 0 ok, 1 failure, 2 usage or manifest error.
//
// May import: pipeline/, stages/, features/ and the standard library.
package main
