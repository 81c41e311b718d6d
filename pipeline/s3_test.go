package pipeline

import "testing"

// TestHiddenKey: the local dot-name rule, applied to S3 keys element by
// element.
func TestHiddenKey(t *testing.T) {
	tests := []struct {
		pattern, key string
		want         bool
	}{
		{"caps/*.pcap", "caps/a.pcap", false},
		{"caps/*.pcap", "caps/.swap.pcap", true},
		{"caps/.*.pcap", "caps/.swap.pcap", false},
		{"caps/*/*.pcap", "caps/.old/a.pcap", true},
		{"caps/.old/*.pcap", "caps/.old/a.pcap", false},
		{".caps/*.pcap", ".caps/a.pcap", false},
	}
	for _, tt := range tests {
		if got := hiddenKey(tt.pattern, tt.key); got != tt.want {
			t.Errorf("hiddenKey(%q, %q) = %v, want %v", tt.pattern, tt.key, got, tt.want)
		}
	}
}
