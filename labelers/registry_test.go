package labelers_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/labelers"
)

// TestExamples decodes and builds every registered labeler's example.
func TestExamples(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "testdata", "truth.csv"), "Source IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp,Label\n")
	for _, s := range labelers.All() {
		t.Run(s.Kind, func(t *testing.T) {
			ls := buildIn(t, dir, s.Example)
			if len(ls) != 1 || ls[0].Name() != s.Kind || ls[0].Version() != s.Version {
				t.Fatalf("example built %d labelers (%v)", len(ls), ls)
			}
		})
	}
}

// TestDocsListKeys: docs/labelers.md documents every kind and key.
func TestDocsListKeys(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "labelers.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range labelers.All() {
		if !strings.Contains(string(doc), "`kind = \""+s.Kind+"\"`") {
			t.Errorf("docs/labelers.md does not describe kind %q", s.Kind)
		}
		for _, k := range s.Keys {
			name := k.Name[strings.LastIndex(k.Name, ".")+1:]
			if !strings.Contains(string(doc), "`"+name+"`") {
				t.Errorf("docs/labelers.md does not document %s key %q", s.Kind, k.Name)
			}
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"no kind", "[[label]]\ndefault = \"x\"", "line 1: label[0].kind: missing (one of application, csv, rules)"},
		{"unknown kind", "[[label]]\nkind = \"oracle\"", "line 1: label[0].kind: unknown labeler kind \"oracle\""},
		{"kind not string", "[[label]]\nkind = 3", "line 1: label[0].kind: want a string, got integer 3"},
		{"duplicate column", "[[label]]\nkind = \"rules\"\n[[label]]\nkind = \"rules\"", "line 1: label[1].column: label[0] already writes column \"label\""},
		{"unknown key", "[[label]]\nkind = \"rules\"\ncolour = \"red\"", "line 1: label[0].colour: unknown key"},
		{"rule unknown key", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\n[[label.rule]]\nlabel = \"b\"\nsrc_ip = \"1.2.3.4\"", "line 1: label[0].rule[1].src_ip: unknown key"},
		{"rule without label", "[[label]]\nkind = \"rules\"\n[[label.rule]]\ndst = \"1.2.3.4\"", "line 1: label[0].rule[0].label: missing"},
		{"bad dst", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\n[[label.rule]]\nlabel = \"a\"\n[[label.rule]]\nlabel = \"b\"\ndst = \"192.168.10.500\"", "line 1: label[0].rule[2].dst: \"192.168.10.500\" is not an address or CIDR prefix"},
		{"bad cidr", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nsrc = [\"10.0.0.0/8\", \"10.0.0.0/33\"]", "line 1: label[0].rule[0].src: \"10.0.0.0/33\" is not an address or CIDR prefix"},
		{"bad port", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\ndst_port = 70000", "line 1: label[0].rule[0].dst_port: want a port 0–65535"},
		{"bad range", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nsrc_port = \"90-80\"", "line 1: label[0].rule[0].src_port: \"90-80\" is not a port or a range"},
		{"bad protocol", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nprotocol = \"tcpp\"", "line 1: label[0].rule[0].protocol: unknown protocol \"tcpp\""},
		{"time without offset", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nstart = \"2017-07-04T09:20:00\"", "line 1: label[0].rule[0].start: want an RFC 3339 time with an offset"},
		{"toml local datetime", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nstart = 2017-07-04T09:20:00", "line 1: label[0].rule[0].start: a local date-time has no offset"},
		{"end before start", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nstart = \"2017-07-04T09:20:00Z\"\nend = \"2017-07-04T09:19:00Z\"", "line 1: label[0].rule[0].end: ends before start"},
		{"bad time_match", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\ntime_match = \"middle\"", "line 1: label[0].rule[0].time_match: want overlap, first or last"},
		{"bad payload", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nsrc2dst_payload = \"some\"", "line 1: label[0].rule[0].src2dst_payload: want zero or nonzero"},
		{"negative bound", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nmin_packets = -1", "line 1: label[0].rule[0].min_packets: must not be negative"},
		{"both zero keys", "[[label]]\nkind = \"rules\"\nzero_payload_suffix = \"x\"\nzero_payload_label = \"y\"", "line 1: label[0].zero_payload_label: set either"},
		{"rule as table", "[[label]]\nkind = \"rules\"\n[label.rule]\nlabel = \"a\"", "line 1: label[0].rule: want a list of tables: write [[label.rule]]"},
		{"bad glob", "[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\napplication = \"TLS.[\"", "line 1: label[0].rule[0].application: bad pattern"},
		{"application without map", "[[label]]\nkind = \"application\"", "line 1: label[0].map: missing or empty"},
		{"application bad value", "[[label]]\nkind = \"application\"\nmap = { \"a\" = 1 }", "line 1: label[0].map.\"a\": want a string, got integer 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := buildErr(t, t.TempDir(), c.src)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error\n got %v\nwant prefix %s", err, c.want)
			}
			var le *labelers.Error
			if !errors.As(err, &le) || le.Line != 1 {
				t.Errorf("not a *labelers.Error with the line: %#v", err)
			}
		})
	}
}

