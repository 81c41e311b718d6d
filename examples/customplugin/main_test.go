package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCustomPluginsOnGoogleSSL(t *testing.T) {
	out := filepath.Join(t.TempDir(), "flows.csv")
	// google_ssl.pcap: one TCP flow of 28 packets, 9108 bytes; eleven of its
	// frames are 54 bytes on the wire (tcpdump -e counts 11 "length 54").
	capture := filepath.Join("..", "..", "testdata", "captures", "google_ssl.pcap")
	var stderr strings.Builder
	if err := run(context.Background(), []string{"-custom-size", "54", "-o", out, capture}, &stderr); err != nil {
		t.Fatalf("run: %v (stderr %q)", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	header := strings.Split(lines[0], ",")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want a header and one flow:\n%s", len(lines), data)
	}
	row := strings.Split(lines[1], ",")
	got := map[string]string{}
	for i, h := range header {
		got[h] = row[i]
	}
	want := map[string]string{
		"bidirectional_packets":        "28",
		"bidirectional_bytes":          "9108",
		"udps.packet_with_custom_size": "11",
		// 0.05·28 + 0.0002·9108 − 2 = 1.2216 > 0
		"udps.model_prediction": "1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if diff := cmp.Diff([]string{"udps.packet_with_custom_size", "udps.model_prediction"}, header[len(header)-2:]); diff != "" {
		t.Errorf("last columns (-want +got):\n%s", diff)
	}
}

func TestCustomPluginUsage(t *testing.T) {
	var stderr strings.Builder
	if err := run(context.Background(), nil, &stderr); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no capture: error %v", err)
	}
	if err := run(context.Background(), []string{"-custom-size", "-3", "x.pcap"}, &stderr); err == nil || !strings.Contains(err.Error(), "custom_size -3") {
		t.Errorf("bad size: error %v", err)
	}
}
