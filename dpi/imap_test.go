package dpi

import "testing"

func TestIMAP(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 143}
	greeting := pkt{dir: 1, hex: hexOf("* OK IMAP4rev1 ready\r\n")}
	runCases(t, []flowCase{
		{
			name: "login",
			fs:   fs,
			pkts: []pkt{greeting, {hex: hexOf("a1 CAPABILITY\r\n")}, {hex: hexOf("a2 LOGIN alice secret\r\n")}},
			want: Result{Application: "IMAP", Category: "Email", Confidence: 6},
		},
		{
			name: "STARTTLS accepted",
			fs:   fs,
			pkts: []pkt{greeting, {hex: hexOf("a1 STARTTLS\r\n")}, {dir: 1, hex: hexOf("a1 OK Begin TLS\r\n")}},
			want: Result{Application: "IMAPS", Category: "Email", Confidence: 6},
		},
		{
			name: "not a tag",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 1143},
			pkts: []pkt{{dir: 1, hex: hexOf("<html> OK\r\n")}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
