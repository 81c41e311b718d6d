package pipeline

import (
	"os"
	"testing"
)

// FuzzParse: no manifest text makes Parse (or the line scanner) panic, and
// every error is a *ManifestError.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../manifests/quickstart.toml"); err == nil {
		f.Add(string(b))
	}
	f.Add(minimal)
	f.Add("[dataset]\nname = \"x\"\n[[input]]\nfiles = [\"a\", 'b']\n[output]\npath = \"\"\"o\n\"\"\"\n")
	f.Add("[features]\nplugins = [{ name = \"slicer\", limit = 4 }, \"ja4\"]\ndpi = { n_dissections = 20 }\n")
	f.Add("[[label]]\nkind = \"rules\"\n[[label.rule]]\ndst = \"10.0.0.0/8\"\n")
	f.Add("a.\"b.c\".d = 1\n[x . y]\n'z' = [1, [2, 3], {k = 4}]\n")
	f.Fuzz(func(t *testing.T, src string) {
		indexLines(src)
		_, err := Parse("fuzz.toml", t.TempDir(), []byte(src))
		if err != nil {
			firstError(t, err)
		}
	})
}

// FuzzResolvedToTOML: no published manifest.json (untrusted: reproduce
// reads it from a URL) makes the decoding or the TOML rewriting panic, and
// whatever TOML comes out is parsed with errors, not panics.
func FuzzResolvedToTOML(f *testing.F) {
	if b, err := os.ReadFile("../goldens/quickstart/manifest.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"dataset":{"name":"x"},"input":[{"path":"a.pcap"}],"features":{"sets":["base"],"options":{"splt":{"n":3}},"plugins":[{"name":"ja4","options":{}}],"derived":[]},"label":[],"output":{"format":"csv","rows_per_file":0}}`))
	f.Add([]byte(`{"input":[1,{"files":[null,"b"]}],"features":{"plugins":[7,{"options":[]}]},"output":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := decodeResolved(b)
		if err != nil {
			return
		}
		text, err := resolvedToTOML(doc)
		if err != nil {
			return
		}
		if _, err := Parse("fuzz.toml", t.TempDir(), text); err != nil {
			firstError(t, err)
		}
	})
}