// view builds a record-only view (no meter flow), as labelers see records
// read back from a file.
func view(cols map[string]any) features.View {
	var v features.View
	for _, name := range []string{"src_ip", "dst_ip", "src_port", "dst_port", "protocol",
		"bidirectional_first_seen_ms", "bidirectional_last_seen_ms", "bidirectional_packets", "bidirectional_bytes",
		"src2dst_packets", "dst2src_packets", "src2dst_payload_bytes", "dst2src_payload_bytes",
		"application_name", "application_category_name"} {
		x, ok := cols[name]
		if !ok {
			continue
		}
		switch x := x.(type) {
		case string:
			v.Schema = append(v.Schema, features.Column{Name: name, Kind: features.String})
			v.Record = append(v.Record, features.StringValue(x))
		case int:
			v.Schema = append(v.Schema, features.Column{Name: name, Kind: features.Int})
			v.Record = append(v.Record, features.IntValue(int64(x)))
		}
	}
	return v
}

func TestRulesPredicates(t *testing.T) {
	ls := buildIn(t, t.TempDir(), `
[[label]]
kind = "rules"
default = "other"
[[label.rule]]
label = "dns"
dst_port = [53, "5353-5355"]
protocol = ["udp", 6]
[[label.rule]]
label = "net10-window"
src = "10.0.0.0/8"
start = "2020-01-01T10:00:00+01:00"
end = "2020-01-01T10:00:10Z"
[[label.rule]]
label = "net10-last"
src = "10.0.0.0/8"
start = "2020-01-01T10:00:20Z"
time_match = "last"
[[label.rule]]
label = "small"
max_packets = 2
max_bytes = 100
min_duration_ms = 0
max_duration_ms = 5
[[label.rule]]
label = "upload"
src = "192.0.2.1"
bidirectional = true
min_src2dst_packets = 3
src2dst_payload = "nonzero"
dst2src_payload = "zero"
zero_payload_label = "empty"
[[label.rule]]
label = "video"
application = ["*.YouTube", "QUIC"]
category = "Video*"
[[label.rule]]
label = "v6"
dst = "2001:db8::/32"
`)
	base := map[string]any{"src_ip": "172.16.0.9", "dst_ip": "172.16.0.10", "src_port": 40000, "dst_port": 443, "protocol": 6,
		"bidirectional_first_seen_ms": 1577872800000 - 3600000, "bidirectional_last_seen_ms": 1577872800000 - 3600000 + 50,
		"bidirectional_packets": 10, "bidirectional_bytes": 5000, "src2dst_packets": 5, "dst2src_packets": 5,
		"src2dst_payload_bytes": 100, "dst2src_payload_bytes": 100}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	const t10 = 1577872800000 // 2020-01-01T10:00:00Z
	cases := []struct {
		name string
		cols map[string]any
		want string
	}{
		{"default", with(), "other"},
		{"dns udp", with("dst_port", 53, "protocol", 17), "dns"},
		{"dns range", with("dst_port", 5354), "dns"},
		{"dns wrong proto", with("dst_port", 53, "protocol", 1), "other"},
		{"window overlap: starts before, ends inside", with("src_ip", "10.1.2.3", "bidirectional_first_seen_ms", t10-3600000-1000, "bidirectional_last_seen_ms", t10-3600000+5), "net10-window"},
		{"window: end inclusive", with("src_ip", "10.1.2.3", "bidirectional_first_seen_ms", t10+10000, "bidirectional_last_seen_ms", t10+10000), "net10-window"},
		{"window: after", with("src_ip", "10.1.2.3", "bidirectional_first_seen_ms", t10+10001, "bidirectional_last_seen_ms", t10+19000), "other"},
		{"last inside open window", with("src_ip", "10.1.2.3", "bidirectional_first_seen_ms", t10+15000, "bidirectional_last_seen_ms", t10+20000), "net10-last"},
		{"small", with("bidirectional_packets", 2, "bidirectional_bytes", 100, "bidirectional_last_seen_ms", base["bidirectional_first_seen_ms"].(int)+5), "small"},
		{"small too long", with("bidirectional_packets", 2, "bidirectional_bytes", 100, "bidirectional_last_seen_ms", base["bidirectional_first_seen_ms"].(int)+6), "other"},
		{"upload", with("src_ip", "192.0.2.1", "dst2src_payload_bytes", 0), "upload"},
		{"upload swapped", with("dst_ip", "192.0.2.1", "src2dst_payload_bytes", 0, "src2dst_packets", 1, "dst2src_packets", 4), "empty"},
		{"upload swapped too few", with("dst_ip", "192.0.2.1", "src2dst_payload_bytes", 0, "src2dst_packets", 4, "dst2src_packets", 2), "other"},
		{"upload without payload columns", map[string]any{"src_ip": "192.0.2.1", "dst_ip": "1.1.1.1", "protocol": 6, "src2dst_packets": 5, "bidirectional_packets": 9, "bidirectional_bytes": 900}, "other"},
		{"youtube", with("application_name", "TLS.YouTube", "application_category_name", "Video"), "video"},
		{"youtube wrong category", with("application_name", "TLS.YouTube", "application_category_name", "Web"), "other"},
		{"quic video", with("application_name", "QUIC", "application_category_name", "VideoStream"), "video"},
		{"v6", with("src_ip", "2001:db8::1", "dst_ip", "2001:db8:1::2"), "v6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ls[0].Label(view(c.cols)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	rep := ls[0].Report()
	want := map[string]any{"video": int64(2), "dns": int64(2), "net10-window": int64(2), "net10-last": int64(1),
		"small": int64(1), "upload": int64(1), "empty": int64(1), "v6": int64(1), "other": int64(7)}
	if diff := cmp.Diff(want, rep["labels"]); diff != "" {
		t.Errorf("report labels (-want +got):\n%s", diff)
	}
	if rep["flows"] != int64(len(cases)) {
		t.Errorf("flows %v", rep["flows"])
	}
}

func TestApplication(t *testing.T) {
	ls := buildIn(t, t.TempDir(), `
[[label]]
kind = "application"
column = "class"
default = "other"
map = { "TLS.Facebook" = "social", "*.Facebook" = "facebook-any", "*.YouTube" = "video", "SocialNetwork" = "social-cat", "TLS*" = "tls" }
`)
	cases := []struct{ app, cat, want string }{
		{"TLS.Facebook", "SocialNetwork", "social"},
		{"QUIC.Facebook", "SocialNetwork", "facebook-any"},
		{"TLS.YouTube", "Media", "video"},
		{"TLS.Google", "Web", "tls"},
		{"HTTP", "SocialNetwork", "social-cat"},
		{"DNS", "Network", "other"},
		{"", "", "other"},
	}
	for _, c := range cases {
		if got := ls[0].Label(view(map[string]any{"application_name": c.app, "application_category_name": c.cat})); got != c.want {
			t.Errorf("%s/%s: got %q, want %q", c.app, c.cat, got, c.want)
		}
	}
	if ls[0].Column() != "class" {
		t.Errorf("column %q", ls[0].Column())
	}
}

// TestApplyChain: several labelers run in order, each adding its column.
func TestApplyChain(t *testing.T) {
	ls := buildIn(t, t.TempDir(), `
[[label]]
kind = "rules"
default = "BENIGN"
[[label.rule]]
label = "scan"
dst_port = 22
[[label]]
kind = "application"
column = "app_class"
default = "unknown"
map = { "SSH" = "remote" }
`)
	v := view(map[string]any{"dst_port": 22, "application_name": "SSH"})
	schema, err := labelers.Schema(v.Schema, ls)
	if err != nil {
		t.Fatal(err)
	}
	rec := labelers.Apply(ls, schema, v)
	got := []string{rec[len(rec)-2].Str, rec[len(rec)-1].Str, schema[len(schema)-2].Name, schema[len(schema)-1].Name}
	if diff := cmp.Diff([]string{"scan", "remote", "label", "app_class"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := labelers.Schema(features.Schema{{Name: "label"}}, ls); err == nil {
		t.Error("Schema accepted a label column that shadows a feature column")
	}
}

// TestTOMLDatetime: start and end may be TOML offset date-times too.
func TestTOMLDatetime(t *testing.T) {
	var doc map[string]any
	if _, err := toml.Decode("[[label]]\nkind = \"rules\"\n[[label.rule]]\nlabel = \"a\"\nstart = 2020-01-01T10:00:00Z\nend = 2020-01-01T10:00:01.5+00:00", &doc); err != nil {
		t.Fatal(err)
	}
	ls, err := labelers.Build([]labelers.Table{{Line: 3, Data: doc["label"].([]map[string]any)[0]}}, ".")
	if err != nil {
		t.Fatal(err)
	}
	ms := time.Date(2020, 1, 1, 10, 0, 1, 500e6, time.UTC).UnixMilli()
	got := ls[0].Label(view(map[string]any{"bidirectional_first_seen_ms": int(ms), "bidirectional_last_seen_ms": int(ms)}))
	if got != "a" {
		t.Errorf("got %q", got)
	}
}

// TestConcurrentLabel: jobs of a build label flows at the same time; the
// reports are sums whatever the interleaving (run with -race).
func TestConcurrentLabel(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "gt.csv"), "Source IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp,Label\n10.0.0.1,1,10.0.0.2,2,6,1/1/2020 10:00,x\n")
	ls := buildIn(t, dir, `
[[label]]
kind = "rules"
[[label.rule]]
label = "a"
src = "10.0.0.1"
[[label]]
kind = "csv"
column = "truth"
path = "gt.csv"
`)
	v := view(map[string]any{"src_ip": "10.0.0.2", "dst_ip": "10.0.0.1", "src_port": 2, "dst_port": 1, "protocol": 6,
		"bidirectional_first_seen_ms": int(time.Date(2020, 1, 1, 10, 0, 30, 0, time.UTC).UnixMilli())})
	w := view(map[string]any{"src_ip": "10.0.0.1", "dst_ip": "10.0.0.2", "src_port": 1, "dst_port": 2, "protocol": 6})
	schema, err := labelers.Schema(v.Schema, ls)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 500; i++ {
				labelers.Apply(ls, schema, v)
				labelers.Apply(ls, schema, w)
			}
			done <- true
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	want := []map[string]any{
		{"flows": int64(4000), "labels": map[string]any{"a": int64(2000), "": int64(2000)}, "rules": []any{map[string]any{"index": int64(0), "label": "a", "hits": int64(2000)}}},
		{"flows": int64(4000), "matched_flows": int64(2000), "unmatched_flows": int64(2000), "conflicting_flows": int64(0), "rows": int64(1), "rows_matched": int64(1),
			"rows_unmatched": int64(0), "empty_rows_skipped": int64(0), "bad_rows_skipped": int64(0), "labels": map[string]any{"x": int64(2000), "": int64(2000)}},
	}
	for i, l := range ls {
		if diff := cmp.Diff(want[i], l.Report()); diff != "" {
			t.Errorf("%s report (-want +got):\n%s", l.Name(), diff)
		}
	}
}
