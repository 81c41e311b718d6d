package dpi

import "testing"

func TestFTPControl(t *testing.T) {
	fs := flowSpec{proto: 6, src: "192.168.1.212", dst: "90.130.70.73", srcPort: 50694, dstPort: 2121}
	// ftp.pcap, 192.168.1.212:50694 <-> 90.130.70.73:21 (harness dump): greeting,
	// USER anonymous, 331, PASS NcFTP@, 230.
	login := []pkt{
		{dir: 1, hex: "323230202876734654506420332e302e33290d0a"},
		{hex: "5553455220616e6f6e796d6f75730d0a"},
		{dir: 1, hex: "33333120506c656173652073706563696679207468652070617373776f72642e0d0a"},
		{hex: "50415353204e63465450400d0a"},
		{dir: 1, hex: "323330204c6f67696e207375636365737366756c2e0d0a"},
	}
	runCases(t, []flowCase{
		{name: "login", fs: fs, pkts: login, want: Result{Application: "FTP_CONTROL", Category: "Download", Confidence: 6}},
		{name: "USER alone is not enough", fs: fs, pkts: login[:3], want: Result{Application: "Unknown", Category: "Unspecified"}},
		{
			name: "AUTH TLS accepted",
			fs:   fs,
			pkts: []pkt{{dir: 1, hex: hexOf("220 ready\r\n")}, {hex: hexOf("AUTH TLS\r\n")}, {dir: 1, hex: hexOf("234 go ahead\r\n")}},
			want: Result{Application: "FTPS", Category: "Download", Confidence: 6},
		},
		{
			name: "SMTP port",
			fs:   flowSpec{proto: 6, src: "192.168.1.212", dst: "90.130.70.73", srcPort: 50694, dstPort: 25},
			pkts: login,
			want: Result{Application: "SMTP", Category: "Email", Confidence: 1, IsGuessed: 1},
		},
	})
}
