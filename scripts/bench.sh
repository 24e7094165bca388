#!/bin/sh
# make bench: the benchmarks of every package that has them. Each package
# appends its own invocation below; results also go to .bench/<name>.txt.
# BENCHTIME (default 1s) sets how long each benchmark runs.
set -eu
cd "$(dirname "$0")/.."
BENCHTIME=${BENCHTIME:-1s}
mkdir -p .bench

# The Octopus emulator: list (a page, /all) and get throughput in a space of
# 1,000 projects, and the heap of 500 spaces x 50 environments.
go test ./octopus/emulator -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" | tee .bench/emulator.txt

# Plan and apply across 200 spaces x 50 resources with 20 ms latency per
# request: requests against the minimum (one list per kind per space plus
# each project's documents), wall time against the floor (requests x
# latency / parallelism), heap. One run each: they take about a minute.
go test ./reconcile -run '^$' -bench '200Spaces' -benchtime 1x | tee .bench/reconcile.txt
