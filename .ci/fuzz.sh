#!/usr/bin/env bash
# A bounded, reproducible fuzz run of the generator: each target in fuzz/
# runs a fixed number of inputs from a fixed seed, starting from a scratch
# copy of specs/ and tests/fixtures/ (libFuzzer adds to its corpus
# directory, and the repository must stay clean). Any crash, timeout
# (an input taking over 10 s), out-of-memory or stack overflow fails CI and
# leaves the input in target/fuzz-artifacts/. The seed and run count fix the
# mutation sequence; the inputs tried can still differ a little between runs,
# because coverage feedback depends on std HashMap iteration order in the
# loader (randomised per process), so a failing input is always kept.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${FUZZ_RUNS:-20000}
SEED=${FUZZ_SEED:-1}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes nightly-only flags; RUSTC_BOOTSTRAP lets the stable
# toolchain take them. No sanitizer: the generator is safe Rust, and
# libFuzzer still catches panics, timeouts, OOM and stack overflow.
(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build -s none)

bin=fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release
artifacts=target/fuzz-artifacts
mkdir -p "$artifacts"
for target in generate structured; do
    corpus=target/fuzz-corpus/$target
    rm -rf "$corpus"
    mkdir -p "$corpus"
    find specs tests/fixtures -type f \( -name '*.yaml' -o -name '*.json' \) -exec cp {} "$corpus/" \;
    dict=()
    if [ "$target" = generate ]; then dict=(-dict=fuzz/openapi.dict); fi
    echo "--- $target: $RUNS runs, seed $SEED"
    "$bin/$target" "$corpus" "${dict[@]}" \
        -seed="$SEED" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
        >"target/fuzz-$target.log" 2>&1 || {
        tail -n 60 "target/fuzz-$target.log"
        echo "fuzz target $target failed; the input is in $artifacts/" >&2
        exit 1
    }
    grep -E "^Done|stat::number_of_executed_units" "target/fuzz-$target.log"
done
