package objstore

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nfdataset/nfdataset/stages/objstore/objstoretest"
)

const sampleConfig = `# written by aws configure
[default]
region = us-west-2

[profile work]
region = eu-west-3
endpoint_url = http://10.0.0.5:9000
s3 =
  addressing_style = path
  region = ignored-nested

[plain]
region = ap-south-1
`

func TestProfileSettings(t *testing.T) {
	tests := []struct {
		profile string
		want    map[string]string
	}{
		{"default", map[string]string{"region": "us-west-2"}},
		{"work", map[string]string{"region": "eu-west-3", "endpoint_url": "http://10.0.0.5:9000", "s3": ""}},
		{"plain", map[string]string{"region": "ap-south-1"}},
		{"absent", map[string]string{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, profileSettings([]byte(sampleConfig), tt.profile)); diff != "" {
			t.Errorf("profile %s (-want +got):\n%s", tt.profile, diff)
		}
	}
}

func FuzzProfileSettings(f *testing.F) {
	f.Add([]byte(sampleConfig), "work")
	f.Add([]byte("[profile x\nregion=\n[]\n="), "x")
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		profileSettings(data, profile)
	})
}

// TestFromEnvConfigFile: the environment wins; what it leaves unset comes
// from the profile of the AWS config file.
func TestFromEnvConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, []byte(sampleConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  map[string]string
		want Config
	}{
		{map[string]string{}, Config{Region: "us-west-2"}},
		{map[string]string{"AWS_PROFILE": "work"}, Config{Endpoint: "http://10.0.0.5:9000", Region: "eu-west-3"}},
		{map[string]string{"AWS_PROFILE": "work", "AWS_REGION": "us-east-2"}, Config{Endpoint: "http://10.0.0.5:9000", Region: "us-east-2"}},
		{map[string]string{"AWS_PROFILE": "work", "AWS_ENDPOINT_URL": "http://e:1"}, Config{Endpoint: "http://e:1", Region: "eu-west-3"}},
	}
	for _, tt := range tests {
		tt.env["AWS_CONFIG_FILE"] = file
		got := FromEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("FromEnv(%v) (-want +got):\n%s", tt.env, diff)
		}
	}
}

// requireCreds refuses requests not signed with key or, when token is
// set, not carrying that session token: gofakes3 itself checks neither.
func requireCreds(key, token string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		inner := objstoretest.RequireKey(key)(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if token != "" && r.Header.Get("X-Amz-Security-Token") != token {
				http.Error(w, "missing session token", http.StatusForbidden)
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
}

// TestCredentialChain connects with no keys in Config, as nfdataset does,
// so credentials come from New's chain: first the AWS_* variables (with
// a session token), then a profile of the shared credentials file.
func TestCredentialChain(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, k := range []string{"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"} {
		t.Setenv(k, "")
	}
	list := func(t *testing.T, wrap func(http.Handler) http.Handler) error {
		srv := objstoretest.Start(t, []string{"nfdataset"}, wrap)
		t.Setenv("AWS_ENDPOINT_URL", srv.URL)
		s, err := New(FromEnv(os.LookupEnv))
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.List(context.Background(), URL{"nfdataset", ""})
		return err
	}

	t.Run("environment", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "env-key")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
		t.Setenv("AWS_SESSION_TOKEN", "env-token")
		t.Setenv("AWS_REGION", "us-east-1")
		if err := list(t, requireCreds("env-key", "env-token")); err != nil {
			t.Errorf("with the AWS_* variables: %v", err)
		}
		if err := list(t, requireCreds("other-key", "")); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
			t.Errorf("with keys the server refuses: %v, want a message naming AWS_ACCESS_KEY_ID", err)
		}
	})
	t.Run("profile", func(t *testing.T) {
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"} {
			t.Setenv(k, "")
		}
		os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
		creds := "[default]\naws_access_key_id = default-key\naws_secret_access_key = s\n\n[work]\naws_access_key_id = work-key\naws_secret_access_key = s\n"
		if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(creds), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile work]\nregion = us-east-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AWS_PROFILE", "work")
		if err := list(t, requireCreds("work-key", "")); err != nil {
			t.Errorf("with AWS_PROFILE=work from ~/.aws/credentials: %v", err)
		}
	})
}
