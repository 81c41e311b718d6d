package features_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
)

// TestPayloadSet: the payload columns equal what View.Value answers from
// the meter's counters, come after NFStream's columns, and match the
// payloads tcpdump shows for a hand-made flow: a TCP handshake, 100 bytes
// src→dst, 250 + 50 bytes dst→src (two packets), and bare ACKs.
func TestPayloadSet(t *testing.T) {
	ext, err := features.NewExtractor([]features.Request{{Name: "payload"}, {Name: "base"}, {Name: "stats"}}, features.Env{})
	if err != nil {
		t.Fatal(err)
	}
	schema := ext.Schema()
	cols := schema[len(schema)-4:]
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"src2dst_payload_bytes", "dst2src_payload_bytes", "src2dst_payload_packets", "dst2src_payload_packets"}, names); diff != "" {
		t.Fatalf("last columns (-want +got):\n%s", diff)
	}
	var got [][2][4]int64
	m := meter.New(meter.Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1_800_000, Hooks: ext.Hooks(), Emit: func(f *meter.Flow) {
		rec := ext.Record(0, f)
		var row [2][4]int64
		for i, name := range names {
			row[0][i] = rec[schema.Index(name)].Int
			v, _, _ := features.View{Flow: f}.Value(name) // no columns: from the flow
			row[1][i] = v.Int
		}
		got = append(got, row)
	}})
	type seg struct {
		fromClient bool
		flags      byte // TCP header flags byte
		payload    int
	}
	for i, s := range []seg{{true, 0x02, 0}, {false, 0x12, 0}, {true, 0x10, 0}, {true, 0x18, 100}, {false, 0x18, 250}, {false, 0x18, 50}, {true, 0x10, 0}} {
		frame := tcpFrame(s.fromClient, s.flags, s.payload)
		m.Process(1, frame, uint32(len(frame)), uint64(1_600_000_000_000+i))
	}
	m.Flush()
	want := [][2][4]int64{{{100, 300, 1, 2}, {100, 300, 1, 2}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// tcpFrame is an Ethernet/IPv4/TCP frame between 10.0.0.1:40000 and
// 10.0.0.2:80 with n payload bytes.
func tcpFrame(fromClient bool, flags byte, n int) []byte {
	b := make([]byte, 14+20+20+n)
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0] = 0x45
	ip[2], ip[3] = byte((40+n)>>8), byte(40+n)
	ip[8], ip[9] = 64, 6
	src, dst := []byte{10, 0, 0, 1}, []byte{10, 0, 0, 2}
	sp, dp := []byte{0x9c, 0x40}, []byte{0, 80}
	if !fromClient {
		src, dst, sp, dp = dst, src, dp, sp
	}
	copy(ip[12:], src)
	copy(ip[16:], dst)
	tcp := ip[20:]
	copy(tcp[0:], sp)
	copy(tcp[2:], dp)
	tcp[12] = 5 << 4
	tcp[13] = flags
	return b
}
