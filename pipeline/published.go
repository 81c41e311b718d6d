package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// httpClient fetches published datasets; tests replace it with their TLS
// server's client.
var httpClient = &http.Client{Timeout: 2 * time.Minute}

// maxPublishedFile bounds what is read of a published dataset.json or
// manifest.json: both are small, and a URL is not trusted to be.
const maxPublishedFile = 64 << 20

// IsURL reports whether ref names a published dataset by https:// URL.
func IsURL(ref string) bool { return strings.HasPrefix(ref, "https://") }

// ReadPublishedFile reads name (dataset.json or manifest.json) of a
// published dataset: ref is its directory, its dataset.json, or an
// https:// URL of either.
func ReadPublishedFile(ctx context.Context, ref, name string) ([]byte, error) {
	if IsURL(ref) {
		u := ref
		if strings.HasSuffix(u, "/"+ProvenanceFile) {
			u = strings.TrimSuffix(u, ProvenanceFile)
		} else if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		u += name
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: %s", u, resp.Status)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxPublishedFile+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		if len(b) > maxPublishedFile {
			return nil, fmt.Errorf("%s: larger than %d bytes", u, maxPublishedFile)
		}
		return b, nil
	}
	dir := ref
	if info, err := os.Stat(ref); err == nil && !info.IsDir() {
		dir = filepath.Dir(ref)
	}
	return os.ReadFile(filepath.Join(dir, name))
}

// ReadPublished reads a published dataset.json (see ReadPublishedFile).
func ReadPublished(ctx context.Context, ref string) (*Provenance, error) {
	b, err := ReadPublishedFile(ctx, ref, ProvenanceFile)
	if err != nil {
		return nil, err
	}
	return parseProvenance(ref, b)
}

func parseProvenance(path string, b []byte) (*Provenance, error) {
	var p Provenance
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Format != FormatName {
		return nil, fmt.Errorf("%s: not an nfdataset dataset.json (format %q)", path, p.Format)
	}
	return &p, nil
}
