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

# Validate: octosync validate beside cue vet (v0.17.1, the version octosync
# embeds) on the same files, a generated configuration of VALIDATE_SPACES
# spaces (default 500) x (10 environments, 5 lifecycles, 50 projects with
# a 5-step process and 20 variables, 20 tenants), all from one template
# (schema/testdata/bench). Wall and user time and peak memory come from
# /usr/bin/time -v. cue vet holds the whole evaluated configuration (about
# 45 MB a space); where the machine has not that much memory free it runs
# on as many spaces as fit in a quarter of it, beside octosync on the same
# count, and octosync alone on the full count. Also the loader's Go
# benchmarks.
go test ./schema -run '^$' -bench . -benchmem -benchtime 2x | tee .bench/schema.txt
validate_bench() {
	spaces=${VALIDATE_SPACES:-500}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	GOBIN="$work/bin" GOFLAGS=-mod=mod go install cuelang.org/go/cmd/cue@v0.17.1
	config() { # config DIR SPACES: the benchmark configuration, vendored for cue
		mkdir -p "$1"
		cp schema/testdata/bench/config.cue "$1/"
		printf 'package bench\n\ncount: %s\n' "$2" >"$1/count.cue"
		bin/octosync schema vendor "$1" >/dev/null
	}
	measure() { # measure LABEL SPACES DIR COMMAND...: one line of the table, COMMAND run in DIR
		label=$1 n=$2 dir=$3
		shift 3
		(cd "$dir" && /usr/bin/time -v "$@" >/dev/null 2>"$work/time") || true
		awk -v label="$label" -v n="$n" '
			/Elapsed \(wall clock\)/ { split($NF, t, ":"); wall = (length(t) == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
			/User time/ { user = $NF }
			/Maximum resident set size/ { rss = $NF / 1024 }
			/Exit status/ { status = $NF }
			END { printf "%-20s %7d %9.1f %9.1f %11.0f %7s\n", label, n, wall, user, rss, status }' "$work/time"
	}
	avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
	cue_spaces=$spaces
	if [ $((spaces * 45)) -gt $((avail / 4)) ]; then
		cue_spaces=$((avail / 4 / 45))
	fi
	echo "validate: $(nproc) CPUs, $avail MiB available; $spaces spaces (cue vet on $cue_spaces)"
	printf '%-20s %7s %9s %9s %11s %7s\n' "command" "spaces" "wall (s)" "user (s)" "peak (MiB)" "exit"
	config "$work/small" "$cue_spaces"
	measure "cue vet -c" "$cue_spaces" "$work/small" "$work/bin/cue" vet -c .
	measure "octosync validate" "$cue_spaces" "$work/small" "$PWD/bin/octosync" validate .
	if [ "$cue_spaces" -ne "$spaces" ]; then
		config "$work/full" "$spaces"
		measure "octosync validate" "$spaces" "$work/full" "$PWD/bin/octosync" validate .
	fi
}
validate_bench | tee .bench/validate.txt

# Export: read an instance of 200 spaces x 50 resources (20 ms latency per
# request), write it as CUE and read the export back to check it: seconds
# for each part, the peak heap it adds, the size of the CUE. One run: it
# takes about half a minute.
go test ./cmd/octosync -run '^$' -bench 'Export200Spaces' -benchtime 1x | tee .bench/export.txt
