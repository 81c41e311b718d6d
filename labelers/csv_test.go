package labelers_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/labelers"
)

// testdata/malware-truth.csv is a ground truth written by hand for the five
// flows of the corpus capture malware.pcap, in CIC-IDS2017's style: the
// header's leading spaces, day-first unpadded dates, a 12-hour clock
// without AM/PM (Asia/Tokyo: the flows start 17:04 and 19:16, printed 5:04
// and 7:16), minute resolution, an empty row and a Windows-1252 en dash
// (byte 0x96). Rows, in file order:
//
//	DNS           the UDP flow as metered, 27 s before its first packet
//	ICMP probe    the ICMP flow, zero-padded date (the other layout)
//	Web Attack –  the HTTP SYN flow written in reverse direction, 24 s after
//	Bot           the 2-packet HTTP flow, 49 s before: the nearest row
//	PortScan      the same 5-tuple 71 s after: a conflicting candidate
//	DDoS          the TLS flow but 3 min 3 s after its start: out of tolerance
//	(empty row)
//	DDoS          a 5-tuple absent from the capture, 1:00 = 13:00
//	DNS over TCP  the DNS flow's tuple with protocol 6: matches nothing
func TestCSVJoinCorpus(t *testing.T) {
	lt, frames := readPcap(t, mustRead(t, filepath.Join(corpusDir, "malware.pcap")))
	const table = `
[[label]]
kind = "csv"
path = "malware-truth.csv"
default = "BENIGN"
time_format = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"]
pm_below_hour = 8
timezone = "Asia/Tokyo"
tolerance = "2m"
encoding = "ENCODING"
`
	cases := []struct {
		encoding string
		webLabel string
	}{
		{"windows-1252", "Web Attack – Brute Force"},
		{"latin-1", "Web Attack \u0096 Brute Force"},
		{"utf-8", "Web Attack \uFFFD Brute Force"},
	}
	for _, c := range cases {
		t.Run(c.encoding, func(t *testing.T) {
			ls := buildFrom(t, strings.ReplaceAll(table, "ENCODING", c.encoding))
			rows := run(t, lt, frames, []string{"base"}, 120, 1800, ls)
			var got []string
			for _, r := range rows {
				got = append(got, r.str("src_ip")+" "+r.str("dst_ip")+" "+r.str("label"))
			}
			want := []string{
				"192.168.7.7 1.1.1.1 DNS",
				"192.168.7.7 144.139.247.220 ICMP probe",
				"192.168.7.7 144.139.247.220 " + c.webLabel,
				"192.168.7.7 67.215.92.210 Bot",
				"192.168.7.7 67.215.92.210 BENIGN",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			wantReport := map[string]any{
				"flows": int64(5), "matched_flows": int64(4), "unmatched_flows": int64(1),
				"conflicting_flows": int64(1), "rows": int64(8), "rows_matched": int64(4),
				"rows_unmatched": int64(4), "empty_rows_skipped": int64(1), "bad_rows_skipped": int64(0),
				"labels": map[string]any{"DNS": int64(1), "ICMP probe": int64(1), c.webLabel: int64(1), "Bot": int64(1), "BENIGN": int64(1)},
			}
			if diff := cmp.Diff(wantReport, ls[0].Report()); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCSVOneRowManyFlows: one ground-truth row labels every flow of its
// 5-tuple within the tolerance, in either direction; the nearest row wins.
func TestCSVOneRowManyFlows(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "gt.csv"), "Source IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp,Label\n"+
		"10.0.0.1,5000,10.0.0.2,53,udp,2020-01-01T10:00:00Z,first\n"+
		"10.0.0.2,53,10.0.0.1,5000,17,2020-01-01T10:10:00Z,second\n")
	ls := buildIn(t, dir, `
[[label]]
kind = "csv"
column = "truth"
path = "gt.csv"
default = "none"
time_format = "%Y-%m-%dT%H:%M:%SZ"
tolerance = "5m"
`)
	base := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
	pkts := []pkt{
		udpPkt(base.Add(-4*time.Minute), "10.0.0.1", 5000, "10.0.0.2", 53, 10), // 4 min before the first row
		udpPkt(base.Add(1*time.Minute), "10.0.0.2", 53, "10.0.0.1", 5000, 10),  // reversed
		udpPkt(base.Add(5*time.Minute), "10.0.0.1", 5000, "10.0.0.2", 53, 10),  // a tie: the earlier row wins
		udpPkt(base.Add(6*time.Minute), "10.0.0.1", 5000, "10.0.0.2", 53, 10),  // nearer the second
		udpPkt(base.Add(16*time.Minute), "10.0.0.1", 5000, "10.0.0.2", 53, 10), // 6 min after the second
	}
	rows := runPkts(t, pkts, []string{"base"}, 1, 1, ls) // 1 s timeouts: one flow per packet
	var got []string
	for _, r := range rows {
		got = append(got, r.str("truth"))
	}
	if diff := cmp.Diff([]string{"first", "first", "first", "second", "none"}, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	rep := ls[0].Report()
	if rep["rows_unmatched"] != int64(0) || rep["matched_flows"] != int64(4) || rep["conflicting_flows"] != int64(1) {
		t.Errorf("report %v", rep)
	}
}

func TestCSVErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "gt.csv"), " Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Label\n"+
		"10.0.0.1,5000,10.0.0.2,53,17,1/1/2020 10:00,ok\n"+
		"10.0.0.1,5000,10.0.0.2,53,17,31/2/2020 10:00,bad date\n")
	writeFile(t, filepath.Join(dir, "nolabel.csv"), "Source IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp\n")
	cases := []struct{ name, table, want string }{
		{"missing file", `path = "absent.csv"`, "line 1: label[0].path: open "},
		{"bad row", `path = "gt.csv"`, "line 1: label[0].path: " + filepath.Join(dir, "gt.csv") + ": line 3: timestamp: time \"31/2/2020 10:00\": no such day"},
		{"missing column", `path = "nolabel.csv"`, "line 1: label[0].columns.label: " + filepath.Join(dir, "nolabel.csv") + ": no column \"Label\" (for label) in the header"},
		{"unknown role", "path = \"gt.csv\"\ncolumns = { flow = \"Flow ID\" }", "line 1: label[0].columns.flow: unknown role"},
		{"bad zone", "path = \"gt.csv\"\ntimezone = \"Mars/Olympus\"", "line 1: label[0].timezone: unknown time zone \"Mars/Olympus\""},
		{"bad encoding", "path = \"gt.csv\"\nencoding = \"ebcdic\"", "line 1: label[0].encoding: unknown encoding"},
		{"bad format", "path = \"gt.csv\"\ntime_format = \"%d/%m %Q\"", "line 1: label[0].time_format: time format \"%d/%m %Q\": unknown directive %Q"},
		{"bad tolerance", "path = \"gt.csv\"\ntolerance = \"soon\"", "line 1: label[0].tolerance: want a duration"},
		{"unknown key", "path = \"gt.csv\"\nskip_bad_rows = true\nfuzzy = 1", "line 1: label[0].fuzzy: unknown key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := buildErr(t, dir, "[[label]]\nkind = \"csv\"\n"+c.table)
			if err == nil || !hasPrefix(err.Error(), c.want) {
				t.Errorf("error\n got %v\nwant prefix %s", err, c.want)
			}
		})
	}
	// skip_bad_rows counts the row instead.
	ls := buildIn(t, dir, "[[label]]\nkind = \"csv\"\npath = \"gt.csv\"\nskip_bad_rows = true")
	if rep := ls[0].Report(); rep["bad_rows_skipped"] != int64(1) || rep["rows"] != int64(1) {
		t.Errorf("report %v", rep)
	}
}

