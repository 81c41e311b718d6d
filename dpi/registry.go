package dpi

import (
	"fmt"
	"slices"
	"sort"
)

// Verdict is a dissector's answer for one packet.
type Verdict uint8

const (
	// NeedMore: keep calling this dissector for the flow. After the dissector
	// set a protocol, NeedMore asks for more packets (nDPI's extra dissection).
	NeedMore Verdict = iota
	// Done: the dissector is finished with the flow (its fields are final).
	// Without a protocol set, Done is the same as NotMine.
	Done
	// NotMine: the flow is not this protocol; never call again for the flow.
	NotMine
)

// Transport selects the packets a dissector is called for.
type Transport uint8

const (
	TCP   Transport = 1 << iota // IP protocol 6
	UDP                         // IP protocol 17
	Other                       // any other IP protocol (ICMP, IGMP, GRE, …)

	TCPUDP = TCP | UDP
)

// Dissector reads one packet of a flow. It never keeps p or its bytes and
// never panics, whatever the bytes.
type Dissector interface {
	Name() string
	Dissect(p *Packet, st *State) Verdict
}

// Spec registers a dissector.
type Spec struct {
	Dissector Dissector
	// Transport: which packets it sees.
	Transport Transport
	// Proto is the protocol the dissector stands for (its port-guess entry
	// runs it first; State.Exclude uses it). ProtoUnknown when none.
	Proto ProtoID
	// Aliases are more protocols the dissector stands for (MDNS and LLMNR
	// for DNS).
	Aliases []ProtoID
	// NoPayload: also call it for packets without transport payload.
	NoPayload bool
	// Order: lower runs earlier (default 0); ties are broken by name.
	Order int
}

// DissectorID identifies a registered dissector (for State.Data).
type DissectorID int

type entry struct {
	spec Spec
	id   DissectorID
}

var (
	registry []entry
	// byProto maps a ProtoID to the registry index of its dissector, -1
	// for none: a slice, not a map, as the packet path asks for each flow's
	// port guess.
	byProto    []int16
	nextID     DissectorID
	registered = map[string]bool{}
)

// register adds a dissector; call it from an init function. It panics on a
// duplicate name. The returned id keys State.Data.
func register(s Spec) DissectorID {
	name := s.Dissector.Name()
	if registered[name] {
		panic(fmt.Sprintf("dpi: dissector %q registered twice", name))
	}
	if len(registry) >= 256 {
		panic("dpi: too many dissectors")
	}
	registered[name] = true
	nextID++
	// The registry stays sorted by order, then name; names are unique, so
	// inserting at the one place that keeps it sorted equals re-sorting.
	at := sort.Search(len(registry), func(i int) bool {
		e := registry[i].spec
		if e.Order != s.Order {
			return e.Order > s.Order
		}
		return e.Dissector.Name() > name
	})
	registry = slices.Insert(registry, at, entry{spec: s, id: nextID})
	set := func(p ProtoID, i int) {
		for len(byProto) <= int(p) {
			byProto = append(byProto, -1)
		}
		byProto[p] = int16(i)
	}
	for i := range byProto {
		byProto[i] = -1
	}
	for i, e := range registry {
		if e.spec.Proto != ProtoUnknown {
			set(e.spec.Proto, i)
		}
		for _, a := range e.spec.Aliases {
			set(a, i)
		}
	}
	return nextID
}

// dissectorFor returns the registry index of the dissector for protocol p, or -1.
func dissectorFor(p ProtoID) int {
	if int(p) < len(byProto) {
		return int(byProto[p])
	}
	return -1
}

// Dissectors lists the registered dissector names in calling order.
func Dissectors() []string {
	out := make([]string, len(registry))
	for i, e := range registry {
		out[i] = e.spec.Dissector.Name()
	}
	return out
}
