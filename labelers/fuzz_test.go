package labelers_test

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nfdataset/nfdataset/labelers"
)

// FuzzTimeFormat: any layout and input either parse to a time that
// re-parses from its own rendering, or fail; never a panic.
func FuzzTimeFormat(f *testing.F) {
	f.Add("%d/%m/%Y %H:%M", "4/7/2017 8:54", 8)               // CIC Tuesday
	f.Add("%d/%m/%Y %H:%M:%S", "03/07/2017 08:55:58", 0)      // CIC Monday
	f.Add("%d/%m/%Y %I:%M:%S %p", "03/07/2017 1:05:58 PM", 0) // CICFlowMeter 4.0
	f.Add("%F %T.%f", "2017-07-07 15:56:31.796", 0)           // Engelen's fork
	f.Add("%Y-%m-%dT%H:%M:%S%z", "2017-07-07T15:56:31-03:00", 0)
	f.Add("%d %b %y %H:%M", "7 jul 17 9:30", 0)
	f.Add("%%%d%m%Y", "%0107 2017", 0)
	f.Fuzz(func(t *testing.T, layout, in string, pm int) {
		tf, err := labelers.ParseTimeFormat(layout)
		if err != nil {
			return
		}
		tf.PMBelowHour = pm % 13
		got, err := tf.Parse(in, time.UTC)
		if err != nil {
			return
		}
		if got.Year() < 0 || got.Year() > 9999+1 {
			t.Fatalf("%q with %q: year %d", in, layout, got.Year())
		}
	})
}

// FuzzGroundTruth: any bytes, in any supported encoding, either parse or
// fail with an error; every row parsed has a label that is valid UTF-8.
func FuzzGroundTruth(f *testing.F) {
	f.Add([]byte("Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Label\r\n"+
		"192.168.10.5,54865,104.16.207.165,443,6,4/7/2017 8:54,BENIGN\r\n,,,,,,\r\n"+
		"172.16.0.1,44,192.168.10.50,80,6,6/7/2017 1:00,Web Attack \x96 Brute Force\r\n"), uint8(0))
	f.Add([]byte("Label,Timestamp,Protocol,Destination Port,Destination IP,Source Port,Source IP\n\"a,\"\"b\",27/9/2019 5:04,udp,53,1.1.1.1,1,::1\n"), uint8(1))
	f.Add([]byte("\ufeffSource IP,Source Port,Destination IP,Destination Port,Protocol,Timestamp,Label\n1.2.3.4,1,5.6.7.8,2,17,1/1/2020 10:00\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, enc uint8) {
		formats := []*labelers.TimeFormat{}
		for _, l := range []string{"%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"} {
			tf, err := labelers.ParseTimeFormat(l)
			if err != nil {
				t.Fatal(err)
			}
			tf.PMBelowHour = 8
			formats = append(formats, tf)
		}
		encoding := []string{"utf-8", "latin-1", "windows-1252"}[enc%3]
		r, err := labelers.NewDecoder(bytes.NewReader(data), encoding)
		if err != nil {
			t.Fatal(err)
		}
		gt, err := labelers.ReadGroundTruth(r, labelers.GroundTruthOptions{Formats: formats, UTF8: encoding == "utf-8", SkipBadRows: enc&4 != 0})
		if err != nil {
			return
		}
		for _, row := range gt.Rows {
			if !utf8.ValidString(row.Label) {
				t.Fatalf("label %q is not UTF-8", row.Label)
			}
			if row.Line < 2 {
				t.Fatalf("row line %d", row.Line)
			}
		}
	})
}
