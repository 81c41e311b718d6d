package stages

import (
	"strings"
	"testing"
)

// FuzzReadNFStreamCSV: NFStream CSV files are read from users' disks; any
// text gives rows or an error, never a panic, and a row never has another
// field count than the header.
func FuzzReadNFStreamCSV(f *testing.F) {
	f.Add("id,src_ip,application_name\n0,\"10.0.0.1\",\"TLS\"\n")
	f.Add("a,b\n\"x\\\"y\",\"[0, 1, -1]\"\n")
	f.Add("a\n\"unterminated\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		header, rows, err := ReadNFStreamCSV(strings.NewReader(text))
		if err != nil {
			return
		}
		for i, r := range rows {
			if len(r) != len(header) {
				t.Fatalf("row %d has %d fields, header %d", i, len(r), len(header))
			}
		}
	})
}
