//go:build linux

package stages

import (
	"fmt"

	"context"
	"github.com/nfdataset/nfdataset/stages/bpf"
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

// TestLiveFanoutLoopback captures 32 UDP conversations over loopback with
// a fanout group of two sockets (filtered in the kernel to the test's
// port): every conversation comes out as one flow with all its packets,
// so the kernel kept each flow on one socket, and both sockets carried
// some of them.
func TestLiveFanoutLoopback(t *testing.T) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Skipf("no loopback UDP here: %v", err)
	}
	defer srv.Close()
	port := srv.LocalAddr().(*net.UDPAddr).Port
	f, err := bpf.Compile(fmt.Sprintf("udp and dst port %d", port))
	if err != nil {
		t.Fatal(err)
	}
	kernel := func(link uint32) ([]KernelInsn, error) {
		prog, err := f.Kernel(link)
		var out []KernelInsn
		for _, in := range prog {
			out = append(out, KernelInsn{Op: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K})
		}
		return out, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	src, err := OpenLive("lo", LiveConfig{SnapLen: 1536, ReadTimeout: 100 * time.Millisecond, Duration: 2 * time.Second,
		Context: ctx, Fanout: 2, KernelFilter: kernel})
	if err != nil {
		t.Skipf("no live capture here (needs CAP_NET_RAW): %v", err)
	}
	defer src.Close()
	const conversations, packets = 32, 5
	go func() {
		time.Sleep(200 * time.Millisecond)
		// Every socket stays open until all have sent: a closed socket's
		// ephemeral port may be handed to the next Dial, which would
		// merge two conversations into one flow.
		var open []net.Conn
		defer func() {
			for _, c := range open {
				c.Close()
			}
		}()
		for range conversations {
			c, err := net.Dial("udp", srv.LocalAddr().String())
			if err != nil {
				return
			}
			open = append(open, c)
			for range packets {
				c.Write([]byte("nfdataset fanout test"))
			}
		}
	}()
	st := DefaultStreamer()
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}}, st.Env())
	if err != nil {
		t.Fatal(err)
	}
	sink := &memorySink{}
	sink.Begin(ext.Schema())
	job := &Job{Source: src, Streamer: st, Extractor: ext, Sink: sink}
	if _, err := job.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if len(sink.Records) == 0 {
		t.Skip("the capture sockets saw no loopback traffic in this sandbox")
	}
	flows := 0
	for _, r := range sink.Records {
		if got := r[ext.Schema().Index("bidirectional_packets")].Int; got != packets {
			t.Errorf("flow from port %d: %d packets, want %d", r[ext.Schema().Index("src_port")].Int, got, packets)
		}
		flows++
	}
	if flows != conversations {
		t.Errorf("%d flows, want %d", flows, conversations)
	}
	fs := src.(*fanoutSource)
	for i, tp := range fs.socks {
		_, v3, err := tp.SocketStats()
		if err != nil || v3.Packets() == 0 {
			t.Errorf("socket %d of the group received %d frames (%v): want a share", i, v3.Packets(), err)
		}
	}
}
