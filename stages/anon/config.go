package anon

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/blake2b"
)

// Method names, as written in manifests and on the command line.
const (
	MethodKeyedHash = "keyed-hash"
	MethodCryptoPAn = "cryptopan"
)

// MAC modes: whether the vendor part (OUI, the first three bytes) of a
// hardware address is kept in clear or anonymised with the rest.
const (
	MACKeepOUI = "keep-oui"
	MACHashOUI = "hash-oui"
)

// Config is what the user asked for. Exactly one of KeyFile and KeyEnv is
// set; Key is filled by LoadKey.
type Config struct {
	Columns []string
	Method  string // MethodKeyedHash (the default) or MethodCryptoPAn
	KeyFile string // a file holding the raw key bytes
	KeyEnv  string // an environment variable holding the key in hex
	MAC     string // MACHashOUI (the default) or MACKeepOUI

	Key []byte
}

// Enabled reports whether any column is to be anonymised.
func (c *Config) Enabled() bool { return len(c.Columns) > 0 }

// KeySize is the key length the method needs.
func KeySize(method string) int {
	if method == MethodCryptoPAn {
		return CryptoPAnKeySize
	}
	return KeyedHashKeySize
}

// Normalize fills the defaults and checks the settings that do not need
// the key. Its errors name the setting; callers add where it was written.
func (c *Config) Normalize() error {
	if !c.Enabled() {
		if c.Method != "" || c.KeyFile != "" || c.KeyEnv != "" || c.MAC != "" {
			return fmt.Errorf("anonymisation settings given without any column to anonymise")
		}
		return nil
	}
	if c.Method == "" {
		c.Method = MethodKeyedHash
	}
	if c.Method != MethodKeyedHash && c.Method != MethodCryptoPAn {
		return fmt.Errorf("unknown anonymisation method %q (want %q or %q)", c.Method, MethodKeyedHash, MethodCryptoPAn)
	}
	if c.MAC == "" {
		c.MAC = MACHashOUI
	}
	if c.MAC != MACKeepOUI && c.MAC != MACHashOUI {
		return fmt.Errorf("unknown MAC mode %q (want %q or %q)", c.MAC, MACKeepOUI, MACHashOUI)
	}
	switch {
	case c.KeyFile == "" && c.KeyEnv == "":
		return fmt.Errorf("anonymisation needs a key: a key file or an environment variable holding the key in hex")
	case c.KeyFile != "" && c.KeyEnv != "":
		return fmt.Errorf("give the anonymisation key as a file or as an environment variable, not both")
	}
	seen := make(map[string]bool, len(c.Columns))
	for _, col := range c.Columns {
		if seen[col] {
			return fmt.Errorf("column %q is listed twice for anonymisation", col)
		}
		seen[col] = true
	}
	return nil
}

// LoadKey reads the key from the file (raw bytes) or the environment
// variable (hex) and checks its length. The error never holds key bytes.
func (c *Config) LoadKey() error {
	want := KeySize(c.Method)
	var key []byte
	if c.KeyFile != "" {
		b, err := os.ReadFile(c.KeyFile)
		if err != nil {
			return fmt.Errorf("anonymisation key file: %w", err)
		}
		if len(b) != want {
			return fmt.Errorf("anonymisation key file %s holds %d bytes; %s needs exactly %d raw bytes", c.KeyFile, len(b), c.Method, want)
		}
		key = b
	} else {
		text, ok := os.LookupEnv(c.KeyEnv)
		if !ok {
			return fmt.Errorf("anonymisation key variable %s is not set", c.KeyEnv)
		}
		b, err := hex.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("anonymisation key variable %s is not hex", c.KeyEnv)
		}
		if len(b) != want {
			return fmt.Errorf("anonymisation key variable %s holds %d bytes; %s needs exactly %d (%d hex digits)", c.KeyEnv, len(b), c.Method, want, 2*want)
		}
		key = b
	}
	c.Key = key
	return nil
}

// Digest identifies the key without revealing it: a BLAKE2b-256 keyed with
// the key over a fixed label, in hex. Cache keys and provenance use it so
// that two keys give two datasets while neither key can be read back.
func Digest(key []byte) string {
	k := key
	if len(k) > blake2b.Size {
		// BLAKE2b keys stop at 64 bytes; hash longer ones first.
		s := blake2b.Sum512(k)
		k = s[:]
	}
	h, err := blake2b.New256(k)
	if err != nil {
		panic(err) // unreachable: k is at most 64 bytes
	}
	h.Write([]byte("nfdataset anonymisation key digest v1"))
	return hex.EncodeToString(h.Sum(nil))
}
