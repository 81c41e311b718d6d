package dpi

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// avastHello is the first client payload of avast.pcap (96 bytes).
const avastHello = "4e4f534100600101000003010 8b25a2942524514000000 00f82eb3a6aec4314391f91ff0dc39b4228f656c104c4943142e229dcfea64fdad" +
	"516761600ecbdc90edbb2fee2e27af344c554e1002c64bde00960f8c74a37d1695545ac985fd0850"

func TestAVAST(t *testing.T) {
	hello := mustHex(t, avastHello)
	bad := append([]byte(nil), hello...)
	bad[5]++ // the length no longer matches the payload
	tests := []struct {
		name    string
		payload []byte
		want    Result
	}{
		{"NOSA with its length (avast.pcap)", hello, Result{Application: "AVAST", Category: "Network", Confidence: 6}},
		{"wrong length: HTTP's port guess", bad, Result{Application: "HTTP", Category: "Web", IsGuessed: 1, Confidence: 1}},
		{"too short", []byte("NOSA"), Result{Application: "HTTP", Category: "Web", IsGuessed: 1, Confidence: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConv(6, 64357, 80)
			f := feed(append(c.handshake(), c.packet(0, FlagACK|FlagPSH, tt.payload)))
			f.GiveUp()
			if diff := cmp.Diff(tt.want, f.Result()); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzAVAST(f *testing.F) {
	f.Add(mustHex(f, avastHello))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzFlow(6, 50000, 80, splitFuzz(b)...)
	})
}
