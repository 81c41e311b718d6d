package pipeline

import (
	"fmt"
	"path/filepath"

	"github.com/nfdataset/nfdataset/stages"
	"github.com/nfdataset/nfdataset/stages/anon"
)

// AnonymizationInfo is dataset.json's record of [output] anonymize: what
// was done, and a keyed digest that tells two keys apart without
// revealing either (anon.Digest).
type AnonymizationInfo struct {
	Columns   []string `json:"columns"`
	Method    string   `json:"method"`
	MAC       string   `json:"mac"`
	KeyDigest string   `json:"key_digest"`
}

// decodeAnonymize reads [output] anonymize. The key itself is read when
// the dataset is assembled, so that validate needs no secret.
func decodeAnonymize(t *table, inputs []Input) anon.Config {
	a := t.sub("anonymize")
	if a == nil {
		return anon.Config{}
	}
	var c anon.Config
	c.Columns, _ = a.strings("columns")
	c.Method = a.str("method", "")
	c.KeyFile = a.str("key_file", "")
	c.KeyEnv = a.str("key_env", "")
	c.MAC = a.str("mac", "")
	a.done("columns", "method", "key_file", "key_env", "mac")
	if err := c.Normalize(); err != nil {
		a.d.errorf(t.key("anonymize"), "%v", err)
		return anon.Config{}
	}
	if !c.Enabled() {
		a.d.errorf(t.key("anonymize"), "columns is empty: list the columns to anonymise")
	}
	for _, in := range inputs {
		if in.Live != nil {
			a.d.errorf(t.key("anonymize"), "not supported with a live input yet (%s): anonymise when reading the finished capture", in.Key)
			return anon.Config{}
		}
	}
	return c
}

// loadAnonKey returns [output] anonymize with its key read (a key_file
// is relative to the manifest).
func loadAnonKey(m *Manifest) (anon.Config, error) {
	c := m.Output.Anonymize
	if c.KeyFile != "" && !filepath.IsAbs(c.KeyFile) {
		c.KeyFile = filepath.Join(m.Dir, c.KeyFile)
	}
	if err := c.LoadKey(); err != nil {
		return c, fmt.Errorf("%s: [output] anonymize: %w", m.File, err)
	}
	return c, nil
}

func anonymizingSink(m *Manifest, sink stages.Sink) (stages.Sink, error) {
	c, err := loadAnonKey(m)
	if err != nil {
		return nil, err
	}
	return stages.AnonymizeSink(sink, c)
}

func anonymizationInfo(m *Manifest) (*AnonymizationInfo, error) {
	c := m.Output.Anonymize
	if !c.Enabled() {
		return nil, nil
	}
	c, err := loadAnonKey(m)
	if err != nil {
		return nil, err
	}
	return &AnonymizationInfo{Columns: c.Columns, Method: c.Method, MAC: c.MAC, KeyDigest: "blake2b:" + anon.Digest(c.Key)}, nil
}
