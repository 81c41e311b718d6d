package describe

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nfdataset/nfdataset/features"
)

// CroissantFile is croissant.json's name in a dataset directory.
const CroissantFile = "croissant.json"

// FlowsRecordSet is the @id of the record set holding one record per flow.
const FlowsRecordSet = "flows"

// partsFileSet is the @id of the FileSet the flows record set reads.
const partsFileSet = "parts"

// croissantContext is Croissant 1.1's standard @context (the one
// mlcroissant writes); a map, so encoding/json orders its keys.
func croissantContext() map[string]any {
	cr := func(s string) string { return "cr:" + s }
	ctx := map[string]any{
		"@language":   "en",
		"@vocab":      "https://schema.org/",
		"cr":          "http://mlcommons.org/croissant/",
		"rai":         "http://mlcommons.org/croissant/RAI/",
		"dct":         "http://purl.org/dc/terms/",
		"sc":          "https://schema.org/",
		"conformsTo":  "dct:conformsTo",
		"data":        map[string]string{"@id": "cr:data", "@type": "@json"},
		"dataType":    map[string]string{"@id": "cr:dataType", "@type": "@vocab"},
		"examples":    map[string]string{"@id": "cr:examples", "@type": "@json"},
		"description": map[string]string{"@container": "@language"},
		"name":        map[string]string{"@container": "@language"},
	}
	for _, k := range []string{"arrayShape", "citeAs", "column", "containedIn", "equivalentProperty", "extract",
		"field", "fileProperty", "fileObject", "fileSet", "format", "includes", "isArray", "isLiveDataset",
		"jsonPath", "key", "md5", "parentField", "path", "recordSet", "references", "regex", "repeated",
		"replace", "samplingRate", "separator", "source", "subField", "transform"} {
		ctx[k] = cr(k)
	}
	return ctx
}

type crFile struct {
	Type           string `json:"@type"`
	ID             string `json:"@id"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	ContentURL     string `json:"contentUrl,omitempty"`
	ContentSize    string `json:"contentSize,omitempty"`
	EncodingFormat string `json:"encodingFormat"`
	SHA256         string `json:"sha256,omitempty"`
	Includes       string `json:"includes,omitempty"`
}

type crRef struct {
	ID string `json:"@id"`
}

type crSource struct {
	FileSet crRef             `json:"fileSet"`
	Extract map[string]string `json:"extract"`
}

type crField struct {
	Type        string   `json:"@type"`
	ID          string   `json:"@id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	DataType    any      `json:"dataType"`
	IsArray     bool     `json:"isArray,omitempty"`
	ArrayShape  string   `json:"arrayShape,omitempty"`
	Source      crSource `json:"source"`
}

type crRecordSet struct {
	Type        string    `json:"@type"`
	ID          string    `json:"@id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Key         []crRef   `json:"key,omitempty"`
	Field       []crField `json:"field"`
}

type crPerson struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

type croissant struct {
	Context     map[string]any `json:"@context"`
	Type        string         `json:"@type"`
	ConformsTo  string         `json:"conformsTo"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Version     string         `json:"version,omitempty"`
	License     string         `json:"license,omitempty"`
	URL         string         `json:"url,omitempty"`
	CiteAs      string         `json:"citeAs,omitempty"`
	Creator     []crPerson     `json:"creator,omitempty"`
	Keywords    []string       `json:"keywords"`
	IsLive      bool           `json:"isLiveDataset"`

	// The Responsible-AI fields that a metered capture can state.
	RAIDataCollection     string        `json:"rai:dataCollection"`
	RAIDataCollectionType string        `json:"rai:dataCollectionType"`
	RAIRawData            string        `json:"rai:dataCollectionRawData"`
	RAIPreprocessing      string        `json:"rai:dataPreprocessingProtocol"`
	RAIAnnotationProtocol string        `json:"rai:dataAnnotationProtocol,omitempty"`
	RAIMachineAnnotation  []string      `json:"rai:machineAnnotationTools,omitempty"`
	RAIAnnotationsPerItem string        `json:"rai:annotationsPerItem,omitempty"`
	RAILimitations        string        `json:"rai:dataLimitations"`
	Distribution          []crFile      `json:"distribution"`
	RecordSet             []crRecordSet `json:"recordSet"`
}

// dataType maps a column kind to a schema.org type.
func dataType(k features.Kind) string {
	switch k {
	case features.Int, features.IntList:
		return "sc:Integer"
	case features.Float:
		return "sc:Float"
	}
	return "sc:Text"
}

