"""Which local program opened each flow: with system_visibility_mode=1 a
live capture on this host tags its flows with the process id and name.

Needs a live interface and the right to capture on it (root). Set the
interface with the IFACE environment variable. Offline captures carry no
process information: the mode is switched off for them, and the two
attributes are then missing.
"""
import os

from nfdataset import NFStreamer

interface = os.environ.get("IFACE", "eth0")
streamer = NFStreamer(source=interface,
                      n_dissections=0,               # only the processes matter here
                      system_visibility_mode=1,
                      system_visibility_poll_ms=100,  # how often the process table is read
                      max_nflows=20)                 # stop after a few flows

for flow in streamer:
    pid = getattr(flow, "system_process_pid", "-")
    name = getattr(flow, "system_process_name", "-")
    print(f"{name}[{pid}] {flow.src_ip}:{flow.src_port} -> {flow.dst_ip}:{flow.dst_port}")
