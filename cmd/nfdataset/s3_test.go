package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages/objstore"
	"github.com/nfdataset/nfdataset/stages/objstore/objstoretest"
)

// The S3 tests run against gofakes3 served on 127.0.0.1 (objstoretest):
// the "S3-compatible server started by the test" of issue 13, since
// MinIO's server module is not served by the Go proxy here.

const s3Bucket = "nfds"

// s3Captures are the corpus captures the S3 tests read: the first from an
// exact key, the second through a glob.
var s3Captures = []string{"facebook.pcap", "1kxun.pcap"}

// startS3 starts a fake S3 server with the bucket nfds, points the AWS_*
// environment at it (the way a user configures the AWS tools), gives the
// test its own staging folder, and returns a client to seed and inspect
// the bucket with.
func startS3(t *testing.T, wrap func(http.Handler) http.Handler) (*objstoretest.Server, *objstore.Store) {
	t.Helper()
	srv := objstoretest.Start(t, []string{s3Bucket}, wrap)
	for k, v := range srv.Env() {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv(pipeline.S3CacheEnv, filepath.Join(t.TempDir(), "s3cache"))
	s, err := objstore.New(objstore.Config{Endpoint: srv.URL, Region: objstoretest.Region,
		AccessKey: objstoretest.AccessKey, SecretKey: objstoretest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return srv, s
}

// uploadCaptures puts s3Captures at raw/facebook.pcap and
// raw/more/1kxun.pcap, plus an object the glob must skip (a dot name).
func uploadCaptures(t *testing.T, s *objstore.Store) {
	t.Helper()
	ctx := context.Background()
	keys := map[string]string{"raw/" + s3Captures[0]: s3Captures[0], "raw/more/" + s3Captures[1]: s3Captures[1],
		"raw/more/.hidden.pcap": s3Captures[0]}
	for key, name := range keys {
		b, err := os.ReadFile(filepath.Join("../../../shared/corpus/nfstream/pcaps", name))
		if err != nil {
			t.Skipf("corpus capture: %v", err)
		}
		if err := s.Put(ctx, objstore.URL{Bucket: s3Bucket, Key: key}, bytes.NewReader(b), int64(len(b)), ""); err != nil {
			t.Fatal(err)
		}
	}
}

// s3Manifest is a manifest with one input from an exact key and one from
// a glob; FIRST, GLOB and OUT are replaced.
const s3Manifest = `[dataset]
name = "s3-test"
version = "1"

[[input]]
path = "FIRST"

[[input]]
path = "GLOB"

[features]
sets = ["base", "stats", "dpi"]

[output]
path = "OUT"
`

func writeS3Manifest(t *testing.T, first, glob, out string) string {
	t.Helper()
	r := strings.NewReplacer("FIRST", first, "GLOB", glob, "OUT", out)
	p := filepath.Join(t.TempDir(), "m.toml")
	if err := os.WriteFile(p, []byte(r.Replace(s3Manifest)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func s3URL(key string) objstore.URL { return objstore.URL{Bucket: s3Bucket, Key: key} }

// TestS3BuildVerifyDownload reads captures from a bucket (one exact key,
// one glob), publishes the dataset to the bucket, verifies it there, and
// compares every downloaded file's sha256 with a local build of the same
// manifest over local copies of the captures with the same names.
func TestS3BuildVerifyDownload(t *testing.T) {
	var mu sync.Mutex
	var puts []string // keys uploaded under datasets/fb/, in order
	var gets atomic.Int32
	_, s := startS3(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k, ok := strings.CutPrefix(r.URL.Path, "/nfds/datasets/fb/"); ok && r.Method == http.MethodPut {
				mu.Lock()
				puts = append(puts, k)
				mu.Unlock()
			}
			if strings.HasPrefix(r.URL.Path, "/nfds/raw/") && r.Method == http.MethodGet {
				gets.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	uploadCaptures(t, s)
	ctx := context.Background()
	m := writeS3Manifest(t, "s3://nfds/raw/"+s3Captures[0], "s3://nfds/raw/more/*.pcap", "s3://nfds/datasets/fb")
	code, _, stderr := runCLI(t, "build", "--jobs", "1", m)
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "→ s3://nfds/datasets/fb") {
		t.Errorf("build's stderr does not say where it published:\n%s", stderr)
	}
	code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/fb")
	if code != 0 || !strings.Contains(stdout, "ok") {
		t.Fatalf("verify s3://nfds/datasets/fb: exit %d: %s%s", code, stdout, stderr)
	}
	// Parts, then the metadata files dataset.json lists, dataset.json last.
	wantPuts := []string{"part-00000.parquet", "croissant.json", "manifest.json", "README.md", "dataset.json"}
	mu.Lock()
	if diff := cmp.Diff(wantPuts, puts); diff != "" {
		t.Errorf("upload order (-want +got):\n%s", diff)
	}
	puts = nil
	mu.Unlock()
	if n := gets.Load(); n != 2 {
		t.Errorf("%d GETs of the captures, want 2 (each staged once)", n)
	}

	// The same manifest over local copies: absolute paths, so that
	// provenance keeps the same last elements as for the URLs.
	local := t.TempDir()
	for i, name := range s3Captures {
		dir := local
		if i == 1 {
			dir = filepath.Join(local, "more")
		}
		b, err := os.ReadFile(filepath.Join("../../../shared/corpus/nfstream/pcaps", name))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	localOut := filepath.Join(t.TempDir(), "out")
	lm := writeS3Manifest(t, filepath.Join(local, s3Captures[0]), filepath.Join(local, "more", "*.pcap"), localOut)
	if code, _, stderr := runCLI(t, "build", "--jobs", "1", lm); code != 0 {
		t.Fatalf("local build: exit %d: %s", code, stderr)
	}
	dl := filepath.Join(t.TempDir(), "dl")
	if err := pipeline.DownloadS3(ctx, s3URL("datasets/fb"), dl, nil); err != nil {
		t.Fatal(err)
	}
	want, got := datasetFiles(t, localOut), datasetFiles(t, dl)
	for _, f := range []string{"dataset.json", "croissant.json", "manifest.json", "README.md", "part-00000.parquet"} {
		if _, ok := got[f]; !ok {
			t.Errorf("%s was not published", f)
		}
	}
	t.Logf("published: %v", got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("published dataset differs from the local build (-local +s3):\n%s", diff)
	}
	prov, err := pipeline.ReadProvenance(filepath.Join(dl, "dataset.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Inputs) != 2 {
		t.Errorf("provenance lists %d inputs, want 2 (the dot-named object is skipped by the glob)", len(prov.Inputs))
	}

	// An altered object fails verify, named by its URL.
	if err := s.Put(ctx, s3URL("datasets/fb/croissant.json"), strings.NewReader("{}"), 2, ""); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, "verify", "s3://nfds/datasets/fb")
	if code == 0 || !strings.Contains(stdout, "s3://nfds/datasets/fb/croissant.json: size 2") {
		t.Errorf("verify of an altered object: exit %d, stdout:\n%s", code, stdout)
	}
	// Publishing again repairs it, with every job from the cache.
	code, _, stderr = runCLI(t, "build", m)
	if code != 0 || !strings.Contains(stderr, "(0 computed, 2 cached)") {
		t.Errorf("rebuild: exit %d: %s", code, stderr)
	}
	if n := gets.Load(); n != 2 {
		t.Errorf("%d GETs of the captures after a rebuild, want still 2 (staged copies of the same ETag are kept)", n)
	}
	if code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/fb/"); code != 0 {
		t.Errorf("verify after publishing again: exit %d: %s%s", code, stdout, stderr)
	}
	// A new version of an object (another ETag) is staged again and
	// recomputed; the other input stays cached.
	b, err := os.ReadFile(filepath.Join(bundledCaptures, "dhcp.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, s3URL("raw/more/"+s3Captures[1]), bytes.NewReader(b), int64(len(b)), ""); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "build", m)
	if code != 0 || !strings.Contains(stderr, "(1 computed, 1 cached)") {
		t.Errorf("build after replacing an object: exit %d: %s", code, stderr)
	}
	if n := gets.Load(); n != 3 {
		t.Errorf("%d GETs of the captures after replacing one, want 3", n)
	}
}

// failNthPut fails, as an overloaded server would (503), the nth PUT of a
// key under prefix once armed.
func failNthPut(armed *atomic.Bool, n int32, prefix string) func(http.Handler) http.Handler {
	var puts atomic.Int32
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if armed.Load() && r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, prefix) && puts.Add(1) == n {
				http.Error(w, "injected failure", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// TestS3PublishFails makes the 3rd upload of a publish fail (over a
// previous publish of the same prefix): the build fails naming the URL,
// the bucket then holds no dataset.json so verify finds no dataset, and
// building again publishes it whole.
func TestS3PublishFails(t *testing.T) {
	var armed atomic.Bool
	_, s := startS3(t, failNthPut(&armed, 3, "/nfds/datasets/"))
	uploadCaptures(t, s)
	m := writeS3Manifest(t, "s3://nfds/raw/"+s3Captures[0], "s3://nfds/raw/more/*.pcap", "s3://nfds/datasets/x")
	if code, _, stderr := runCLI(t, "build", m); code != 0 {
		t.Fatalf("first build: exit %d: %s", code, stderr)
	}
	armed.Store(true)
	code, _, stderr := runCLI(t, "build", "--force", m)
	armed.Store(false)
	if code == 0 || !strings.Contains(stderr, "s3://nfds/datasets/x") || !strings.Contains(stderr, "nothing was published") {
		t.Fatalf("build with a failing upload: exit %d: %s", code, stderr)
	}
	if ok, err := s.Exists(context.Background(), s3URL("datasets/x/dataset.json")); err != nil || ok {
		t.Errorf("dataset.json after a failed publish: exists %v (%v)", ok, err)
	}
	code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/x")
	if code == 0 || !strings.Contains(stderr, "no published dataset at s3://nfds/datasets/x") {
		t.Errorf("verify after a failed publish: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "build", m); code != 0 {
		t.Fatalf("build again: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/x"); code != 0 {
		t.Errorf("verify after building again: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestS3Errors: every S3 failure names the URL, exits non-zero without a
// panic, and publishes nothing.
func TestS3Errors(t *testing.T) {
	_, s := startS3(t, nil)
	uploadCaptures(t, s)
	good := "s3://nfds/raw/" + s3Captures[0]
	glob := "s3://nfds/raw/more/*.pcap"
	tests := []struct {
		name, first, glob, out string
		want                   []string
	}{
		{"no such bucket (input)", "s3://nobucket/raw/a.pcap", glob, "s3://nfds/datasets/e1", []string{"s3://nobucket/raw/a.pcap", "no such bucket"}},
		{"no such key", "s3://nfds/raw/missing.pcap", glob, "s3://nfds/datasets/e2", []string{"s3://nfds/raw/missing.pcap", "no such object"}},
		{"glob matching nothing", good, "s3://nfds/raw/none/*.pcap", "s3://nfds/datasets/e3", []string{"s3://nfds/raw/none/*.pcap", "no object matches"}},
		{"prefix, not object", "s3://nfds/raw/", glob, "s3://nfds/datasets/e4", []string{"s3://nfds/raw/", "is a prefix"}},
		{"no such bucket (output)", good, glob, "s3://nobucket/ds", []string{"s3://nobucket/ds", "no such bucket", "nothing was built or published"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := writeS3Manifest(t, tt.first, tt.glob, tt.out)
			code, _, stderr := runCLI(t, "build", m)
			if code == 0 || code == 3 && strings.Contains(stderr, "panic") {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			t.Logf("stderr: %s", stderr)
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if u, err := objstore.Parse(tt.out); err == nil && u.Bucket == s3Bucket {
				if objs, err := s.List(context.Background(), objstore.URL{Bucket: s3Bucket, Key: u.Key + "/"}); err != nil || len(objs) > 0 {
					t.Errorf("%d object(s) published under %s (%v)", len(objs), tt.out, err)
				}
			}
		})
	}
}

// TestS3BadCredentials: a server that refuses the key in the environment
// fails the build with the URL and what to check, and a clear verify.
func TestS3BadCredentials(t *testing.T) {
	startS3(t, objstoretest.RequireKey("the-right-key"))
	t.Setenv("AWS_ACCESS_KEY_ID", "a-wrong-key")
	// Reading inputs, into a local folder; then publishing.
	for _, out := range []string{filepath.Join(t.TempDir(), "out"), "s3://nfds/datasets/c"} {
		m := writeS3Manifest(t, "s3://nfds/raw/"+s3Captures[0], "s3://nfds/raw/more/*.pcap", out)
		code, _, stderr := runCLI(t, "build", m)
		t.Logf("build: %s", stderr)
		named := "s3://nfds/raw/" + s3Captures[0]
		if objstore.IsURL(out) {
			named = out
		}
		if code == 0 || !strings.Contains(stderr, named) || !strings.Contains(stderr, "AWS_ACCESS_KEY_ID") {
			t.Errorf("build with bad credentials: exit %d: %s", code, stderr)
		}
	}
	code, stdout, stderr := runCLI(t, "verify", "s3://nfds/datasets/c")
	if code == 0 || !strings.Contains(stderr, "s3://nfds/datasets/c") || !strings.Contains(stderr, "AWS_ACCESS_KEY_ID") {
		t.Errorf("verify with bad credentials: exit %d: %s%s", code, stdout, stderr)
	}
}

// TestS3Files: files = […] reads several objects as one capture and takes
// no patterns, as for local paths.
func TestS3Files(t *testing.T) {
	_, s := startS3(t, nil)
	uploadCaptures(t, s)
	write := func(files string) string {
		p := filepath.Join(t.TempDir(), "m.toml")
		text := "[dataset]\nname = \"f\"\nversion = \"1\"\n\n[[input]]\nfiles = [" + files + "]\n\n[features]\nsets = [\"base\"]\n\n[output]\npath = \"out\"\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	m := write(`"s3://nfds/raw/facebook.pcap", "s3://nfds/raw/more/1kxun.pcap"`)
	if code, _, stderr := runCLI(t, "build", m); code != 0 || !strings.Contains(stderr, "1 input(s)") {
		t.Errorf("files over two objects: exit %d: %s", code, stderr)
	}
	prov, err := pipeline.ReadProvenance(filepath.Join(filepath.Dir(m), "out", "dataset.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(prov.Inputs) != 1 || prov.Inputs[0].Name != "facebook.pcap" {
		t.Errorf("inputs %+v: want one, named after the first object's last key element", prov.Inputs)
	}
	m = write(`"s3://nfds/raw/more/*.pcap"`)
	code, _, stderr := runCLI(t, "build", m)
	if code == 0 || !strings.Contains(stderr, "no glob patterns (\"s3://nfds/raw/more/*.pcap\")") {
		t.Errorf("files with a pattern: exit %d: %s", code, stderr)
	}
}
