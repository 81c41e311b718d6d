package describe

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CardFile is the dataset card's name in a dataset directory.
const CardFile = "README.md"

// sizeCategory is Hugging Face's size bucket for n rows.
func sizeCategory(n int64) string {
	bounds := []struct {
		max  int64
		name string
	}{{1_000, "n<1K"}, {10_000, "1K<n<10K"}, {100_000, "10K<n<100K"}, {1_000_000, "100K<n<1M"},
		{10_000_000, "1M<n<10M"}, {100_000_000, "10M<n<100M"}, {1_000_000_000, "100M<n<1B"}}
	for _, b := range bounds {
		if n < b.max {
			return b.name
		}
	}
	return "n>1T"
}

// yq quotes s as a YAML scalar: a JSON string is a valid YAML
// double-quoted scalar.
func yq(s string) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// Card renders the dataset card: YAML front matter in Hugging Face's
// layout, then sections on how the dataset was built, how to rebuild it,
// its labels and its limits, and the authors' own prose.
func Card(d *Dataset) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	license := strings.ToLower(d.License)
	if license == "" {
		license = "other"
	}
	w("---\n")
	w("license: %s\n", yq(license))
	w("pretty_name: %s\n", yq(d.Name))
	w("tags:\n- network-flows\n- nfstream\n- nfdataset\n- croissant\n")
	w("task_categories:\n- tabular-classification\n")
	w("size_categories:\n- %s\n", yq(sizeCategory(d.Rows)))
	w("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path:\n")
	for _, p := range d.Parts {
		w("    - %s\n", yq(p.Path))
	}
	w("---\n\n")

	w("# %s\n\n", d.Name)
	if d.Description != "" {
		w("%s\n\n", d.Description)
	}
	w("%d flows", d.Rows)
	if d.Version != "" {
		w(", version %s", d.Version)
	}
	w(", metered by nfdataset %s. Machine-readable metadata: `croissant.json` (Croissant 1.1); provenance: `dataset.json`.\n\n", d.NfdatasetVersion)
	if d.Card != "" {
		w("%s\n\n", strings.TrimRight(d.Card, "\n"))
	}

	w("## How it was built\n\n")
	w("Each capture below was metered into bidirectional flows with NFStream's flow semantics and columns. Inputs:\n\n")
	w("| input | files | flows | sha256 |\n| --- | --- | --- | --- |\n")
	for _, in := range d.Inputs {
		var names, sums []string
		for _, f := range in.Files {
			names = append(names, "`"+f.Path+"`")
			sums = append(sums, "`"+f.SHA256+"`")
		}
		w("| %s | %s | %d | %s |\n", mdCell(in.Name), strings.Join(names, ", "), in.Rows, strings.Join(sums, ", "))
	}
	w("\nFeature sets:\n\n| set | version | logic hash |\n| --- | --- | --- |\n")
	for _, fs := range d.FeatureSets {
		w("| %s | %d | `%s` |\n", fs.Name, fs.Version, fs.LogicHash)
	}
	w("\nRows are in %s.\n\n", d.RowOrder)

	w("## Rebuild it\n\n")
	w("`manifest.json` is the resolved recipe (sha256 `%s`). With the captures above in a folder `captures/`:\n\n", d.ManifestSHA256)
	w("```sh\nnfdataset reproduce --inputs captures/ --output rebuilt/ .\n```\n\n")
	w("rebuilds the dataset and checks that every file has the published bytes.\n\n")

	w("## Labels\n\n")
	if len(d.Labelers) == 0 {
		w("The dataset has no label column.\n\n")
	} else {
		for _, l := range d.Labelers {
			w("- `%s`: the `%s` labeler (version %d)", l.Column, l.Kind, l.Version)
			if l.Rules != "" {
				w(": %s", l.Rules)
			}
			w("\n")
		}
		w("\nRun `nfdataset report` for the label balance.\n\n")
	}

	w("## Columns\n\n| column | type | description |\n| --- | --- | --- |\n")
	for _, c := range d.Columns {
		w("| `%s` | %s | %s |\n", c.Name, c.Kind, mdCell(c.Doc))
	}
	w("\n## Known limitations\n\n")
	w("- Flows describe only what the captures hold: traffic missed by the capture point, or cut by its snapshot length, is absent.\n")
	w("- Labels come from rules or ground truth files, not from inspection by people; a flow that no rule matched has the default label.\n")
	for _, in := range d.Inputs {
		if in.Warnings > 0 {
			w("- Input %s raised %d damage warning(s); dataset.json lists them.\n", mdCell(in.Name), in.Warnings)
		}
	}
	if d.Citation != "" {
		w("\n## Citation\n\n```bibtex\n%s\n```\n", strings.TrimRight(d.Citation, "\n"))
	}
	return []byte(b.String())
}

// mdCell makes s safe inside a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "\n", " ")
}
