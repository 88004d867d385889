#!/bin/sh
# From a fresh Debian machine: install what is needed, build smear, and run
# the main job on the bundled sample: blur and shear every frame of a clip
# with an audio track, re-encode the video, copy the audio.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh build
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null

out=${1:-smear-demo.mp4}
./build/src/smear -i build/samples/sample.mp4 \
    -a 'blur=sigma=2.5,shear=x=0.12' -y "$out"
echo "demo: wrote $out (blurred and sheared; audio copied)"
ffprobe -v error -show_entries stream=codec_type,codec_name,width,height,nb_frames,duration \
    -of compact=p=0 "$out"
