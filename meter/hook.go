package meter

// Hook is NFStream's NFPlugin. Hooks run in registration order for every
// packet; they must not keep p or its bytes after returning.
type Hook interface {
	// Init sees a flow's first packet; the flow's counters already include it.
	Init(p *Packet, f *Flow)
	// Update sees every later packet, after the counters were updated.
	Update(p *Packet, f *Flow)
	// Expire runs once when the flow leaves the table, whatever the reason.
	Expire(f *Flow)
}

// A hook that sets f.ExpirationID = ExpireCustom in Init or Update forces
// the flow out right after all hooks ran for that packet.

// Slotted is implemented by hooks that keep per-flow state: the meter tells
// each such hook the index of its entry in Flow.Ext before any packet.
type Slotted interface {
	SetSlot(i int)
}
