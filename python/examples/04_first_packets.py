"""The shape of each flow's start: with splt_analysis=N every flow carries
the direction, size and gap of its first N packets (-1 where it had fewer),
the usual input of early traffic classifiers.

Run from a directory holding ``capture.pcap``.
"""
from nfdataset import NFStreamer

for flow in NFStreamer(source="capture.pcap", splt_analysis=8, n_dissections=0):
    steps = []
    for direction, size, gap in zip(flow.splt_direction, flow.splt_ps, flow.splt_piat_ms):
        if direction == -1:
            break
        steps.append(f"{'>' if direction == 0 else '<'}{size}(+{gap}ms)")
    print(f"{flow.src_port}->{flow.dst_port}: " + " ".join(steps))
