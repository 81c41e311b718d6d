//go:build linux

package stages

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/nfdataset/nfdataset/features"
)

// TestLiveLoopback captures UDP datagrams sent over the loopback interface
// and meters them: one flow per conversation, packets counted.
func TestLiveLoopback(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src, err := OpenLive("lo", LiveConfig{SnapLen: 1536, Promiscuous: true, ReadTimeout: 100 * time.Millisecond, Duration: 3 * time.Second, Context: ctx})
	if err != nil {
		t.Skipf("no live capture here (needs CAP_NET_RAW): %v", err)
	}
	defer src.Close()
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Skipf("no loopback UDP here: %v", err)
	}
	defer srv.Close()
	port := srv.LocalAddr().(*net.UDPAddr).Port
	go func() {
		time.Sleep(200 * time.Millisecond)
		c, err := net.Dial("udp", srv.LocalAddr().String())
		if err != nil {
			return
		}
		defer c.Close()
		for range 5 {
			c.Write([]byte("nfdataset live test"))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	st := DefaultStreamer()
	st.NMeters = 1
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}}, st.Env())
	if err != nil {
		t.Fatal(err)
	}
	sink := &memorySink{}
	sink.Begin(ext.Schema())
	job := &Job{Source: src, Streamer: st, Extractor: ext, Sink: sink}
	if _, err := job.Run(ctx); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	if len(sink.Records) == 0 {
		t.Skip("the capture socket saw no loopback traffic in this sandbox")
	}
	found := false
	for _, r := range sink.Records {
		if r[ext.Schema().Index("dst_port")].Int == int64(port) && r[ext.Schema().Index("protocol")].Int == 17 {
			found = true
			if got := r[ext.Schema().Index("src2dst_packets")].Int; got != 5 {
				t.Errorf("src2dst_packets %d, want 5", got)
			}
			if got := r[ext.Schema().Index("src_ip")].Str; got != "127.0.0.1" {
				t.Errorf("src_ip %s", got)
			}
		}
	}
	if !found {
		t.Errorf("no flow to port %d among %d flows", port, len(sink.Records))
	}
}
