package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// liveManifest is minimal with its input captured live on loopback.
var liveManifest = strings.Replace(minimal, `path = "CAPTURES/dhcp.pcap"`, `interface = "lo"`, 1)

func TestLiveInputKeys(t *testing.T) {
	text := strings.Replace(liveManifest, `interface = "lo"`, `interface = "lo"
duration = "1m30s"
packets = 1000
flows = 10
promiscuous_mode = false
snapshot_length = 128
socket_buffer_size = 8388608`, 1)
	m, err := Load(writeManifest(t, text))
	if err != nil {
		t.Fatal(err)
	}
	want := &LiveInput{Interface: "lo", Duration: 90 * time.Second, Packets: 1000, Flows: 10, Promiscuous: false, SnapshotLength: 128, SocketBufferSize: 8 << 20}
	if d := cmp.Diff(want, m.Inputs[0].Live); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	got := m.LiveDescription(&m.Inputs[0])
	for _, part := range []string{"live capture on lo", "not promiscuous", "snapshot 128 bytes", "8388608-byte ring",
		"after 1m30s or after 1000 packets or after 10 flows, whichever comes first,", "every 1s"} {
		if !strings.Contains(got, part) {
			t.Errorf("description %q lacks %q", got, part)
		}
	}

	// Defaults: promiscuous, the streamer's snapshot length, until interrupted.
	m, err = Load(writeManifest(t, liveManifest))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(&LiveInput{Interface: "lo", Promiscuous: true}, m.Inputs[0].Live); d != "" {
		t.Errorf("defaults (-want +got):\n%s", d)
	}
	if got := m.LiveDescription(&m.Inputs[0]); !strings.Contains(got, "snapshot 1536 bytes") || !strings.Contains(got, "until interrupted") {
		t.Errorf("description %q", got)
	}
	if m.Inputs[0].Live.describe(StreamerParams{BPFFilter: "vlan and udp", SnapshotLength: 1}) == "" ||
		!strings.Contains(m.Inputs[0].Live.describe(StreamerParams{BPFFilter: "vlan and udp"}), "in user space") {
		t.Error("a vlan filter is not described as filtered in user space")
	}
}

func TestLiveInputErrors(t *testing.T) {
	live := func(extra string) string {
		return strings.Replace(liveManifest, `interface = "lo"`, `interface = "lo"`+"\n"+extra, 1)
	}
	tests := []struct {
		name, text string
		line       int
		key, msg   string
	}{
		{"bad duration", live(`duration = "10 minutes"`), 6, "input[0].duration", "want a Go duration"},
		{"negative duration", live(`duration = "-1s"`), 6, "input[0].duration", "must be positive"},
		{"zero packets", live(`packets = 0`), 6, "input[0].packets", "must be ≥ 1"},
		{"interface and path", live(`path = "a.pcap"`), 5, "input[0].interface", "not both"},
		{"reorder", live(`reorder = true`), 5, "input[0].interface", "for capture files"},
		{"live key on a file", strings.Replace(minimal, `dhcp.pcap"`, `dhcp.pcap"`+"\nduration = \"1m\"", 1), 6, "input[0].duration", "only for a live input"},
		{"unknown key", live(`fanout_mode = 1`), 6, "input[0].fanout_mode", "unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeManifest(t, tt.text))
			if err == nil {
				t.Fatal("no error")
			}
			me := firstError(t, err)
			type res struct {
				Line int
				Key  string
				Ok   bool
			}
			if d := cmp.Diff(res{tt.line, tt.key, true}, res{me.Line, me.Key, strings.Contains(err.Error(), tt.msg)}); d != "" {
				t.Errorf("(-want +got):\n%s\nerror: %v", d, err)
			}
		})
	}
}

// TestLivePlan: a live input is a job that is never cached, and an unknown
// interface is a manifest error listing the interfaces there are.
func TestLivePlan(t *testing.T) {
	m, err := Load(writeManifest(t, liveManifest+"[[input]]\npath = \"CAPTURES/dhcp.pcap\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), m, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 2 || p.Jobs[0].Name != "lo" || p.Jobs[0].Cached || len(p.Jobs[0].Files) != 0 || p.Jobs[1].Name != "dhcp.pcap" {
		t.Errorf("jobs %+v %+v", p.Jobs[0], p.Jobs[1])
	}
	m, err = Load(writeManifest(t, strings.Replace(liveManifest, `"lo"`, `"nfd-no-such0"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = MakePlan(context.Background(), m, PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), `no network interface "nfd-no-such0"`) || !strings.Contains(err.Error(), "available: ") ||
		!strings.Contains(err.Error(), "lo") {
		t.Errorf("error %v", err)
	}
	if me := firstError(t, err); me.Key != "input[0].interface" || me.Line != 5 {
		t.Errorf("error at %s line %d", me.Key, me.Line)
	}
}

func TestLiveErrorPrivilege(t *testing.T) {
	err := LiveError("eth0", fmt.Errorf("live capture eth0: %w", syscall.EPERM))
	for _, part := range []string{"CAP_NET_RAW", "setcap cap_net_raw,cap_net_admin=eip ", "eth0"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("%q lacks %q", err, part)
		}
	}
	if !errors.Is(err, syscall.EPERM) {
		t.Error("the cause is not wrapped")
	}
	other := errors.New("no such device")
	if got := LiveError("eth0", other); got != other {
		t.Errorf("other errors changed: %v", got)
	}
}
