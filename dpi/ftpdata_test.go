package dpi

import (
	"strings"
	"testing"
)

func TestFTPData(t *testing.T) {
	fs := flowSpec{proto: 6, src: "192.168.1.212", dst: "90.130.70.73", srcPort: 50695, dstPort: 25685}
	handshake := []pkt{{flags: FlagSYN}, {dir: 1, flags: FlagSYN | FlagACK}, {flags: FlagACK}}
	runCases(t, []flowCase{
		{
			// As ftp.pcap's data connection: a zip file after the handshake.
			name: "file after handshake",
			fs:   fs,
			pkts: append(handshake[:3:3], pkt{dir: 1, hex: "504b0304" + strings.Repeat("00", 300)}),
			want: Result{Application: "FTP_DATA", Category: "Download", Confidence: 6},
		},
		{
			name: "directory listing",
			fs:   fs,
			pkts: append(handshake[:3:3], pkt{dir: 1, hex: hexOf("drwxr-xr-x    2 0 0 4096 Jan 01 pub\r\n")}),
			want: Result{Application: "FTP_DATA", Category: "Download", Confidence: 6},
		},
		{
			name: "file without handshake",
			fs:   fs,
			pkts: []pkt{{dir: 1, hex: "504b0304" + strings.Repeat("00", 300)}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
