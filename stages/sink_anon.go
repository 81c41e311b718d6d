package stages

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/nfdataset/nfdataset/features"
	"github.com/nfdataset/nfdataset/stages/anon"
)

// AnonymizeSink wraps a sink so that the configured columns reach it
// anonymised. cfg must be normalised and hold its key (anon.Config's
// Normalize and LoadKey). With keyed-hash every listed column becomes a
// string column of 128 hex digits (NFStream writes them quoted even for
// integer columns); null values stay null. With cryptopan the listed
// columns must be string columns of IP or MAC addresses (or OUIs).
func AnonymizeSink(inner Sink, cfg anon.Config) (Sink, error) {
	s := &anonSink{inner: inner, cfg: cfg, keepOUI: cfg.MAC == anon.MACKeepOUI}
	var err error
	if cfg.Method == anon.MethodCryptoPAn {
		s.pan, err = anon.NewCryptoPAn(cfg.Key)
	} else {
		s.hash, err = anon.NewKeyedHash(cfg.Key)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// AnonymizedSchema is the schema AnonymizeSink hands its sink: with
// keyed-hash the listed columns become strings. Columns not in schema are
// left to AnonymizeSink's Begin to report.
func AnonymizedSchema(schema features.Schema, cfg anon.Config) features.Schema {
	if !cfg.Enabled() {
		return schema
	}
	out := append(features.Schema(nil), schema...)
	for _, name := range cfg.Columns {
		if i := out.Index(name); i >= 0 {
			out[i].Kind = features.String
			out[i].Doc = schema[i].Doc + " (anonymised: " + cfg.Method + ")"
		}
	}
	return out
}

type anonSink struct {
	inner   Sink
	cfg     anon.Config
	keepOUI bool
	hash    *anon.KeyedHash
	pan     *anon.CryptoPAn
	cols    []int
	kinds   []features.Kind
	names   []string
	buf     []byte
}

func (s *anonSink) Begin(schema features.Schema) error {
	for _, name := range s.cfg.Columns {
		i := schema.Index(name)
		if i < 0 {
			return fmt.Errorf("anonymise: no column %q in this output", name)
		}
		if s.pan != nil && schema[i].Kind != features.String {
			return fmt.Errorf("anonymise: cryptopan maps IP and MAC addresses; column %q holds %s values (use keyed-hash for it)", name, schema[i].Kind)
		}
		s.cols = append(s.cols, i)
		s.kinds = append(s.kinds, schema[i].Kind)
		s.names = append(s.names, name)
	}
	return s.inner.Begin(AnonymizedSchema(schema, s.cfg))
}

func (s *anonSink) Write(rec features.Record) error {
	// A fresh record each time: the inner sink may keep it (MemorySink).
	out := append(features.Record(nil), rec...)
	for j, i := range s.cols {
		v := &out[i]
		if v.Null {
			continue
		}
		var err error
		if s.hash != nil {
			*v = features.StringValue(s.hashValue(s.kinds[j], v))
		} else if v.Str, err = s.panValue(v.Str); err != nil {
			return fmt.Errorf("anonymise column %q: %w", s.names[j], err)
		}
	}
	return s.inner.Write(out)
}

// hashValue is NFStream's form: the keyed digest of str(value).
func (s *anonSink) hashValue(kind features.Kind, v *features.Value) string {
	b := s.buf[:0]
	switch kind {
	case features.Int:
		b = strconv.AppendInt(b, v.Int, 10)
	case features.Float:
		b = AppendPythonFloat(b, v.Float)
	case features.IntList:
		b = appendPythonIntList(b, v.List)
	default:
		b = append(b, v.Str...)
	}
	s.buf = b
	sum := s.hash.Sum(b)
	if s.keepOUI && kind == features.String {
		if mac, err := net.ParseMAC(v.Str); err == nil && len(mac) == 6 {
			return v.Str[:9] + sum
		}
	}
	return sum
}

func (s *anonSink) panValue(text string) (string, error) {
	if text == "" {
		return "", nil
	}
	if a, err := netip.ParseAddr(text); err == nil {
		return s.pan.Addr(a).String(), nil
	}
	if mac, err := net.ParseMAC(text); err == nil && len(mac) == 6 {
		m := [6]byte(mac)
		s.pan.MAC(&m, s.keepOUI)
		return net.HardwareAddr(m[:]).String(), nil
	}
	if mac, err := net.ParseMAC(text + ":00:00:00"); err == nil && len(mac) == 6 && len(text) == 8 {
		// An OUI column: the first three bytes a MAC of that vendor gets,
		// which depend on the OUI alone (prefix preservation).
		if s.keepOUI {
			return text, nil
		}
		m := [6]byte(mac)
		s.pan.MAC(&m, false)
		return net.HardwareAddr(m[:]).String()[:8], nil
	}
	return "", fmt.Errorf("%q is not an IP address, a MAC address or an OUI", text)
}

// Flush passes a live capture's per-tick flush through.
func (s *anonSink) Flush() error {
	if f, ok := s.inner.(Flusher); ok {
		return f.Flush()
	}
	return nil
}

func (s *anonSink) Close() error { return s.inner.Close() }
func (s *anonSink) Abort() error { return s.inner.Abort() }