// Croissant renders croissant.json: indented, a final newline.
func Croissant(d *Dataset) []byte {
	c := croissant{
		Context:     croissantContext(),
		Type:        "sc:Dataset",
		ConformsTo:  "http://mlcommons.org/croissant/1.1",
		Name:        d.Name,
		Description: d.Description,
		Version:     d.Version,
		License:     d.License,
		URL:         d.URL,
		CiteAs:      d.Citation,
		Keywords:    []string{"network flows", "traffic classification", "NFStream", "nfdataset"},
	}
	if c.Description == "" {
		c.Description = fmt.Sprintf("Network flows metered from %d capture(s) by nfdataset.", len(d.Inputs))
	}
	for _, p := range d.Creators {
		c.Creator = append(c.Creator, crPerson{Type: "sc:Person", Name: p})
	}
	var raw []string
	warnings := 0
	for _, in := range d.Inputs {
		for _, f := range in.Files {
			raw = append(raw, fmt.Sprintf("%s (%d bytes, sha256 %s)", f.Path, f.Size, f.SHA256))
		}
		warnings += in.Warnings
	}
	c.RAIDataCollection = "Packet captures metered into bidirectional flows by nfdataset " + d.NfdatasetVersion +
		" (NFStream's flow semantics) from the resolved manifest in manifest.json (sha256 " + d.ManifestSHA256 + ")."
	c.RAIDataCollectionType = "Network packet capture"
	c.RAIRawData = "Input captures: " + strings.Join(raw, "; ") + "."
	var sets []string
	for _, fs := range d.FeatureSets {
		sets = append(sets, fmt.Sprintf("%s v%d (%s)", fs.Name, fs.Version, fs.LogicHash))
	}
	c.RAIPreprocessing = "Feature sets: " + strings.Join(sets, ", ") + ". Rows in " + d.RowOrder + "."
	if len(d.Labelers) > 0 {
		var prot []string
		for _, l := range d.Labelers {
			c.RAIMachineAnnotation = append(c.RAIMachineAnnotation, fmt.Sprintf("nfdataset labeler %s v%d", l.Kind, l.Version))
			s := fmt.Sprintf("column %s by the %s labeler", l.Column, l.Kind)
			if l.Rules != "" {
				s += ": " + l.Rules
			}
			prot = append(prot, s)
		}
		c.RAIAnnotationProtocol = "Labels are assigned by rules in the manifest, not by people; " + strings.Join(prot, "; ") + "."
		c.RAIAnnotationsPerItem = "1"
	}
	c.RAILimitations = "Flows describe only what the captures hold; labels are as good as the rules or ground truth that produced them."
	if warnings > 0 {
		c.RAILimitations += fmt.Sprintf(" The inputs raised %d damage warning(s) (dataset.json lists them).", warnings)
	}

	enc := encodingFormat(d.Format)
	for _, p := range d.Parts {
		c.Distribution = append(c.Distribution, crFile{Type: "cr:FileObject", ID: p.Path, Name: p.Path,
			Description: fmt.Sprintf("%d flows", p.Rows), ContentURL: p.Path,
			ContentSize: fmt.Sprintf("%d B", p.Size), EncodingFormat: enc, SHA256: p.SHA256})
	}
	c.Distribution = append(c.Distribution,
		crFile{Type: "cr:FileObject", ID: d.Manifest.Path, Name: d.Manifest.Path,
			Description: "the resolved manifest: the recipe that rebuilds this dataset (nfdataset reproduce)",
			ContentURL:  d.Manifest.Path, ContentSize: fmt.Sprintf("%d B", d.Manifest.Size),
			EncodingFormat: "application/json", SHA256: d.Manifest.SHA256},
		crFile{Type: "cr:FileSet", ID: partsFileSet, Name: partsFileSet,
			Description: "the part files, read in name order", EncodingFormat: enc, Includes: "part-*." + extOf(d.Format)},
	)
	rs := crRecordSet{Type: "cr:RecordSet", ID: FlowsRecordSet, Name: FlowsRecordSet,
		Description: "one record per bidirectional flow, in " + d.RowOrder}
	for _, col := range d.Columns {
		f := crField{Type: "cr:Field", ID: FlowsRecordSet + "/" + col.Name, Name: col.Name, Description: col.Doc,
			DataType: dataType(col.Kind),
			Source:   crSource{FileSet: crRef{ID: partsFileSet}, Extract: map[string]string{"column": col.Name}}}
		if col.Kind == features.IntList {
			f.IsArray, f.ArrayShape = true, "-1"
		}
		if col.Label {
			f.DataType = []string{dataType(col.Kind), "cr:Label"}
		}
		rs.Field = append(rs.Field, f)
	}
	c.RecordSet = []crRecordSet{rs}
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}

func extOf(format string) string {
	if format == "" {
		return "parquet"
	}
	return format
}
