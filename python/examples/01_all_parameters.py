"""Open a capture with every NFStreamer parameter written out (each at its
default value) and walk its flows one at a time.

Run from a directory holding ``capture.pcap``; ``source`` also takes a list
of files or the name of a network interface.
"""
from nfdataset import NFStreamer

parameters = {
    "decode_tunnels": True,          # look inside GTP, CAPWAP, TZSP and VXLAN
    "bpf_filter": None,              # a BPF expression such as "udp or port 443"
    "promiscuous_mode": True,        # live interfaces only
    "snapshot_length": 1536,         # bytes kept of each live packet
    "socket_buffer_size": 0,         # live capture buffer, 0 leaves the system's
    "idle_timeout": 120,             # s of silence that end a flow
    "active_timeout": 1800,          # s after which a long flow is split
    "accounting_mode": 0,            # sizes of 0 frames, 1 IP, 2 transport, 3 payload
    "udps": None,                    # NFPlugin objects (see 06_plugins.py)
    "n_dissections": 20,             # packets offered to application detection; 0 turns it off
    "statistical_analysis": False,   # see 03_statistics.py
    "splt_analysis": 0,              # see 04_first_packets.py
    "n_meters": 0,                   # metering processes; 0 picks them from the cores
    "max_nflows": 0,                 # stop after that many flows; 0 never stops
    "performance_report": 0,         # live only: a throughput line every N seconds
    "system_visibility_mode": 0,     # see 02_processes.py
    "system_visibility_poll_ms": 100,
}

flows = 0
for flow in NFStreamer(source="capture.pcap", **parameters):
    flows += 1
    duration_s = flow.bidirectional_duration_ms / 1000
    print(f"{flow.src_ip}:{flow.src_port} <-> {flow.dst_ip}:{flow.dst_port} proto {flow.protocol}: "
          f"{flow.bidirectional_packets} packets, {flow.bidirectional_bytes} bytes in {duration_s:.3f} s")
    # What application detection concluded (nDPI's names).
    print(f"  application: {flow.application_name} ({flow.application_category_name})")
print(flows, "flows")
