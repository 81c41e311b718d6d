package objstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/stages/objstore/objstoretest"
)

// testServer is an S3 server for the tests: the one NFDATASET_TEST_S3_ENDPOINT
// names (a MinIO server, say, with its keys in the usual AWS_* variables
// and the bucket NFDATASET_TEST_S3_BUCKET), else gofakes3 on 127.0.0.1
// (objstoretest). wrap, when not nil, sees every request before the fake
// server does.
func testServer(t *testing.T, wrap func(http.Handler) http.Handler) (*Store, string) {
	t.Helper()
	if ep := os.Getenv("NFDATASET_TEST_S3_ENDPOINT"); ep != "" && wrap == nil {
		bucket := os.Getenv("NFDATASET_TEST_S3_BUCKET")
		if bucket == "" {
			t.Skip("NFDATASET_TEST_S3_ENDPOINT without NFDATASET_TEST_S3_BUCKET")
		}
		cfg := FromEnv(os.LookupEnv)
		cfg.Endpoint = ep
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s, bucket
	}
	srv := objstoretest.Start(t, []string{"nfdataset"}, wrap)
	s, err := New(Config{Endpoint: srv.URL, Region: objstoretest.Region, AccessKey: objstoretest.AccessKey, SecretKey: objstoretest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return s, "nfdataset"
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want URL
		err  string
	}{
		{"s3://b/k.pcap", URL{"b", "k.pcap"}, ""},
		{"s3://b/dir/sub/*.pcap", URL{"b", "dir/sub/*.pcap"}, ""},
		{"s3://b", URL{"b", ""}, ""},
		{"s3://b/", URL{"b", ""}, ""},
		{"s3:///k", URL{}, "no bucket name"},
		{"s3://b*/k", URL{}, "globs match keys"},
		{"/data/k.pcap", URL{}, "not an s3://bucket/key URL"},
		{"https://b.s3.amazonaws.com/k", URL{}, "not an s3://bucket/key URL"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q): error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if got := (URL{"b", "ds"}).Join("part-00000.parquet").String(); got != "s3://b/ds/part-00000.parquet" {
		t.Errorf("Join: %s", got)
	}
	if got := (URL{"b", ""}).Join("dataset.json").String(); got != "s3://b/dataset.json" {
		t.Errorf("Join at the root: %s", got)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"AWS_ENDPOINT_URL": "http://a:9000", "AWS_ENDPOINT_URL_S3": "http://s3:9000", "AWS_DEFAULT_REGION": "eu-west-3", "AWS_CONFIG_FILE": "/nonexistent"}
	got := FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if diff := cmp.Diff(Config{Endpoint: "http://s3:9000", Region: "eu-west-3"}, got); diff != "" {
		t.Errorf("FromEnv (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"ftp://host", "http://host/path"} {
		if _, err := New(Config{Endpoint: bad}); err == nil {
			t.Errorf("New(%q): no error", bad)
		}
	}
}

var captures = []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"}

// TestGlobAndRangedReads puts the bundled captures and a file big enough
// for a multipart upload under a prefix, then lists them with globs and
// reads them back whole and at offsets.
func TestGlobAndRangedReads(t *testing.T) {
	s, bucket := testServer(t, nil)
	ctx := context.Background()
	prefix := URL{bucket, "t-" + t.Name() + "/caps/"}
	local := map[string][]byte{}
	for _, name := range captures {
		b, err := os.ReadFile(filepath.Join("../../testdata/captures", name))
		if err != nil {
			t.Fatal(err)
		}
		local[name] = b
	}
	// 17 MiB: over minio-go's 16 MiB part, so it goes up in parts.
	big := make([]byte, 17<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	local["big.pcapng"] = big
	for name, b := range local {
		if err := s.Put(ctx, prefix.Join(name), bytes.NewReader(b), int64(len(b)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, prefix.Join("sub", "x.pcap"), strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}

	globs := []struct {
		pattern string
		want    []string
	}{
		{"*.pcap", []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"}}, // not sub/x.pcap
		{"d*", []string{"dhcp.pcap", "dns_ambiguous_names.pcap"}},
		{"*/x.pcap", []string{"sub/x.pcap"}},
		{"google_ssl.pcap", []string{"google_ssl.pcap"}},
		{"*.pcapng", []string{"big.pcapng"}},
		{"none*", nil},
	}
	for _, g := range globs {
		objs, err := s.Glob(ctx, URL{bucket, prefix.Key + g.pattern})
		if err != nil {
			t.Fatalf("Glob %s: %v", g.pattern, err)
		}
		var got []string
		for _, o := range objs {
			rel := strings.TrimPrefix(o.URL.Key, prefix.Key)
			got = append(got, rel)
			if b, ok := local[rel]; ok && o.Size != int64(len(b)) {
				t.Errorf("%s: size %d, want %d", o.URL, o.Size, len(b))
			}
		}
		if diff := cmp.Diff(g.want, got); diff != "" {
			t.Errorf("Glob %s (-want +got):\n%s", g.pattern, diff)
		}
	}
	if _, err := s.Glob(ctx, prefix.Join("missing.pcap")); err == nil || !strings.Contains(err.Error(), "no such object") {
		t.Errorf("Glob of a missing key: %v, want no such object", err)
	}

	for name, b := range local {
		dst := filepath.Join(t.TempDir(), name)
		sum, err := s.Fetch(ctx, prefix.Join(name), dst)
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(b)
		if sum != hex.EncodeToString(want[:]) {
			t.Errorf("%s: fetched sha256 %s", name, sum)
		}
		if got, _ := os.ReadFile(dst); !bytes.Equal(got, b) {
			t.Errorf("%s: fetched bytes differ", name)
		}
		r, err := s.Open(ctx, prefix.Join(name))
		if err != nil {
			t.Fatal(err)
		}
		if r.Size() != int64(len(b)) {
			t.Errorf("%s: Size %d, want %d", name, r.Size(), len(b))
		}
		for _, off := range []int64{int64(len(b)) / 2, 24, int64(len(b)) - 7, 0} {
			p := make([]byte, 7)
			n, err := r.ReadAt(p, off)
			// io.ReaderAt may say EOF with a full read that ends the object.
			if (err != nil && !(err == io.EOF && off+7 == int64(len(b)))) || n != 7 || !bytes.Equal(p, b[off:off+7]) {
				t.Errorf("%s: ReadAt(7, %d) = %d, %v, %x; want %x", name, off, n, err, p[:n], b[off:off+7])
			}
		}
		r.Close()
	}
}
