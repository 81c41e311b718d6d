package describe

import "github.com/nfdataset/nfdataset/features"

// Dataset is what the descriptions are made from.
type Dataset struct {
	Name, Version, Description string
	License, Citation, URL     string
	Creators                   []string
	Card                       string // the authors' prose (Markdown), may be empty

	NfdatasetVersion string
	ManifestSHA256   string
	Format           string // parquet, csv or jsonl
	Rows             int64
	Parts            []File // the data files, in order
	Manifest         File   // manifest.json
	Columns          []Column
	Inputs           []Input
	FeatureSets      []FeatureSet
	Labelers         []Labeler
	RowOrder         string
}

// File is one file of the dataset directory.
type File struct {
	Path   string
	Rows   int64
	Size   int64
	SHA256 string
}

// Column is one dataset column.
type Column struct {
	Name     string
	Kind     features.Kind
	Doc      string
	Nullable bool
	Label    bool // written by a labeler
}

// Input is one capture the dataset was built from.
type Input struct {
	Name     string
	Files    []File // Rows unused
	Rows     int64
	Warnings int
}

// FeatureSet is one feature set with its version and logic hash.
type FeatureSet struct {
	Name      string
	Version   int
	LogicHash string
}

// Labeler is one labeler and the column it wrote.
type Labeler struct {
	Kind    string
	Version int
	Column  string
	Rules   string // a one-line account of how it labels, may be empty
}

// encodingFormat is the MIME type of a part file.
func encodingFormat(format string) string {
	switch format {
	case "parquet":
		return "application/x-parquet"
	case "csv":
		return "text/csv"
	case "jsonl":
		return "application/jsonlines"
	}
	return "application/octet-stream"
}
