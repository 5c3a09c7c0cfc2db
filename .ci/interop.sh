#!/usr/bin/env bash
# The vendors' own clients against the generated servers on loopback:
# the official Fireblocks Python SDK calls resetDevice (signed, with and
# without an idempotency key, the same key twice), and the Frodo library
# reads a user's devices from the Ping server with a bearer token and with
# the session cookie. Both are installed here at pinned versions
# (tests/interop/requirements.txt, tests/interop/package-lock.json) under
# target/interop/; the server is `serve_interop` (tests/src/bin), which
# records what the implementation received; the drivers in tests/interop/
# assert it. Needs python3 with venv and node with npm (installed from apt
# when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

work=target/interop
venv=$work/python
node_dir=$work/node

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3 python3-venv
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi

# Reinstall only when the pins change.
mkdir -p "$work"
if ! cmp -s tests/interop/requirements.txt "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
    cp tests/interop/requirements.txt "$venv/requirements.txt"
fi
if ! cmp -s tests/interop/package-lock.json "$node_dir/package-lock.json"; then
    rm -rf "$node_dir"
    mkdir -p "$node_dir"
    cp tests/interop/package.json tests/interop/package-lock.json "$node_dir/"
    (cd "$node_dir" && npm ci --silent --no-audit --no-fund)
fi

cargo build --quiet -p mfa-tests --bin serve_interop
server="${CARGO_TARGET_DIR:-target}/debug/serve_interop"

log=$work/serve_interop.log
"$server" 127.0.0.1:0 >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
addr=
for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on //p' "$log")
    if [ -n "$addr" ]; then break; fi
    sleep 0.1
done
if [ -z "$addr" ]; then
    echo "serve_interop did not start:" >&2
    cat "$log" >&2
    exit 1
fi
base="http://$addr"

status=0
echo "--- Fireblocks: the official Python SDK"
"$venv/bin/python" tests/interop/fireblocks_sdk.py "$base" runtime/tests/keys/fireblocks-test-private.pem || status=1
echo "--- Ping: the Frodo library"
NODE_PATH="$node_dir/node_modules" node tests/interop/frodo.js "$base" || status=1
exit "$status"
