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
