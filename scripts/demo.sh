#!/usr/bin/env bash
# make demo: octosync's main job on the built-in Octopus emulator, start to
# finish, narrated. Needs only the octosync binary (built by make) and curl.
#
#   validate -> plan -> apply -> plan ("No changes.")
#   -> a change made in Octopus outside git -> drift (exit 2) -> apply heals it
#   -> drift (clean) -> export the space to CUE -> plan the export ("No changes.")
set -euo pipefail

bin=${1:-bin/octosync}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
example=examples/managed-space
work=$(mktemp -d)
emulator_pid=

cleanup() {
	if [ -n "$emulator_pid" ]; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# run prints a command, runs it and checks its exit status.
run() {
	local want=$1
	shift
	printf '$ %s\n' "$*"
	set +e
	"$@"
	local got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "demo: expected exit status $want, got $got" >&2
		exit 1
	fi
}

say "Start the Octopus emulator (an Octopus-compatible server on loopback)"
export OCTOPUS_API_KEY=API-DEMO0000000000000000000000
"$bin" emulator --addr 127.0.0.1:0 --api-key "$OCTOPUS_API_KEY" 2>"$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 50); do
	grep -q '^listening on ' "$work/emulator.log" 2>/dev/null && break
	sleep 0.1
done
OCTOPUS_URL=$(sed -n 's/^listening on //p' "$work/emulator.log")
[ -n "$OCTOPUS_URL" ] || { echo "demo: the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
export OCTOPUS_URL
echo "emulator at $OCTOPUS_URL"

# The secrets the example references, as CI would provide them.
export ARTIFACTORY_TOKEN=demo-artifactory-token SLACK_WEBHOOK_URL=https://hooks.slack.example/demo DB_PASSWORD=demo-db-password
export OCTOSYNC_FINGERPRINT_KEY=demo-fingerprint-key

say "Validate the managed-space example: one template fanned out to three business units"
run 0 "$bin" validate "$example"

say "Plan: what apply would create in a fresh instance (summary)"
set +e
"$bin" plan "$example" >"$work/plan.txt"
code=$?
set -e
[ "$code" = 2 ] || { echo "demo: plan should report changes (exit 2), got $code" >&2; cat "$work/plan.txt"; exit 1; }
grep -E '^(Space|Instance) |^Plan:' "$work/plan.txt"

say "Apply it"
run 0 "$bin" apply "$example" --auto-approve >"$work/apply.txt"
sed -n '/^instance\|^space\|^Apply complete/p' "$work/apply.txt"

say "Plan again: apply then plan says No changes"
run 0 "$bin" plan "$example"

say "Someone edits the Production environment in the Octopus portal (outside git)"
api() { curl -fsS -H "X-Octopus-ApiKey: $OCTOPUS_API_KEY" "$@"; }
first_id() { grep -o "\"Id\":\"$1-[0-9]*\"" | head -n1 | cut -d'"' -f4; }
payments=$(api "$OCTOPUS_URL/api/spaces?name=payments" | first_id Spaces)
env_id=$(api "$OCTOPUS_URL/api/$payments/environments?name=Production" | first_id Environments)
doc=$(api "$OCTOPUS_URL/api/$payments/environments/$env_id")
edited=$(printf '%s' "$doc" | sed 's/"UseGuidedFailure":true/"UseGuidedFailure":false/')
printf '$ curl -X PUT %s/api/%s/environments/%s  (UseGuidedFailure: true -> false)\n' "$OCTOPUS_URL" "$payments" "$env_id"
api -X PUT -H 'Content-Type: application/json' --data "$edited" "$OCTOPUS_URL/api/$payments/environments/$env_id" >/dev/null

say "Drift (read-only): exit 2, naming the resource and the field changed outside git"
run 2 "$bin" drift "$example"

say "Apply heals it"
run 0 "$bin" apply "$example" --auto-approve

say "Drift again: clean"
run 0 "$bin" drift "$example"

say "Export the payments space back to CUE, as a team adopting an existing Octopus would"
run 0 "$bin" export --instance hub "$example" --space payments --out "$work/export"
sed -n '1,/^$/p;/^instances: hub: spaces: payments: {$/,/^\tenvironments: {$/p' "$work/export/spaces/payments.cue" | head -n 20
echo "..."

say "Plan the export: No changes. Octopus never returns secrets, so the export seeds them:"
echo "octosync keeps Octopus's values, even with placeholders in the variables it lists"
while IFS= read -r name; do
	export "$name=placeholder"
done < <(sed -n 's/^\(OCTOPUS_SECRET_[A-Z0-9_]*\)=$/\1/p' "$work/export/secrets.env.example")
run 0 "$bin" validate "$work/export"
run 0 "$bin" plan "$work/export"

say "Done: validate, plan, apply, No changes, drift, heal, clean, export, No changes."
