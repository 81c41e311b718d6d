"""Two NFPlugin examples: a per-flow feature computed from every packet,
and a scikit-learn model that classifies each flow from its first packets
and then ends it (forced expiry), so that the verdict comes early.

Run from a directory holding ``training.pcap`` and ``capture.pcap``.
"""
import numpy
from sklearn.ensemble import RandomForestClassifier

from nfdataset import NFPlugin, NFStreamer


class SizeBands(NFPlugin):
    """Counts the flow's packets per size band: small (< small bytes),
    full (>= full bytes) and the rest."""

    def on_init(self, packet, flow):
        flow.udps.small_packets = 0
        flow.udps.full_packets = 0
        self.count(packet, flow)

    def on_update(self, packet, flow):
        self.count(packet, flow)

    def count(self, packet, flow):
        if packet.raw_size < self.small:
            flow.udps.small_packets += 1
        elif packet.raw_size >= self.full:
            flow.udps.full_packets += 1


for flow in NFStreamer(source="capture.pcap", udps=SizeBands(small=100, full=1400)):
    print(f"{flow.src_port}->{flow.dst_port}: {flow.udps.small_packets} small, "
          f"{flow.udps.full_packets} full of {flow.bidirectional_packets}")

# A toy model: does a flow go to port 443? Trained on whole flows of one
# capture, asked after a few packets of the flows of another.
FEATURES = ["bidirectional_packets", "bidirectional_bytes", "bidirectional_mean_ps", "bidirectional_max_ps"]
training = NFStreamer(source="training.pcap", statistical_analysis=True).to_pandas()
model = RandomForestClassifier(n_estimators=20, random_state=0)
model.fit(training[FEATURES].to_numpy(), (training["dst_port"] == 443).astype(int))


class EarlyVerdict(NFPlugin):
    """Predicts once the flow has `after` packets and ends the flow there;
    shorter flows are judged when they end."""

    def on_init(self, packet, flow):
        flow.udps.port_443_guess = None

    def on_update(self, packet, flow):
        if flow.bidirectional_packets == self.after:
            flow.udps.port_443_guess = self.guess(flow)
            flow.expiration_id = -1  # the verdict is in: end the flow now

    def on_expire(self, flow):
        if flow.udps.port_443_guess is None:
            flow.udps.port_443_guess = self.guess(flow)

    def guess(self, flow):
        row = numpy.array([[getattr(flow, name) for name in FEATURES]])
        return int(self.model.predict(row)[0])


streamer = NFStreamer(source="capture.pcap", statistical_analysis=True,
                      udps=EarlyVerdict(model=model, after=6))
for flow in streamer:
    print(f"{flow.dst_ip}:{flow.dst_port} after {flow.bidirectional_packets} packets: "
          f"guess {flow.udps.port_443_guess}, ended by the plugin: {flow.expiration_id == -1}")
