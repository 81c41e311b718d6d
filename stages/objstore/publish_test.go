package objstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
	"github.com/nfdataset/nfdataset/stages/objstore"
	"github.com/nfdataset/nfdataset/stages/objstore/objstoretest"
)

// The tests of this file build datasets with pipeline, which imports
// objstore: they are an external test package, with their own server.

var captures = []string{"dhcp.pcap", "dns_ambiguous_names.pcap", "google_ssl.pcap"}

func testServer(t *testing.T, wrap func(http.Handler) http.Handler) (*objstore.Store, string) {
	t.Helper()
	srv := objstoretest.Start(t, []string{"nfdataset"}, wrap)
	s, err := objstore.New(objstore.Config{Endpoint: srv.URL, Region: objstoretest.Region, AccessKey: objstoretest.AccessKey, SecretKey: objstoretest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return s, "nfdataset"
}

// buildFrom builds a dataset of the captures in inputs with the given
// feature sets into dir/out and returns the folder.
func buildFrom(t *testing.T, inputs, dir, sets string) string {
	t.Helper()
	manifest := filepath.Join(dir, "m.toml")
	text := "[dataset]\nname = \"s3\"\nversion = \"1\"\n\n[[input]]\npath = \"" + filepath.ToSlash(inputs) + "/*.pcap\"\n\n" +
		"[features]\nsets = [" + sets + "]\n\n[output]\npath = \"out\"\n"
	if err := os.WriteFile(manifest, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := pipeline.Load(manifest)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan, err := pipeline.MakePlan(ctx, m, pipeline.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Build(ctx, plan, pipeline.BuildOptions{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "out")
}

// fetchCaptures uploads the bundled captures under prefix, then lists
// them back with a glob and fetches them into a local folder: the inputs
// of a build that reads its captures from a bucket.
func fetchCaptures(t *testing.T, s *objstore.Store, prefix objstore.URL) string {
	t.Helper()
	ctx := context.Background()
	for _, name := range captures {
		f, err := os.Open(filepath.Join("../../testdata/captures", name))
		if err != nil {
			t.Fatal(err)
		}
		info, _ := f.Stat()
		err = s.Put(ctx, prefix.Join(name), f, info.Size(), "")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	objs, err := s.Glob(ctx, prefix.Join("*.pcap"))
	if err != nil || len(objs) != len(captures) {
		t.Fatalf("Glob: %d objects, %v", len(objs), err)
	}
	dir := filepath.Join(t.TempDir(), "inputs")
	for _, o := range objs {
		if _, err := s.Fetch(ctx, o.URL, filepath.Join(dir, filepath.Base(o.URL.Key))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "report.html" {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])
	}
	return out
}

// TestPublishAndVerify builds from captures read out of a bucket,
// publishes the dataset to a prefix, downloads it and verifies it: the
// published files are the local build's, byte for byte, dataset.json last.
func TestPublishAndVerify(t *testing.T) {
	s, bucket := testServer(t, nil)
	ctx := context.Background()
	root := objstore.URL{Bucket: bucket, Key: "t-" + t.Name() + "/"}
	inputs := fetchCaptures(t, s, root.Join("captures"))
	out := buildFrom(t, inputs, t.TempDir(), `"base", "stats"`)
	dest := root.Join("datasets", "quick")
	rep, err := s.Publish(ctx, out, dest)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Uploaded); n < 2 || rep.Uploaded[n-1] != objstore.ProvenanceFile {
		t.Errorf("uploaded %v: want the listed files, then dataset.json", rep.Uploaded)
	}
	dl := filepath.Join(t.TempDir(), "dl")
	if err := s.Download(ctx, dest, dl); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fileSums(t, out), fileSums(t, dl)); diff != "" {
		t.Errorf("published files differ from the build's (-built +published):\n%s", diff)
	}
	for _, against := range []string{"", filepath.Join(out, objstore.ProvenanceFile)} {
		if problems, err := pipeline.Verify(dl, against); err != nil || len(problems) > 0 {
			t.Errorf("verify of the published dataset (against %q): %v %q", against, err, problems)
		}
	}
}

// TestPublishInterrupted kills a publish over an older dataset part way
// (the connection's context is cancelled while the second file goes up):
// the prefix then holds no dataset.json, so there is no dataset to read
// or verify, and every object listed is a whole file of one build or the
// other. Publishing again completes and verifies.
func TestPublishInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var armed atomic.Bool
	var puts atomic.Int32
	s, bucket := testServer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if armed.Load() && r.Method == http.MethodPut && puts.Add(1) == 2 {
				cancel() // the build is killed while this file uploads
				http.Error(w, "killed", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	root := objstore.URL{Bucket: bucket, Key: "t-" + t.Name() + "/"}
	inputs := fetchCaptures(t, s, root.Join("captures"))
	v1 := buildFrom(t, inputs, t.TempDir(), `"base"`)
	v2 := buildFrom(t, inputs, t.TempDir(), `"base", "stats", "splt"`)
	dest := root.Join("ds")
	if _, err := s.Publish(context.Background(), v1, dest); err != nil {
		t.Fatal(err)
	}

	armed.Store(true)
	if _, err := s.Publish(ctx, v2, dest); err == nil {
		t.Fatal("the interrupted publish succeeded")
	}
	armed.Store(false)
	bg := context.Background()
	if ok, err := s.Exists(bg, dest.Join(objstore.ProvenanceFile)); err != nil || ok {
		t.Errorf("dataset.json at %s after an interrupted publish (exists %v, %v)", dest, ok, err)
	}
	if err := s.Download(bg, dest, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no published dataset") {
		t.Errorf("Download after an interrupted publish: %v, want no published dataset", err)
	}
	whole := map[string]bool{}
	for _, dir := range []string{v1, v2} {
		for _, sum := range fileSums(t, dir) {
			whole[sum] = true
		}
	}
	objs, err := s.List(bg, objstore.URL{Bucket: dest.Bucket, Key: dest.Key + "/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		dst := filepath.Join(t.TempDir(), "obj")
		sum, err := s.Fetch(bg, o.URL, dst)
		if err != nil {
			t.Fatal(err)
		}
		if !whole[sum] {
			t.Errorf("%s is listed but is no whole file of either build", o.URL)
		}
	}

	if _, err := s.Publish(bg, v2, dest); err != nil {
		t.Fatalf("publishing again: %v", err)
	}
	dl := filepath.Join(t.TempDir(), "dl")
	if err := s.Download(bg, dest, dl); err != nil {
		t.Fatal(err)
	}
	if problems, err := pipeline.Verify(dl, filepath.Join(v2, objstore.ProvenanceFile)); err != nil || len(problems) > 0 {
		t.Errorf("verify after publishing again: %v %q", err, problems)
	}
}
