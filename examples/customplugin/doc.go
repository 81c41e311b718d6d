// Command customplugin is nfdataset's flows path with two plugins of its
// own: the Go versions of the two plugins in NFStream's README. It shows
// how to build your own binary with your plugins registered; see
// docs/plugins.md.
//
//	go run ./examples/customplugin -custom-size 555 capture.pcap > flows.csv
//
// Output: NFStream's core columns, then udps.packet_with_custom_size and
// udps.model_prediction.
//
// May import: nfdataset's packages and the standard library.
package main
