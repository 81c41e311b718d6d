package stages

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
)

func TestJSONLinesSinkOutput(t *testing.T) {
	path := writeSinkFile(t, "jsonl", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":0,"src_ip":"192.168.43.18","bidirectional_mean_ps":302.36842105263156,"splt_ps":[74,74,66,-1],"user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)","udps.maybe_int":7,"udps.maybe_float":440.0,"udps.maybe_list":[1]}
{"id":1,"src_ip":"","bidirectional_mean_ps":1e-05,"splt_ps":[],"user_agent":null,"udps.maybe_int":null,"udps.maybe_float":null,"udps.maybe_list":null}
{"id":9223372036854775807,"src_ip":"say \"hi\", then\nleave","bidirectional_mean_ps":1e+16,"splt_ps":[-9223372036854775808,0],"user_agent":"café ☕ \\ \t","udps.maybe_int":-1,"udps.maybe_float":-0.0,"udps.maybe_list":[]}
{"id":-42,"src_ip":"fe80::1","bidirectional_mean_ps":80.49999999999999,"splt_ps":[0,1,0,0,1],"user_agent":null,"udps.maybe_int":0,"udps.maybe_float":123456789012345.6,"udps.maybe_list":[-1,-1]}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Every line decodes with encoding/json to the values written, keys in
// schema order.
func TestJSONLinesSinkDecodes(t *testing.T) {
	path := writeSinkFile(t, "jsonl", SinkOptions{}, sinkTestSchema, sinkTestRecords)
	lines := readJSONLines(t, path)
	if len(lines) != len(sinkTestRecords) {
		t.Fatalf("%d lines, want %d", len(lines), len(sinkTestRecords))
	}
	for r, line := range lines {
		var got map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber() // keep int64 extremes exact
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d: %v\n%s", r+1, err, line)
		}
		want := map[string]any{}
		for i, col := range sinkTestSchema {
			want[col.Name] = jsonWant(col, sinkTestRecords[r][i])
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", r+1, diff)
		}
		if diff := cmp.Diff(schemaNames(sinkTestSchema), jsonKeys(t, line)); diff != "" {
			t.Errorf("line %d key order (-want +got):\n%s", r+1, diff)
		}
	}
}

// jsonWant is what encoding/json (with UseNumber) should decode for a value.
func jsonWant(col features.Column, v features.Value) any {
	if v.Null {
		return nil
	}
	switch col.Kind {
	case features.Int:
		return json.Number(cellText(col, v))
	case features.Float:
		if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
			return cellText(col, v) // "nan", "inf", "-inf" as a string
		}
		return json.Number(cellText(col, v))
	case features.IntList:
		list := []any{}
		for _, e := range v.List {
			list = append(list, json.Number(cellText(features.Column{Kind: features.Int}, features.IntValue(e))))
		}
		return list
	}
	if v.Str == "" && col.Nullable {
		return nil
	}
	return v.Str
}

func TestJSONLinesSinkNonFiniteFloats(t *testing.T) {
	schema := features.Schema{{Name: "x", Kind: features.Float}}
	records := []features.Record{
		{features.FloatValue(math.NaN())},
		{features.FloatValue(math.Inf(1))},
		{features.FloatValue(math.Inf(-1))},
	}
	path := writeSinkFile(t, "jsonl", SinkOptions{}, schema, records)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The CSV sink's text, quoted: JSON numbers cannot hold these.
	if diff := cmp.Diff("{\"x\":\"nan\"}\n{\"x\":\"inf\"}\n{\"x\":\"-inf\"}\n", string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func schemaNames(schema features.Schema) []string {
	var names []string
	for _, col := range schema {
		names = append(names, col.Name)
	}
	return names
}

// jsonKeys returns the keys of a JSON object in the order they appear.
func jsonKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func readJSONLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}
