#!/usr/bin/env bash
# bench/micro.sh — eventmpm's micro-benchmarks (issue 6) into BENCHMARKS.md.
#
# Runs `go test -p 1 -run '^$' -bench . -benchmem ./...` in the main module
# (the same command as `make bench`), keeps the raw output in bench/out/, and
# writes a table (package, benchmark, ns/op, B/op, allocs/op) into
# BENCHMARKS.md between the bench-micro markers.
#
# Settings (environment):
#   BENCH=.            -bench pattern
#   BENCHTIME=         -benchtime (go's default 1s when empty)
#   COUNT=1            -count
#   PKGS=./...         packages
#   WRITE_MD=1         0: only print the table
set -euo pipefail

BENCH_RE=${BENCH:-.}
BENCHTIME=${BENCHTIME:-}
COUNT=${COUNT:-1}
PKGS=${PKGS:-./...}
WRITE_MD=${WRITE_MD:-1}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$REPO/bench/out
RAW=$OUT/micro-$STAMP.txt
TMP=$(mktemp -d /tmp/eventmpm-micro.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

mkdir -p "$OUT"
(cd "$REPO/bench/tools" && go build -o "$TMP/benchtool" .)

# -p 1: one package's benchmarks at a time. go test otherwise runs a
# package per CPU, and on a 2-core machine two packages' benchmarks then
# share the cores and distort each other (times up to twice as long).
args=(test -p 1 -run '^$' -bench "$BENCH_RE" -benchmem -count "$COUNT")
[ -z "$BENCHTIME" ] || args+=(-benchtime "$BENCHTIME")
echo "== go ${args[*]} $PKGS (raw output: ${RAW#"$REPO"/})" >&2
# A failing package must not stop the table: its failure is listed under it.
status=0
(cd "$REPO" && go "${args[@]}" "$PKGS") 2>&1 | tee "$RAW" >&2 || status=$?

{
  echo "## Micro-benchmarks (\`make bench\`)"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- . 2>/dev/null || echo ' with uncommitted changes')"
  echo "- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(go version | awk '{ print $3 }')"
  echo "- Command: \`go test -p 1 -run '^\$' -bench $BENCH_RE -benchmem -count $COUNT${BENCHTIME:+ -benchtime $BENCHTIME} $PKGS\` (bench/micro.sh)"
  echo
  "$TMP/benchtool" micro "$RAW"
} >"$TMP/section.md"

if [ "$WRITE_MD" = 1 ]; then
  "$TMP/benchtool" splice "$REPO/BENCHMARKS.md" bench-micro <"$TMP/section.md"
  echo "== wrote BENCHMARKS.md (section bench-micro)" >&2
else
  cat "$TMP/section.md"
fi
exit "$status"
