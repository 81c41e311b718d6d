// Package manifests holds the dataset recipes that ship with nfdataset
// (quickstart.toml, cic.toml, cic-nfstream.toml; TOML, documented in
// docs/manifest.md and docs/cic.md). It has no Go code of its own: its tests
// load every recipe through pipeline and check the CIC labels on captures
// made for the purpose.
//
// May import (tests): pipeline/, stages/, features/, labelers/ and the
// standard library.
package manifests
