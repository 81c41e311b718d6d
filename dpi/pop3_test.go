package dpi

import "testing"

func TestPOP3(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 110}
	greeting := pkt{dir: 1, hex: hexOf("+OK POP3 server ready\r\n")}
	runCases(t, []flowCase{
		{
			name: "login",
			fs:   fs,
			pkts: []pkt{greeting, {hex: hexOf("USER alice\r\n")}, {dir: 1, hex: hexOf("+OK\r\n")}, {hex: hexOf("PASS secret\r\n")}, {dir: 1, hex: hexOf("+OK logged in\r\n")}},
			want: Result{Application: "POP3", Category: "Email", Confidence: 6},
		},
		{
			name: "STLS accepted",
			fs:   fs,
			pkts: []pkt{greeting, {hex: hexOf("CAPA\r\n")}, {dir: 1, hex: hexOf("+OK\r\n")}, {hex: hexOf("STLS\r\n")}, {dir: 1, hex: hexOf("+OK begin TLS\r\n")}},
			want: Result{Application: "POPS", Category: "Email", Confidence: 6},
		},
		{
			name: "greeting only",
			fs:   flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 50000, dstPort: 1110},
			pkts: []pkt{greeting},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}
