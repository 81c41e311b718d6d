from nfdataset import NFStreamer
my_streamer = NFStreamer(source="facebook.pcap",
                         # Disable L7 dissection for readability purpose.
                         n_dissections=0,
                         statistical_analysis=True)
for flow in my_streamer:
    print(flow)
