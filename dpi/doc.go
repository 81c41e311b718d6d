// Package dpi identifies the application protocol of a flow from its first
// packets and extracts the metadata NFStream reports through nDPI: server
// name, TLS/QUIC fingerprints (JA3, JA3S), HTTP user agent and content type.
// It is a pure-Go re-implementation written from public protocol facts; its
// verdicts aim at the values nDPI 4.7 (commit 4bb8513) gives inside NFStream.
//
// May import: the standard library only. It knows nothing of flows tables,
// meters or features: bytes and a small per-flow context in, verdicts out.
//
// # Using it
//
// One Flow value per flow (the zero value is ready):
//
//	var f dpi.Flow
//	want := f.Feed(&pkt)      // first packet, always
//	...                       // later packets while want (or while !f.Detected())
//	if !f.Detected() {
//		f.GiveUp()            // port / address guess, nDPI's give-up
//	}
//	r := f.Result()           // r.Application == "TLS.Facebook", …
//
// Feed never keeps the packet or its bytes.
//
// # How detection works
//
// Every protocol is a Dissector registered from its own file's init. For a
// packet of a flow that is not yet detected, the engine first calls the
// dissector of the protocol guessed from the ports (as nDPI does), then every
// other registered dissector whose transport matches, in registration order
// (Spec.Order, then name), until one of them sets a protocol. A dissector
// that answers NotMine is never called again for the flow. Once a protocol
// is set, only the dissector that set it keeps receiving packets, and only
// while it answers NeedMore (nDPI's "extra dissection"): for example TLS
// waits for the server hello and certificate, HTTP for the response.
//
// # Adding a dissector
//
// Create dpi/<proto>.go (and <proto>_test.go with byte literals taken from
// corpus packets, plus a Fuzz<Proto> target) containing:
//
//	type fooDissector struct{}
//
//	func (fooDissector) Name() string { return "Foo" }
//
//	// Dissect reads p.Payload (never keeps it, never panics on it).
//	func (fooDissector) Dissect(p *Packet, st *State) Verdict {
//		if len(p.Payload) < 4 || p.Payload[0] != 0xfe {
//			return NotMine
//		}
//		st.SetProtocol(ProtoFoo, ProtoUnknown, ConfidenceDPI)
//		return Done
//	}
//
//	var ProtoFoo = protoByName("Foo") // a row in protocols.txt
//
//	func init() {
//		register(Spec{Dissector: fooDissector{}, Transport: UDP})
//	}
//
// Protocol names, categories and default ports live in protocols.txt (one
// line per protocol: name, category, TCP ports, UDP ports); add a line there
// for each new protocol. Host-name rules (hosts.txt) and address prefixes
// (ipranges.txt) map names and addresses to applications. All three files are
// embedded and parsed once at init; they are read-only afterwards.
//
// A dissector that needs memory across packets keeps it with
// State.Data/State.SetData under the DissectorID register returned
// (allocated only for flows that need it). Per-direction packet counters,
// the first packet's 5-tuple and the address-based guess (State.ProtoByIP)
// are already in State, as are the host-name rules (State.MatchHost) and
// the server name (State.SetServerName). A dissector that has set its
// protocol can bound its extra packets (State.SetExtraLimit) or, after
// STARTTLS, hand the flow to TLS (State.SwitchToTLS). Give-up rules that
// are not port guesses (STUN's) append to giveUpHooks from init.
//
// The caller's side (features/dpi.go) follows NFStream: the first packet
// is always fed; later ones while Feed last returned true (or nothing is
// detected); GiveUp after the n_dissections-th packet or at expiry when
// nothing was found; then Result. ClientHello and ServerHello expose the
// parsed TLS hellos (also QUIC's ClientHello) for JA4.
package dpi
