package dpi

import (
	"net/netip"
	"testing"
)

func TestTablesLoad(t *testing.T) {
	if got := protoByName("TLS").Category(); got != "Web" {
		t.Errorf("TLS category = %q", got)
	}
	if got := guessProtocol(6, 51000, 443); got.Name() != "TLS" {
		t.Errorf("tcp/443 guess = %v", got)
	}
	if got := matchIP(netip.MustParseAddr("8.8.8.8")); got.Name() != "Google" {
		t.Errorf("8.8.8.8 = %v", got)
	}
	for _, c := range []struct{ host, app string }{
		{"www.facebook.com", "Facebook"},
		{"facebook.com", "Facebook"},
		{"b.config.skype.com", "Skype_Teams"},
		{"www.amazon.co.uk", "Amazon"},
		{"example.org", ""},
	} {
		app, _, ok := matchHost(c.host)
		got := ""
		if ok {
			got = app.Name()
		}
		if got != c.app {
			t.Errorf("matchHost(%q) = %q, want %q", c.host, got, c.app)
		}
	}
}
