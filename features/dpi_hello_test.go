package features_test

import (
	"io"
	"os"
	"testing"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/meter"
	"github.com/nfdataset/nfdataset/stages"
)

// helloProbe is a hook after dpi that reads the parsed ClientHello at
// expiry, as a JA4-style plugin would.
type helloProbe struct {
	dpi  features.Set
	snis []string
}

func (h *helloProbe) Init(*meter.Packet, *meter.Flow)   {}
func (h *helloProbe) Update(*meter.Packet, *meter.Flow) {}
func (h *helloProbe) Expire(f *meter.Flow) {
	if df := features.DPIFlow(h.dpi, f); df != nil {
		if ch := df.ClientHello(); ch != nil {
			h.snis = append(h.snis, ch.SNI)
		}
	}
}

// TestDPIKeepsHellos: the parsed TLS hellos stay readable until expiry
// even though detection finished long before (facebook.pcap: two TLS
// flows to facebook.com and www.facebook.com).
func TestDPIKeepsHellos(t *testing.T) {
	capture, ext, dpiSet := facebookDPI(t)
	probe := &helloProbe{dpi: dpiSet}
	m := meter.New(meter.Config{IdleTimeoutMs: 120_000, ActiveTimeoutMs: 1_800_000, Decode: meter.DecodeOptions{Tunnels: true},
		Hooks: append(ext.Hooks(), probe)})
	meterCapture(t, m, capture)
	want := map[string]bool{"facebook.com": true, "www.facebook.com": true}
	if len(probe.snis) != 2 || !want[probe.snis[0]] || !want[probe.snis[1]] {
		t.Errorf("hellos read at expiry: SNIs %q, want facebook.com and www.facebook.com", probe.snis)
	}
}

// foreignProbe records, for each expired flow, whether it was foreign and
// whether DPIFlow handed it a ClientHello.
type foreignProbe struct {
	dpi           features.Set
	owned, stolen int // hellos read on owned and on foreign flows
}

func (h *foreignProbe) Init(*meter.Packet, *meter.Flow)   {}
func (h *foreignProbe) Update(*meter.Packet, *meter.Flow) {}
func (h *foreignProbe) Expire(f *meter.Flow) {
	if df := features.DPIFlow(h.dpi, f); df != nil && df.ClientHello() != nil {
		if f.Foreign() {
			h.stolen++
		} else {
			h.owned++
		}
	}
}

// TestDPIFlowForeign: dpi does not run for flows the meter does not own
// (a shard of a split capture), so DPIFlow must not hand a plugin the
// detection state a recycled flow left in its slot. Every other flow is
// owned and flows expire after 20 ms idle, so foreign flows reuse owned
// ones' Flow values (without the check, one foreign flow here is handed
// the ClientHello of an owned one).
func TestDPIFlowForeign(t *testing.T) {
	capture, ext, dpiSet := facebookDPI(t)
	probe := &foreignProbe{dpi: dpiSet}
	n := 0
	m := meter.New(meter.Config{IdleTimeoutMs: 20, ActiveTimeoutMs: 1_800_000, Decode: meter.DecodeOptions{Tunnels: true},
		Hooks: append(ext.Hooks(), probe), Owns: func(*meter.Key) bool { n++; return n%2 == 1 }})
	meterCapture(t, m, capture)
	if probe.stolen != 0 {
		t.Errorf("DPIFlow gave %d foreign flows a ClientHello (owned flows: %d)", probe.stolen, probe.owned)
	}
	if probe.owned == 0 {
		t.Errorf("no owned flow had a ClientHello: the test needs some")
	}
}

// facebookDPI is the capture of the hello tests (two TLS flows) and an
// extractor of base and dpi with its dpi set.
func facebookDPI(t *testing.T) (capture string, ext *features.Extractor, dpi features.Set) {
	t.Helper()
	capture = "../../shared/corpus/nfstream/pcaps/facebook.pcap"
	if _, err := os.Stat(capture); err != nil {
		t.Skip("../shared is absent")
	}
	ext, err := features.NewExtractor([]features.Request{{Name: "base"}, {Name: "dpi"}}, features.Env{DecodeTunnels: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ext.Instances() {
		if in.Spec.Name == "dpi" {
			dpi = in.Set
		}
	}
	return capture, ext, dpi
}

// meterCapture feeds every frame of capture to m, then flushes it.
func meterCapture(t *testing.T, m *meter.Meter, capture string) {
	t.Helper()
	src, err := stages.Open(capture)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for {
		fr, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		m.Process(fr.LinkType, fr.Data, fr.WireLen, fr.TimeMs)
	}
	m.Flush()
}
