package dpi

import "testing"

func TestGit(t *testing.T) {
	runCases(t, []flowCase{
		{
			name: "upload-pack request",
			fs:   flowSpec{proto: 6, src: "192.168.0.77", dst: "5.153.231.21", srcPort: 47991, dstPort: 9418},
			pkts: []pkt{{hex: "303033326769742d75706c6f61642d7061636b202f70726f6a6563742e67697400686f73743d6578616d706c652e6f726700"}},
			want: Result{Application: "Git", Category: "Collaborative", Confidence: 6},
		},
		{
			name: "not hex",
			fs:   flowSpec{proto: 6, src: "192.168.0.77", dst: "5.153.231.21", srcPort: 47991, dstPort: 9418},
			pkts: []pkt{{hex: hexOf("zzzzgit-upload-pack")}},
			want: Result{Application: "Git", Category: "Collaborative", Confidence: 1, IsGuessed: 1},
		},
	})
}

func TestScanHex(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0045", 0x45, true}, {" 1f", 0x1f, true}, {"0x1g", 1, true}, {"zz", 0, false}, {"", 0, false}, {"+0a", 10, true},
	} {
		got, ok := scanHex([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("scanHex(%q) = %d %v, want %d %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
