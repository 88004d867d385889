"""End-to-end: smear reads standard input and FFmpeg's lavfi device, and
writes nut, matroska, mpegts and yuv4mpegpipe to standard output, so that
it fits between other programs in a pipeline."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

CHAIN = "blur=sigma=2,shear=x=0.1"
PIPE_TIMEOUT = 300


def error_lines(stderr):
    text = stderr.decode("utf-8", "replace")
    return [line for line in text.splitlines() if "error" in line.lower()]


def to_stdout(c, fmt, extra=()):
    """smear ... -f fmt -: returns (status, stdout bytes, stderr bytes)."""
    p = e2e.smear(["-i", c.src, "-a", CHAIN] + list(extra) + ["-f", fmt, "-"],
                  timeout=PIPE_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def count_piped(c, data, what):
    """Video frames ffprobe decodes from data given on its standard input."""
    path = os.path.join(c.d, "probe-input")
    with open(path, "wb") as f:
        f.write(data)
    with open(path, "rb") as f:
        n = e2e.count_frames("-", stdin=f)
    with open(path, "rb") as f:
        info = e2e.ffprobe(["-show_entries", "stream=codec_type,codec_name,pix_fmt",
                            "-of", "compact=p=0", "-"], what=what, stdin=f)
    return n, info


def stdout_format(c, fmt, codec=None):
    extra = ["-c:v", codec] if codec else []
    label = " ".join(extra + ["-f", fmt, "-"])
    rc, out, err = to_stdout(c, fmt, extra)
    check(rc == 0, label + ": smear exits 0", 0, "%d (stderr: %s)" % (rc, e2e.tail(err)))
    check(len(out) > 0, label + ": something was written to standard output")
    n, info = count_piped(c, out, "reading smear's %s from a pipe" % fmt)
    check(n == c.frames, label + ": ffprobe reading the pipe counts every frame", c.frames, n)
    check("codec_type=audio" in info, label + ": the audio stream is there",
          "an audio stream", info.strip().replace("\n", "; "))
    if codec:
        name = {"libx264": "h264"}.get(codec, codec)
        check("codec_name=" + name in info, label + ": video codec " + name,
              name, info.strip().replace("\n", "; "))
    elif c.x264:
        check("codec_name=h264" in info, label + ": default video codec h264 (libx264)",
              "h264", info.strip().replace("\n", "; "))
    else:
        skip(label + ": default codec not checked (no libx264 encoder here)")


def y4m_check(c, out, label):
    n, info = count_piped(c, out, "reading smear's yuv4mpegpipe from a pipe")
    check(n == c.frames, label + ": every frame", c.frames, n)
    check("pix_fmt=yuv420p" in info, label + ": 4:2:0 input stays yuv420p", "yuv420p",
          info.strip())


def stdout_y4m(c):
    """yuv4mpegpipe holds one video stream and nothing else: with -an it works."""
    rc, out, err = to_stdout(c, "yuv4mpegpipe", ["-an"])
    label = "-an -f yuv4mpegpipe -"
    check(rc == 0, label + ": smear exits 0", 0, "%d (stderr: %s)" % (rc, e2e.tail(err)))
    y4m_check(c, out, label)


def stdout_y4m_audio(c):
    """... and from an input with audio, the audio is either left out, or
    refused with one clear error line that says how to leave it out (-an)."""
    rc, out, err = to_stdout(c, "yuv4mpegpipe")
    label = "-f yuv4mpegpipe - (input with audio)"
    lines = error_lines(err)
    check(rc == 0 or (len(lines) == 1 and "-an" in lines[0]),
          label + ": success, or one error line suggesting -an",
          "status 0, or one error line naming -an",
          "status %d, stderr: %s" % (rc, e2e.tail(err)))
    if rc == 0:
        y4m_check(c, out, label)


def stdin_chain(c):
    """ffmpeg ... -f nut - | smear -i - ... -f nut - | ffmpeg -i - ..."""
    gen = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error",
           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=2",
           "-map", "0:v", "-map", "1:a", "-c:v", "ffv1", "-c:a", "pcm_s16le", "-f", "nut"]
    # the same stream, kept in a file, is what the chain must match
    ref = os.path.join(c.d, "chain_in.nut")
    e2e.run(gen + ["-y", ref], timeout=PIPE_TIMEOUT)
    want = e2e.count_frames(ref)
    out = os.path.join(c.d, "chain_out.nut")
    p1 = subprocess.Popen(gen + ["-"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    p2 = subprocess.Popen([e2e.SMEAR, "-i", "-", "-a", CHAIN, "-f", "nut", "-"], stdin=p1.stdout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p1.stdout.close()
    p3 = subprocess.Popen(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y",
                           "-i", "pipe:0", "-map", "0", "-c", "copy", "-f", "nut", out],
                          stdin=p2.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    p2.stdout.close()
    try:
        err3 = p3.communicate(timeout=PIPE_TIMEOUT)[1]
        err2 = p2.stderr.read()
        p2.wait(timeout=PIPE_TIMEOUT)
        err1 = p1.stderr.read()
        p1.wait(timeout=PIPE_TIMEOUT)
    except subprocess.TimeoutExpired:
        for p in (p1, p2, p3):
            p.kill()
        e2e.fail("the ffmpeg | smear | ffmpeg chain did not end within %d s" % PIPE_TIMEOUT)
        return
    check(p1.returncode == 0, "stdin chain: the ffmpeg making the stream exits 0", 0,
          "%d (%s)" % (p1.returncode, e2e.tail(err1)))
    check(p2.returncode == 0, "stdin chain: smear -i - ... -f nut - exits 0", 0,
          "%d (%s)" % (p2.returncode, e2e.tail(err2)))
    check(p3.returncode == 0, "stdin chain: the ffmpeg reading smear's output exits 0", 0,
          "%d (%s)" % (p3.returncode, e2e.tail(err3)))
    n = e2e.count_frames(out)
    check(n == want, "stdin chain: frame count preserved", want, n)
    a_in, a_out = e2e.packet_list(ref, "a"), e2e.packet_list(out, "a")
    check([r[1:] for r in a_in] == [r[1:] for r in a_out] and a_in,
          "stdin chain: audio passed through bit-identical",
          "%d identical packets" % len(a_in), "%d packets, differing" % len(a_out))


def lavfi_input(c):
    """-f lavfi -i testsrc2=...: a generated input, not a live one; every
    frame it makes must reach the output."""
    src = "testsrc2=size=640x360:rate=25:duration=2"
    want = e2e.count_frames(src, extra=["-f", "lavfi"])
    out = os.path.join(c.d, "lavfi.mkv")
    e2e.smear_ok(["-f", "lavfi", "-i", src, "-a", CHAIN, out], "-f lavfi -i " + src)
    n = e2e.count_frames(out)
    check(n == want, "-f lavfi -i %s: every generated frame is in the output" % src, want, n)
    expect = e2e.frame_times(src, extra=["-f", "lavfi"])
    times = e2e.frame_times(out)
    bad = e2e.same_times(expect, times, 0.0011)
    check(len(times) == len(expect) and bad < 0, "-f lavfi: the source's timestamps",
          "%d frames at %s..." % (len(expect), expect[:4]),
          "%d frames, first wrong at frame %d: %s" % (len(times), bad,
                                                      times[bad] if bad >= 0 else "-"))



def main():
    c = e2e.start()
    c.x264 = e2e.have_encoder("libx264")
    c.src = e2e.make_clip(os.path.join(c.d, "in.mp4"), duration=2,
                          vcodec=("-c:v", "mpeg4", "-q:v", "3", "-bf", "2"))
    c.frames = e2e.count_frames(c.src)
    check(c.frames == 50, "input clip has 50 frames", 50, c.frames)
    for fmt in ("nut", "matroska", "mpegts"):
        e2e.part(stdout_format, c, fmt)
    if c.x264:
        e2e.part(stdout_format, c, "mpegts", "libx264")
    else:
        skip("mpegts with libx264: no libx264 encoder here")
    e2e.part(stdout_format, c, "mpegts", "mpeg2video")
    e2e.part(stdout_y4m, c)
    e2e.part(stdout_y4m_audio, c)
    e2e.part(stdin_chain, c)
    e2e.part(lavfi_input, c)
    e2e.finish()


if __name__ == "__main__":
    main()
