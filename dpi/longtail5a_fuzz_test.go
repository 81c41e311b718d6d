package dpi

import "testing"

// Fuzz targets of the binary UDP/TCP dissectors added for issue 15; like
// the other long-tail targets they only check that no input panics.

func FuzzRakNet(f *testing.F) {
	for _, s := range []string{raknetOpenReq1, raknetOpenReply1, raknetOpenReq2, raknetOpenRep2, raknetFrames, raknetAck, raknetUnconPong} {
		f.Add(mustHex(f, s))
	}
	f.Add([]byte{0x10, 4, 1, 2, 3, 4, 0, 0, 0})
	f.Add([]byte{0xa0, 0, 2, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(17, 50000, 19132, ps...)
		fuzzFlow(17, 50000, 19132, b, b, b)
	})
}
