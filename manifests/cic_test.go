// Package manifests_test checks the shipped recipes the way
// `nfdataset validate` does (pipeline.Load, then pipeline.MakePlan).
package manifests_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/pipeline"
)

// cicFiles are the five captures as the current mirrors name them.
var cicFiles = []string{
	"Monday-WorkingHours.pcap",
	"Tuesday-WorkingHours.pcap",
	"Wednesday-workingHours.pcap",
	"Thursday-WorkingHours.pcap",
	"Friday-WorkingHours.pcap",
}

// validate runs what `nfdataset validate` runs, with CIC_IDS2017_DIR=dir.
func validate(t *testing.T, manifest, dir string) ([]string, error) {
	t.Helper()
	m, err := pipeline.Load(manifest)
	if err != nil && strings.Contains(err.Error(), "BPF filters are not supported yet") {
		t.Skipf("the pipeline does not compile BPF filters yet: %v", err)
	}
	if err != nil {
		return nil, err
	}
	lookup := func(k string) (string, bool) {
		if k == "CIC_IDS2017_DIR" {
			return dir, true
		}
		return os.LookupEnv(k)
	}
	plan, err := pipeline.MakePlan(context.Background(), m, pipeline.PlanOptions{LookupEnv: lookup, Output: t.TempDir()})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, j := range plan.Jobs {
		names = append(names, j.Name)
	}
	return names, nil
}

// placeholders writes a tiny valid pcap under each name.
func placeholders(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	hdr := []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), hdr, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCICManifestsValidate(t *testing.T) {
	for _, manifest := range []string{"cic.toml", "cic-nfstream.toml"} {
		t.Run(manifest, func(t *testing.T) {
			t.Run("all five", func(t *testing.T) {
				names, err := validate(t, manifest, placeholders(t, cicFiles...))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(cicFiles, names); diff != "" {
					t.Errorf("inputs (-want +got):\n%s", diff)
				}
			})
			t.Run("older Wednesday spelling", func(t *testing.T) {
				files := append([]string(nil), cicFiles...)
				files[2] = "Wednesday-WorkingHours.pcap"
				names, err := validate(t, manifest, placeholders(t, files...))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(files, names); diff != "" {
					t.Errorf("inputs (-want +got): the name found is recorded\n%s", diff)
				}
			})
			t.Run("Thursday missing", func(t *testing.T) {
				files := append(append([]string(nil), cicFiles[:3]...), cicFiles[4])
				_, err := validate(t, manifest, placeholders(t, files...))
				if err == nil || !strings.Contains(err.Error(), "Thursday-WorkingHours.pcap") {
					t.Fatalf("error %v does not name Thursday-WorkingHours.pcap", err)
				}
			})
		})
	}
}
