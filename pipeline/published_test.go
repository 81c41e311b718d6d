package pipeline

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestVerifyAgainstURL checks a dataset against a published dataset.json
// served over https, and a wrong published copy fails.
func TestVerifyAgainstURL(t *testing.T) {
	out := buildQuickstart(t)
	srv := httptest.NewTLSServer(http.StripPrefix("/pub/", http.FileServer(http.Dir("../goldens/quickstart"))))
	defer srv.Close()
	old := httpClient
	httpClient = srv.Client()
	defer func() { httpClient = old }()
	for _, ref := range []string{srv.URL + "/pub/", srv.URL + "/pub", srv.URL + "/pub/dataset.json"} {
		diffs, err := Verify(out, ref)
		if err != nil || len(diffs) > 0 {
			t.Errorf("verify --against %s: %v %v", ref, diffs, err)
		}
	}
	if _, err := Verify(out, srv.URL+"/nothing/"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("verify against a missing URL: %v", err)
	}
	if _, err := ReadPublishedFile(context.Background(), srv.URL+"/pub/", ManifestFile); err != nil {
		t.Error(err)
	}
}

func buildQuickstart(t *testing.T) string {
	t.Helper()
	m, err := Load("../manifests/quickstart.toml")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	p, err := MakePlan(context.Background(), m, PlanOptions{Output: out})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), p, BuildOptions{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReproduceFromURL rebuilds the quickstart from its published copy
// served over https.
func TestReproduceFromURL(t *testing.T) {
	srv := httptest.NewTLSServer(http.StripPrefix("/pub/", http.FileServer(http.Dir("../goldens/quickstart"))))
	defer srv.Close()
	old := httpClient
	httpClient = srv.Client()
	defer func() { httpClient = old }()
	out := t.TempDir()
	rep, err := Reproduce(context.Background(), ReproduceOptions{Published: srv.URL + "/pub/", Inputs: "../testdata/captures", Output: out,
		Build: BuildOptions{Jobs: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("not reproduced: %q %q", rep.Inputs, rep.Diffs)
	}
	if len(rep.Inputs) != 3 {
		t.Errorf("input lines: %q", rep.Inputs)
	}
}
