package objstoretest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Keys are the credentials the fake server is started with. gofakes3
// does not check signatures, so a test of bad credentials needs the
// Server's wrap to refuse them (see RequireKey).
const (
	AccessKey = "test"
	SecretKey = "test-secret"
	Region    = "us-east-1"
)

// Server is a running fake S3 endpoint.
type Server struct {
	URL string // http://127.0.0.1:PORT
	srv *httptest.Server
}

// Start serves an in-memory S3 with the given buckets until the test
// ends. wrap, when not nil, sees every request before the fake server
// does (to fail the Nth PUT, say).
func Start(t testing.TB, buckets []string, wrap func(http.Handler) http.Handler) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	var h http.Handler = dechunkParts(gofakes3.New(backend).Server())
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL, srv: srv}
}

// Env is the environment that points the AWS tools' variables at s.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":      s.URL,
		"AWS_REGION":            Region,
		"AWS_ACCESS_KEY_ID":     AccessKey,
		"AWS_SECRET_ACCESS_KEY": SecretKey,
	}
}

// RequireKey refuses, as S3 does (403 InvalidAccessKeyId), every request
// not signed with the access key id key: gofakes3 accepts any signature.
func RequireKey(key string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Authorization"), "Credential="+key+"/") {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// dechunkParts decodes the aws-chunked body (SigV4 streaming signature)
// of multipart part uploads, which minio-go sends over plain http and
// gofakes3 v1.2.0 decodes for single PUTs only (it would store the chunk
// framing as the part's bytes). Real S3 and MinIO decode both.
func dechunkParts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Query().Get("partNumber") == "" ||
			!strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
			h.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out []byte
		for len(body) > 0 {
			line, rest, ok := bytes.Cut(body, []byte("\r\n"))
			size, _, _ := bytes.Cut(line, []byte(";"))
			n, err := strconv.ParseInt(string(size), 16, 64)
			if !ok || err != nil || int64(len(rest)) < n {
				http.Error(w, "bad aws-chunked body", http.StatusBadRequest)
				return
			}
			if n == 0 {
				break
			}
			out = append(out, rest[:n]...)
			body = bytes.TrimPrefix(rest[n:], []byte("\r\n"))
		}
		r.Body = io.NopCloser(bytes.NewReader(out))
		r.ContentLength = int64(len(out))
		r.Header.Set("Content-Length", strconv.Itoa(len(out)))
		r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		h.ServeHTTP(w, r)
	})
}
