package features

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/meter"
)

func TestParsePluginFlag(t *testing.T) {
	for _, tc := range []struct {
		flag    string
		want    Request
		wantErr string
	}{
		{flag: "ja4", want: Request{Name: "plugin.ja4", Options: Options{}}},
		{flag: "ja4:spec=true", want: Request{Name: "plugin.ja4", Options: Options{"spec": true}}},
		{flag: "slicer:limit=4", want: Request{Name: "plugin.slicer", Options: Options{"limit": int64(4)}}},
		{flag: "splt:sequence_length=5,accounting_mode=0", want: Request{Name: "plugin.splt", Options: Options{"sequence_length": int64(5), "accounting_mode": int64(0)}}},
		{flag: " tcp_teardown : mode = first ", want: Request{Name: "plugin.tcp_teardown", Options: Options{"mode": "first"}}},
		{flag: "", wantErr: "missing plugin name"},
		{flag: "nope", wantErr: `unknown plugin "nope" (known: `},
		{flag: "slicer:", wantErr: "nothing after ':'"},
		{flag: "slicer:limit", wantErr: `"limit" is not key=value`},
		{flag: "slicer:size=4", wantErr: `plugin slicer has no option "size" (options: limit)`},
		{flag: "slicer:limit=four", wantErr: `option limit: want an integer, got "four"`},
		{flag: "ja4:spec=maybe", wantErr: "want true or false"},
		{flag: "slicer:limit=1,limit=2", wantErr: "given twice"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			got, err := ParsePluginFlag(tc.flag)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBundledPluginsRegistered(t *testing.T) {
	want := []string{"dhcp", "ja4", "mdns", "slicer", "splt", "tcp_teardown", "wfeatures"}
	got := map[string]bool{}
	for _, n := range PluginNames() {
		got[n] = true
	}
	for _, n := range want {
		spec, ok := Lookup(PluginPrefix + n)
		if !ok || !got[n] {
			t.Errorf("plugin %s is not registered", n)
			continue
		}
		if spec.Rank != PluginRank || spec.Version < 1 || spec.Doc == "" {
			t.Errorf("plugin %s: rank %d, version %d, doc %q", n, spec.Rank, spec.Version, spec.Doc)
		}
		defaults := Options{}
		if n == "slicer" {
			defaults["limit"] = int64(4) // has no usable default
		}
		opts, err := spec.Resolve(defaults)
		if err != nil {
			t.Fatal(err)
		}
		set, err := spec.New(opts, Env{ActiveTimeoutSec: 1800})
		if err != nil {
			t.Errorf("plugin %s with default options: %v", n, err)
			continue
		}
		for _, c := range set.Columns() {
			if !strings.HasPrefix(c.Name, UDPSPrefix) || c.Doc == "" || !c.Nullable {
				t.Errorf("plugin %s: column %+v", n, c)
			}
		}
	}
}

type convo struct {
	fromClient bool
	flags      uint8
	payload    []byte
	atMs       uint64
}

// meterConvo meters one TCP conversation and returns the records.
func meterConvo(t *testing.T, reqs []Request, packets []convo) (Schema, []Record) {
	t.Helper()
	ext, err := NewExtractor(append([]Request{{Name: "base"}}, reqs...), Env{DecodeTunnels: true, IdleTimeoutSec: 120, ActiveTimeoutSec: 1800})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	m := meter.New(meter.Config{IdleTimeoutMs: 120000, ActiveTimeoutMs: 1800000, Hooks: ext.Hooks(),
		Emit: func(f *meter.Flow) { recs = append(recs, ext.Record(int64(len(recs)), f)) }})
	client, server := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.7")
	for i, p := range packets {
		fr := frame(false, 6, server, client, 80, 40000, p.flags, p.payload)
		if p.fromClient {
			fr = frame(false, 6, client, server, 40000, 80, p.flags, p.payload)
		}
		if !m.Process(1, fr, uint32(len(fr)), 1_000_000+p.atMs+uint64(i)) {
			t.Fatalf("packet %d ignored", i)
		}
	}
	m.Flush()
	return ext.Schema(), recs
}

// column returns one column of every record as text ("null" for null).
func column(schema Schema, recs []Record, name string) []string {
	i := schema.Index(name)
	var out []string
	for _, r := range recs {
		switch {
		case r[i].Null:
			out = append(out, "null")
		case schema[i].Kind == Int:
			out = append(out, strconvItoa(r[i].Int))
		default:
			out = append(out, r[i].Str)
		}
	}
	return out
}

func strconvItoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestTCPTeardown(t *testing.T) {
	const syn, ack, fin, rst = meter.FlagSYN, meter.FlagACK, meter.FlagFIN, meter.FlagRST
	open := []convo{{true, syn, nil, 0}, {false, syn | ack, nil, 0}, {true, ack, nil, 0}}
	closeBoth := append(append([]convo(nil), open...), convo{true, fin | ack, nil, 0}, convo{false, fin | ack, nil, 0}, convo{true, ack, nil, 0})
	for _, tc := range []struct {
		name           string
		flag           string
		packets        []convo
		wantPackets    []string
		wantExpiration []string
		wantTeardown   []string
	}{
		{"both FINs end the flow; the last ACK starts another", "tcp_teardown", closeBoth,
			[]string{"5", "1"}, []string{"-1", "0"}, []string{"fin", "null"}},
		// The reply's FIN then opens a new flow and ends it at once.
		{"first FIN ends the flow", "tcp_teardown:mode=first", closeBoth,
			[]string{"4", "1", "1"}, []string{"-1", "-1", "0"}, []string{"fin", "fin", "null"}},
		{"RST ends the flow at once", "tcp_teardown", append(append([]convo(nil), open...), convo{false, rst, nil, 0}),
			[]string{"4"}, []string{"-1"}, []string{"rst"}},
		{"no teardown, idle end", "tcp_teardown", open,
			[]string{"3"}, []string{"0"}, []string{"null"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParsePluginFlag(tc.flag)
			if err != nil {
				t.Fatal(err)
			}
			schema, recs := meterConvo(t, []Request{req}, tc.packets)
			got := [][]string{column(schema, recs, "bidirectional_packets"), column(schema, recs, "expiration_id"), column(schema, recs, "udps.teardown")}
			want := [][]string{tc.wantPackets, tc.wantExpiration, tc.wantTeardown}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets, expiration_id, teardown (-want +got):\n%s", diff)
			}
		})
	}
}

// A user-style plugin: counts packets of a given size, keeps a buffer in
// its state across recycled flows (Reset) and reads a float option.
type sizeCounterState struct {
	count int64
	sizes []int64
}

func (s *sizeCounterState) Reset() { s.count, s.sizes = 0, s.sizes[:0] }

type sizeCounter struct {
	PluginHooks[sizeCounterState]
	size uint16
}

func (sizeCounter) Columns() []Column {
	return []Column{
		{Name: "packet_with_custom_size", Kind: Int, Doc: "packets of the given raw size"},
		{Name: "sizes", Kind: IntList, Doc: "every raw size"},
	}
}

func (c sizeCounter) OnInit(p *meter.Packet, f *meter.Flow, s *sizeCounterState) {
	c.OnUpdate(p, f, s)
}

func (c sizeCounter) OnUpdate(p *meter.Packet, _ *meter.Flow, s *sizeCounterState) {
	if p.RawSize == c.size {
		s.count++
	}
	s.sizes = append(s.sizes, int64(p.RawSize))
}

func (sizeCounter) OnExpire(_ *meter.Flow, s *sizeCounterState, out []Value) {
	out[0] = IntValue(s.count)
	out[1] = ListValue(s.sizes)
}

func init() {
	RegisterPlugin(PluginSpec[sizeCounterState]{
		Name: "test_size_counter", Version: 1, Doc: "test plugin",
		Options: []Option{{Name: "custom_size", Default: int64(54), Doc: "raw size to count"}},
		New: func(opts Options, _ Env) (Plugin[sizeCounterState], error) {
			n, err := opts.Int("custom_size")
			return sizeCounter{size: uint16(n)}, err
		},
	})
}

func TestUserPluginStateIsPerFlowAndRecycled(t *testing.T) {
	req, err := ParsePluginFlag("test_size_counter:custom_size=54")
	if err != nil {
		t.Fatal(err)
	}
	slicer, _ := ParsePluginFlag("slicer:limit=2")
	const ack = meter.FlagACK
	// Six 54-byte packets (Ethernet+IPv4+TCP, no payload) cut into flows of
	// two: each flow must count 2, not carry its predecessor's state.
	packets := make([]convo, 6)
	for i := range packets {
		packets[i] = convo{i%2 == 0, ack, nil, 0}
	}
	packets[5].payload = []byte("x")
	schema, recs := meterConvo(t, []Request{req, slicer}, packets)
	got := column(schema, recs, "udps.packet_with_custom_size")
	if diff := cmp.Diff([]string{"2", "2", "1"}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	i := schema.Index("udps.sizes")
	if diff := cmp.Diff([]int64{54, 55}, recs[2][i].List); diff != "" {
		t.Errorf("sizes of the last flow (-want +got):\n%s", diff)
	}
	// Plugins sit after the built-in columns, in the order requested.
	var names []string
	for _, c := range schema {
		if strings.HasPrefix(c.Name, UDPSPrefix) {
			names = append(names, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"udps.packet_with_custom_size", "udps.sizes"}, names); diff != "" {
		t.Errorf("udps columns (-want +got):\n%s", diff)
	}
}

// The plugin layer adds no allocation per packet: state lives in the
// flow's slot, reused.
func TestPluginUpdateDoesNotAllocate(t *testing.T) {
	for _, flag := range []string{"test_size_counter", "splt:sequence_length=4", "wfeatures", "tcp_teardown", "slicer:limit=1000000"} {
		req, err := ParsePluginFlag(flag)
		if err != nil {
			t.Fatal(err)
		}
		ext, err := NewExtractor([]Request{req}, Env{ActiveTimeoutSec: 1800})
		if err != nil {
			t.Fatal(err)
		}
		hooks := ext.Hooks()
		for i, h := range hooks {
			if s, ok := h.(meter.Slotted); ok {
				s.SetSlot(i)
			}
		}
		f := &meter.Flow{Ext: make([]any, len(hooks)), Packets: 1}
		p := &meter.Packet{RawSize: 54, IPSize: 40, Protocol: 6, TimeMs: 1000}
		for _, h := range hooks {
			h.Init(p, f)
		}
		allocs := testing.AllocsPerRun(100, func() {
			f.Packets++
			p.TimeMs++
			for _, h := range hooks {
				h.Update(p, f)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per packet", flag, allocs)
		}
	}
}

// TestPluginOptionErrorNamesSetOnce checks that a plugin's refusal of an
// option value reaches the user with the set named once ("feature set
// plugin.slicer: option limit …"), not once by the extractor and again by
// the plugin wrapper.
func TestPluginOptionErrorNamesSetOnce(t *testing.T) {
	_, err := NewExtractor([]Request{{Name: "plugin.slicer", Options: Options{"limit": int64(0)}}}, Env{ActiveTimeoutSec: 1800})
	if err == nil {
		t.Fatal("limit=0 accepted")
	}
	const want = "feature set plugin.slicer: option limit must be ≥ 1, got 0 (e.g. --plugin slicer:limit=4)"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
