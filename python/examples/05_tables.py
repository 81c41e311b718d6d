"""Flows as tables: a pandas DataFrame to explore in memory, and CSV files
to hand on, with the addresses replaced by keyed hashes.

Run from a directory holding ``capture.pcap``.
"""
from nfdataset import NFStreamer

frame = NFStreamer(source="capture.pcap").to_pandas()
print(frame.shape[0], "flows,", frame.shape[1], "columns")

# Traffic per transport protocol, largest first.
per_protocol = (frame.groupby("protocol")
                .agg(flows=("id", "size"), packets=("bidirectional_packets", "sum"),
                     bytes=("bidirectional_bytes", "sum"))
                .sort_values("bytes", ascending=False))
print(per_protocol.to_string())

# The busiest conversations and what detection made of them.
top = frame.nlargest(3, "bidirectional_bytes")
for row in top.itertuples():
    print(f"{row.src_ip}:{row.src_port} -> {row.dst_ip}:{row.dst_port} {row.bidirectional_bytes} bytes")
    print(f"  application: {row.application_name}")

# to_csv writes the flows and returns how many it wrote. Hashing the
# address columns keeps the table shareable; the key is drawn per call.
written = NFStreamer(source="capture.pcap").to_csv(path="flows.csv",
                                                   columns_to_anonymize=("src_ip", "dst_ip"),
                                                   flows_per_file=0, rotate_files=0)
print(written, "flows written to flows.csv")
