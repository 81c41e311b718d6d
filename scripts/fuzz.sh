#!/usr/bin/env bash
# Runs every Go fuzz target of the repository, one after another, each for
# the same duration. Targets are discovered with `go test -list`, so a new
# Fuzz* function in any package is picked up without editing this script.
#
# Usage: scripts/fuzz.sh [DURATION] [PACKAGES...]
#   DURATION  any -fuzztime value: 60s (default), 5m, 10000x
#   PACKAGES  package patterns to search (default ./...)
# Environment:
#   FUZZ_PARALLEL  fuzzing workers per target (default: go test's, GOMAXPROCS)
#   FUZZ_LIST=1    only print the targets found, one "package target" a line
#
# A crash stops that target; go test stores the input under the package's
# testdata/fuzz/<Target>/ (commit it: plain `go test` then replays it) and
# this script goes on with the next target, exiting 1 at the end. The last
# lines printed are rows for the log table in docs/fuzzing.md.
set -uo pipefail

duration="${1:-60s}"
shift || true
if [[ ! $duration =~ ^[0-9] ]]; then
	echo "usage: scripts/fuzz.sh [DURATION] [PACKAGES...]  (DURATION like 60s, 5m, 10000x)" >&2
	exit 2
fi
packages=("$@")
if [ ${#packages[@]} -eq 0 ]; then
	packages=(./...)
fi
cd "$(dirname "$0")/.." || exit 2

parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi

# `go test -list` prints each package's matching names, then a line
# "ok <package> <time>" (or "?"/"FAIL" for packages without tests or that
# do not build). Collect "package target" pairs from that.
list_output=$(go test -list '^Fuzz' "${packages[@]}" 2>&1)
targets=()
pending=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*)
		pending+=("$line")
		;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for name in "${pending[@]}"; do
			targets+=("$pkg $name")
		done
		pending=()
		;;
	FAIL?*) # "FAIL <package> [build failed]"; a bare "FAIL" ends the listing
		echo "fuzz.sh: skipping a package whose tests do not build: $line" >&2
		pending=()
		;;
	*)
		pending=()
		;;
	esac
done <<<"$list_output"

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets found in ${packages[*]}" >&2
	exit 1
fi

if [ "${FUZZ_LIST:-}" = 1 ]; then
	printf '%s\n' "${targets[@]}"
	exit 0
fi

today=$(date -u +%Y-%m-%d)
rows=()
failed=0
for entry in "${targets[@]}"; do
	read -r pkg name <<<"$entry"
	echo "== $pkg $name for $duration"
	log=$(mktemp)
	if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" "${parallel[@]}" 2>&1 | tee "$log"; then
		result="none"
	elif grep -q 'Failing input written to' "$log"; then
		result="CRASH: $(grep -o 'testdata/fuzz/[^ ]*' "$log" | head -1)"
		failed=1
	else
		result="FAILED to run (build error?)"
		failed=1
	fi
	rm -f "$log"
	rows+=("| \`${pkg#github.com/nfdataset/nfdataset/}.$name\` | $duration | $today | $result |")
done

echo
echo "Rows for docs/fuzzing.md:"
printf '%s\n' "${rows[@]}"
exit $failed
