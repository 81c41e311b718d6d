# One command runs every test, Go and Python: `make test`.
# .ci/run installs what these targets need, then runs `make test`.
.PHONY: test test-go test-python demo

test: test-go test-python

test-go:
	go test ./...

# Filled in by the Python API (issue #10): installs ./python and runs pytest.
test-python:
	@if [ -d python/tests ]; then $(MAKE) -s -C python test; else echo "no python/tests yet"; fi

demo:
	go run ./cmd/nfdataset build manifests/quickstart.toml
