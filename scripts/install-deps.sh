#!/bin/sh
# Installs what smear needs on Debian 12 (or a close relative), with
# apt-get. "build" installs what the build and the demo need; "test" adds
# what the test suite uses (clang for the fuzzers, valgrind).
set -eu

what=${1:-build}
build_pkgs="gcc libc6-dev pkg-config meson ninja-build python3 ffmpeg
    libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libavutil-dev
    libavdevice-dev"
test_pkgs="clang libclang-rt-dev valgrind procps"

case "$what" in
    build) pkgs=$build_pkgs ;;
    test) pkgs="$build_pkgs $test_pkgs" ;;
    *) echo "usage: $0 [build|test]" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "install-deps: need root (or sudo) to install:$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing"
$as_root apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