func TestTimeFormat(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		layout string
		pm     int
		in     string
		want   string // RFC 3339 in UTC, or "error"
	}{
		{"%d/%m/%Y %H:%M", 0, "4/7/2017 8:54", "2017-07-04T08:54:00Z"},
		{"%d/%m/%Y %H:%M", 0, "04/07/2017 08:54", "2017-07-04T08:54:00Z"},
		{"%d/%m/%Y %H:%M", 8, "6/7/2017 1:00", "2017-07-06T13:00:00Z"},
		{"%d/%m/%Y %H:%M", 8, "6/7/2017 12:59", "2017-07-06T12:59:00Z"},
		{"%d/%m/%Y %H:%M", 8, "6/7/2017 8:00", "2017-07-06T08:00:00Z"},
		{"%d/%m/%Y %I:%M:%S %p", 0, "03/07/2017 12:05:58 am", "2017-07-03T00:05:58Z"},
		{"%d/%m/%Y %I:%M:%S %p", 0, "03/07/2017 1:05:58 PM", "2017-07-03T13:05:58Z"},
		{"%F %T.%f", 0, "2017-07-07 15:56:31.796", "2017-07-07T15:56:31.796Z"},
		{"%Y-%m-%dT%H:%M:%S%z", 0, "2017-07-07T15:56:31-03:00", "2017-07-07T18:56:31Z"},
		{"%Y-%m-%dT%H:%M:%S%z", 0, "2017-07-07T15:56:31+0200", "2017-07-07T13:56:31Z"},
		{"%d %b %Y %H:%M", 0, "7 JUL 2017 9:30", "2017-07-07T09:30:00Z"},
		{"%d %B %y  %H:%M", 0, "7   July 17 9:30", "2017-07-07T09:30:00Z"},
		{"%d/%m/%Y %H:%M", 0, "4/7/2017 8:54:10", "error"},
		{"%d/%m/%Y %H:%M", 0, "4/7/2017 24:00", "error"},
		{"%d/%m/%Y %H:%M", 0, "29/2/2017 10:00", "error"},
		{"%d/%m/%Y %H:%M", 0, "4/13/2017 10:00", "error"},
		{"%d/%m/%Y %I:%M", 0, "4/7/2017 10:00", "error"},
	}
	for _, c := range cases {
		t.Run(c.layout+" "+c.in, func(t *testing.T) {
			tf, err := labelers.ParseTimeFormat(c.layout)
			if err != nil {
				t.Fatal(err)
			}
			tf.PMBelowHour = c.pm
			got, err := tf.Parse(c.in, time.UTC)
			s := "error"
			if err == nil {
				s = got.UTC().Format(time.RFC3339Nano)
			}
			if s != c.want {
				t.Errorf("got %s (%v), want %s", s, err, c.want)
			}
		})
	}
	tf, _ := labelers.ParseTimeFormat("%d/%m/%Y %H:%M")
	got, err := tf.Parse("27/9/2019 17:04", tokyo)
	if err != nil || got.UTC().Format(time.RFC3339) != "2019-09-27T08:04:00Z" {
		t.Errorf("zone: got %v %v", got, err)
	}
	for _, bad := range []string{"", "%H:%M", "%d/%m/%Y %H %I", "%d/%m/%Y %d", "%d/%m/%Y %"} {
		if _, err := labelers.ParseTimeFormat(bad); err == nil {
			t.Errorf("ParseTimeFormat(%q): no error", bad)
		}
	}
}
