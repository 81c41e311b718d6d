# One command runs every test, Go and Python: `make test`.
# .ci/run installs what these targets need, then runs `make test`.
.PHONY: test test-go test-python demo

test: test-go test-python

test-go:
	go test ./...

# The Python package (issue #10): python/Makefile builds the Go command from
# this checkout and runs pytest over python/tests (NFStream 6.6.0 as oracle).
test-python:
	@if [ -d python/tests ]; then $(MAKE) -s -C python test; else echo "no python/tests yet"; fi

demo:
	go run ./cmd/nfdataset build manifests/quickstart.toml
