#!/bin/sh
# From a fresh Debian machine: install what is needed, build smear, and run
# every test: unit and end-to-end tests in a release build, the same again
# with AddressSanitizer and UndefinedBehaviorSanitizer, and the fuzzers for
# a bounded time. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

./scripts/install-deps.sh test || exit 1

status=0
logs=""

run_suite() { # name, build dir, test suite (or ""), meson setup options...
    name=$1 dir=$2 suite=$3
    shift 3
    echo "== $name"
    if [ ! -d "$dir" ]; then
        meson setup "$dir" "$@" >/dev/null || { echo "$name: meson setup failed"; status=1; return; }
    fi
    ninja -C "$dir" >/dev/null || { echo "$name: build failed"; status=1; return; }
    meson test -C "$dir" --print-errorlogs --num-processes 2 ${suite:+--suite "$suite"} || status=1
    logs="$logs $dir/meson-logs/testlog.json"
}

run_suite "release build" build-test "" --buildtype=release
run_suite "sanitizers (ASan + UBSan)" build-asan "" --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false

if command -v clang >/dev/null 2>&1; then
    CC=clang run_suite "fuzzers (libFuzzer, ASan + UBSan, ${FUZZ_SECONDS:-60} s each)" build-fuzz fuzz \
        --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
        -Dfuzzing=true -Dfuzz_seconds="${FUZZ_SECONDS:-60}" -Dtests=true
else
    echo "fuzzers: clang is missing, not run"
    status=1
fi

# shellcheck disable=SC2086
python3 scripts/test-summary.py $logs || status=1
exit $status
