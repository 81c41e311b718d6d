package dpi

import "testing"

func TestTelnet(t *testing.T) {
	fs := flowSpec{proto: 6, src: "10.0.0.1", dst: "10.0.0.2", srcPort: 40000, dstPort: 2323}
	runCases(t, []flowCase{
		{
			// DO/WILL negotiations as a BSD telnet client and server exchange them.
			name: "three negotiations",
			fs:   fs,
			pkts: []pkt{
				{dir: 1, hex: "fffd18fffd20fffd23fffd27"},
				{hex: "fffb18fffb1ffffc20"},
				{dir: 1, hex: "fffa2001fff0fffa2301fff0"},
			},
			want: Result{Application: "Telnet", Category: "RemoteAccess", Confidence: 6},
		},
		{
			name: "bad option",
			fs:   fs,
			pkts: []pkt{{dir: 1, hex: "fffd30fffd20"}},
			want: Result{Application: "Unknown", Category: "Unspecified"},
		},
	})
}

func TestIsTelnetNegotiation(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want bool
	}{
		{"fffd18", true},
		{"fffd1841", true},
		{"fff918", false},
		{"fffd18ff0100", false},
		{"ff", false},
	} {
		if got := isTelnetNegotiation(mustHex(t, c.hex)); got != c.want {
			t.Errorf("%s: %v, want %v", c.hex, got, c.want)
		}
	}
}
