"""Size, timing and TCP flag statistics of each flow, per direction
(statistical_analysis=True adds 48 columns).

Run from a directory holding ``capture.pcap``.
"""
from nfdataset import NFStreamer

streamer = NFStreamer(source="capture.pcap", statistical_analysis=True,
                      n_dissections=0)  # no application detection: not used here

for flow in streamer:
    print(f"flow {flow.id}: {flow.src_ip} -> {flow.dst_ip} ({flow.bidirectional_packets} packets)")
    for side in ("src2dst", "dst2src"):
        n = getattr(flow, f"{side}_packets")
        if n == 0:
            print(f"  {side}: nothing sent")
            continue
        size = [getattr(flow, f"{side}_{s}_ps") for s in ("min", "mean", "stddev", "max")]
        gap = [getattr(flow, f"{side}_{s}_piat_ms") for s in ("min", "mean", "stddev", "max")]
        print(f"  {side}: sizes {size[0]}..{size[3]} mean {size[1]:.2f} sd {size[2]:.2f}; "
              f"gaps {gap[0]}..{gap[3]} ms mean {gap[1]:.2f}; "
              f"syn {getattr(flow, side + '_syn_packets')} fin {getattr(flow, side + '_fin_packets')} "
              f"rst {getattr(flow, side + '_rst_packets')}")
