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

// FuzzBinaryLongTail covers MerakiCloud, HP_VIRTGRP, CryNetwork, i3D,
// Elasticsearch, UltraSurf and RSH: all run on any port, RSH and
// MerakiCloud also have port-specific paths (514, 7351).
func FuzzBinaryLongTail(f *testing.F) {
	for _, s := range []string{merakiReply, crynetHello, i3dHello, i3dGame, esHandshake, rshPort1, rshCommand, "16000800aa884262", "cc1c30415ba43866"} {
		f.Add(mustHex(f, s))
	}
	f.Add(mustHex(f, rshPort1+"ff00"+rshCommand))
	f.Add([]byte("ES\xff\xff\xff\xfa"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps := splitFuzz(b)
		fuzzFlow(6, 1023, 514, ps...)
		fuzzFlow(6, 40000, 9300, ps...)
		fuzzFlow(17, 47301, 7351, ps...)
		fuzzFlow(17, 50000, 50004, ps...)
	})
}
