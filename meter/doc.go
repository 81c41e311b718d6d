// Package meter turns captured frames into bidirectional flows exactly as
// NFStream's engine does: link-layer and tunnel decoding, the flow key, the
// flow table with idle/active/custom expiration, and the hook interface
// through which feature sets observe packets (NFStream's NFPlugin).
//
// The meter does no I/O: frames come in through Meter.Process, expired flows
// go out through the Emit callback. Time is packet time only.
//
// May import: the standard library (and gopacket/layers where it costs no
// allocation). Never features/, dpi/, stages/ or pipeline/.
package meter
