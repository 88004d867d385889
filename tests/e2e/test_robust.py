"""End-to-end: hardening. smear reads untrusted media and runs on full
disks and closed pipes; it must not crash, hang, write garbage or lose what
it already wrote.

- Damaged media made here: clips cut at random byte offsets (an MP4 whose
  header announces frames that are not there among them), bytes flipped in
  the middle of the packets, a raw y4m whose header lies about the frame
  size. smear decodes what it can, says so once per kind of damage (no
  line of its stderr repeats another but for numbers), writes a valid
  output and exits 0 (nothing noticed) or 3 (damage skipped).
- A stream whose frame size and pixel format change mid-way (two MPEG-TS
  clips concatenated): every frame comes out, in the first part's size,
  and the frames after the change show the second clip, not garbage.
- Extreme frames and parameters: 1x1, 2x2, 3x7, 17x9 and 8192x4320 frames;
  blurs, disks and paths far larger than the frame, a shear of 10, a
  motion of length 0. A flat grey frame stays the same grey under every
  one (finite and correct); a pattern stays within its own range.
- Resource faults: a full disk (a 1 MiB tmpfs), a read-only file system, a
  standard output that is closed or whose reader leaves: one clear error
  line (or a clean stop for a reader that leaves), and what was written
  before stays readable.

The missing folder, an existing output without -y and a file size limit
are in test_errors.py.
"""

import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

OK, FAILED, DAMAGED = 0, 1, 3


def error_lines(stderr):
    text = stderr.decode("utf-8", "replace")
    return [line for line in text.splitlines() if "error" in line.lower()]


def kind(line):
    """A message without its numbers: two lines of one kind compare equal."""
    return "".join("#" if ch.isdigit() else ch for ch in line)


def check_run(p, label, statuses):
    """Ends as documented (one of statuses), never by a signal or a
    sanitizer report, and reports each kind of problem once."""
    check(p.returncode in statuses, label + ": exit status in %s" % (statuses,), statuses,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    text = p.stderr.decode("utf-8", "replace")
    check("Sanitizer" not in text and "runtime error" not in text,
          label + ": no sanitizer report", "none", e2e.tail(text))
    lines = [line for line in text.splitlines() if line.strip() and "seed" not in line]
    kinds = [kind(line) for line in lines]
    repeated = sorted({k for k in kinds if kinds.count(k) > 1})
    check(not repeated, label + ": each kind of problem reported once", "no repeated line",
          "; ".join(repeated[:3]))


def frames_of(path):
    n = e2e.count_frames(path)
    return n if n is not None else 0


# ------------------------------------------------------------- damaged media

def damaged_clips(c):
    x264 = e2e.have_encoder("libx264")
    kinds = [("ts", ("-c:v", "mpeg2video", "-q:v", "4"), ("-c:a", "mp2")),
             ("mkv", ("-c:v", "ffv1"), ("-c:a", "flac"))]
    if x264:
        # the index at the front: cut, it announces frames that are not there
        kinds.append(("mp4", ("-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart"),
                      ("-c:a", "aac")))
    else:
        skip("a cut MP4 with its index at the front: no libx264 here")
    rng = random.Random(20261125)
    for ext, vcodec, acodec in kinds:
        src = e2e.make_clip(os.path.join(c.d, "whole." + ext), duration=3, vcodec=vcodec,
                            acodec=acodec)
        data = open(src, "rb").read()
        total = frames_of(src)
        variants = []
        for k in range(3):
            at = rng.randrange(len(data) // 5, len(data) * 9 // 10)
            variants.append(("cut at byte %d" % at, data[:at]))
        flipped = bytearray(data)
        for _ in range(60):
            flipped[rng.randrange(len(data) // 4, len(data))] ^= 1 << rng.randrange(8)
        variants.append(("60 bits flipped", bytes(flipped)))
        for what, blob in variants:
            label = "%s %s" % (ext, what)
            bad = os.path.join(c.d, "bad." + ext)
            with open(bad, "wb") as f:
                f.write(blob)
            out = os.path.join(c.d, "bad_out.mkv")
            p = e2e.smear(["-i", bad, "-a", "blur=sigma=1.5,shear=x=0.1", "-c:v", "ffv1", "-y",
                           out], timeout=240)
            if p.returncode == FAILED:
                # only when nothing at all could be decoded
                lines = error_lines(p.stderr)
                check(len(lines) == 1 and "no video frame" in lines[0],
                      label + ": fails only when no frame decodes, with one error line",
                      "one 'no video frame' line", e2e.tail(p.stderr))
                continue
            check_run(p, label, (OK, DAMAGED))
            n = frames_of(out)
            check(0 < n <= total, label + ": a valid output with the decodable frames",
                  "1..%d frames" % total, n)
            os.unlink(out)


def late_start(c):
    """A Matroska file whose video starts 3 s after its audio: its track's
    DURATION tag is where the video ends, not how long it lasts. Whole, it
    is not taken for damaged; cut, it is."""
    src = os.path.join(c.d, "late.mkv")
    e2e.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=4", "-f", "lavfi",
                "-i", "sine=duration=4", "-vf", "setpts=PTS+3/TB", "-c:v", "ffv1", "-c:a", "flac",
                src], what="making a Matroska file whose video starts late")
    out = os.path.join(c.d, "late_out.mkv")
    p = e2e.smear(["-i", src, "-a", "blur=sigma=1", "-c:v", "ffv1", "-y", out], timeout=120)
    check_run(p, "video starting 3 s late, whole", (OK,))
    check(frames_of(out) == 100, "video starting 3 s late, whole: every frame written", 100,
          frames_of(out))
    data = open(src, "rb").read()
    cut = os.path.join(c.d, "late_cut.mkv")
    with open(cut, "wb") as f:
        f.write(data[:len(data) * 6 // 10])
    p = e2e.smear(["-i", cut, "-a", "blur=sigma=1", "-c:v", "ffv1", "-y", out], timeout=120)
    check_run(p, "video starting 3 s late, cut at 60 %", (DAMAGED,))


def lying_header(c):
    """A y4m whose header says 320x240 over frames of 160x120."""
    path = os.path.join(c.d, "lying.y4m")
    frame = bytes((i * 7) % 251 for i in range(160 * 120 * 3 // 2))
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W320 H240 F25:1 Ip A1:1 C420jpeg\n")
        for _ in range(20):
            f.write(b"FRAME\n" + frame)
    out = os.path.join(c.d, "lying_out.mkv")
    p = e2e.smear(["-i", path, "-a", "blur=sigma=1", "-c:v", "ffv1", out], timeout=120)
    check_run(p, "y4m with a lying header", (DAMAGED,))
    check(os.path.exists(out) and frames_of(out) >= 1,
          "y4m with a lying header: the frames that could be read are written", ">= 1 frame",
          frames_of(out) if os.path.exists(out) else "no file")


# ------------------------------------------------------- changes mid-stream

def mean_rgb(path, index, size):
    w, h = size
    raw = e2e.run(["ffmpeg", "-v", "error", "-i", path, "-vf", "select=eq(n\\,%d)" % index,
                   "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout
    if len(raw) != w * h * 3:
        return None
    return [sum(raw[k::3]) / (w * h) for k in range(3)]


def size_change(c):
    colour = (0x30, 0x50, 0xa0)
    a = e2e.make_clip(os.path.join(c.d, "a.ts"), duration=2, audio=False,
                      vcodec=("-c:v", "mpeg2video", "-q:v", "2"))
    b = e2e.make_clip(os.path.join(c.d, "b.ts"), video="color=c=0x%02x%02x%02x" % colour,
                      size="176x144", duration=2, pix_fmt="yuv422p", audio=False,
                      vcodec=("-c:v", "mpeg2video", "-q:v", "2"))
    ab = os.path.join(c.d, "ab.ts")
    with open(ab, "wb") as f:
        for part_path in (a, b):
            f.write(open(part_path, "rb").read())
    total = frames_of(ab)
    out = os.path.join(c.d, "ab_out.mkv")
    p = e2e.smear(["-i", ab, "-a", "blur=sigma=1", "-c:v", "ffv1", out], timeout=240)
    check_run(p, "size and format change mid-stream", (OK, DAMAGED))
    v = e2e.video_stream(e2e.probe(out))
    check((v["width"], v["height"]) == (320, 240), "size change: the output keeps the first size",
          (320, 240), (v["width"], v["height"]))
    n = frames_of(out)
    check(n == total, "size change: every frame of both parts comes out", total, n)
    first = mean_rgb(out, 0, (320, 240))
    last = mean_rgb(out, n - 1, (320, 240))
    check(last is not None and all(abs(last[k] - colour[k]) <= 6 for k in range(3)),
          "size change: frames after the change show the second clip (its colour)", colour, last)
    check(first is not None and any(abs(first[k] - colour[k]) > 20 for k in range(3)),
          "size change: frames before it show the first clip", "not the colour", first)


# -------------------------------------------------------- extreme frames

CHAINS = ["blur=sigma=100", "blur=sigma_x=40:sigma_y=0.3:angle=30", "box=w=99:h=3",
          "defocus=radius=50", "motion=length=40:angle=30", "motion=length=0",
          "shear=x=10", "shear=x=-3:y=2", "affine=rotate=45:scale=0.2",
          "blur=sigma=3,defocus=radius=4:soft=1,motion=length=9:angle=100,shear=x=0.3"]


def gray_bytes(path, w, h):
    return e2e.run(["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray",
                    "-"]).stdout


def tiny_frames(c):
    for w, h in ((1, 1), (2, 2), (3, 7), (17, 9)):
        flat = os.path.join(c.d, "flat_%dx%d.nut" % (w, h))
        # made larger and scaled down: the sources refuse odd 4:2:0 sizes
        e2e.ffmpeg(["-f", "lavfi", "-i", "color=c=0x6a6a6a:size=32x32:rate=10:duration=0.5,"
                    "scale=%d:%d,format=yuv420p" % (w, h), "-c:v", "rawvideo", "-y", flat])
        want = gray_bytes(flat, w, h)
        pattern = os.path.join(c.d, "pattern_%dx%d.nut" % (w, h))
        e2e.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10:duration=0.5,"
                    "scale=%d:%d,format=yuv420p" % (w, h), "-c:v", "rawvideo", "-y", pattern])
        lo, hi = min(gray_bytes(pattern, w, h)), max(gray_bytes(pattern, w, h))
        for chain in CHAINS:
            label = "%dx%d, %s" % (w, h, chain)
            out = os.path.join(c.d, "tiny_out.nut")
            p = e2e.smear(["-i", flat, "-a", chain, "-c:v", "rawvideo", "-y", out], timeout=60)
            check(p.returncode == OK, label + ": exit status 0", OK,
                  "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
            got = gray_bytes(out, w, h)
            check(len(got) == len(want) and max(abs(x - y) for x, y in zip(got, want)) <= 1,
                  label + ": a flat frame stays flat (same grey, every frame)",
                  "%d bytes of %d" % (len(want), want[0]),
                  "%d bytes, values %s" % (len(got), sorted(set(got))[:5]))
            if "rotate" in chain or "y=2" in chain:
                continue  # interpolation of a pattern may reach a little past its range
            p = e2e.smear(["-i", pattern, "-a", chain, "-c:v", "rawvideo", "-y", out], timeout=60)
            got = gray_bytes(out, w, h)
            check(p.returncode == OK and got and lo <= min(got) and max(got) <= hi,
                  label + ": a pattern stays within its own range", "%d..%d" % (lo, hi),
                  "%s (status %d)" % ("%d..%d" % (min(got), max(got)) if got else "nothing",
                                      p.returncode))


def huge_frame(c):
    w, h = 8192, 4320
    src = os.path.join(c.d, "huge.nut")
    e2e.ffmpeg(["-f", "lavfi", "-i", "color=c=0x6a6a6a:size=%dx%d:rate=5:duration=0.4" % (w, h),
                "-pix_fmt", "yuv420p", "-c:v", "rawvideo", "-y", src], timeout=300)
    out = os.path.join(c.d, "huge_out.nut")
    p = e2e.smear(["-i", src, "-a", "blur=sigma=3,defocus=radius=5,shear=x=0.1", "-c:v",
                   "rawvideo", out], timeout=600)
    check(p.returncode == OK, "8192x4320: exit status 0", OK,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    v = e2e.video_stream(e2e.probe(out))
    check((v["width"], v["height"]) == (w, h), "8192x4320: the size is kept", (w, h),
          (v["width"], v["height"]))
    got = gray_bytes(out, w, h)
    want = gray_bytes(src, w, h)
    check(len(got) == len(want) == 2 * w * h and min(got) >= want[0] - 1 and max(got) <= want[0] + 1,
          "8192x4320: both frames, flat grey stays flat", "%d bytes of %d" % (2 * w * h, want[0]),
          "%d bytes in %s..%s" % (len(got), min(got) if got else "-", max(got) if got else "-"))
    os.unlink(src)
    os.unlink(out)


# -------------------------------------------------------- resource faults

def full_disk(c):
    with e2e.tmpfs(os.path.join(c.d, "full"), "size=1m") as mounted:
        if not mounted:
            skip("a full disk: cannot mount a small tmpfs here (needs root)")
            return
        out = os.path.join(c.d, "full", "out.mkv")
        p = e2e.smear(["-i", c.noisy, "-a", "blur=sigma=1", "-c:v", "ffv1", out], timeout=240)
        check(p.returncode == FAILED, "full disk: exit status 1", FAILED,
              "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
        lines = error_lines(p.stderr)
        check(len(lines) == 1 and "out.mkv" in lines[0] and "space" in lines[0].lower(),
              "full disk: one error line naming the output and the lack of space",
              "one line with out.mkv and 'space'", e2e.tail(p.stderr))
        check(not os.path.exists(out), "full disk: nothing under the output's name", "absent",
              "present")
        partial = out + ".partial"
        n = frames_of(partial) if os.path.exists(partial) else 0
        check(n > 0, "full disk: the frames written before stay readable in the .partial file",
              "> 0 frames", n)
        os.unlink(partial)
        # an MP4 cut short has no index and does not play: the warning says
        # so and how to avoid it; asked for in fragments, it plays
        for i, opts in enumerate(([], ["-movflags", "+frag_keyframe+empty_moov"],
                                  ["-frag_size", "50000"])):
            frag = bool(opts)
            out = os.path.join(c.d, "full", "out%d.mp4" % i)
            p = e2e.smear(["-i", c.noisy, "-a", "blur=sigma=1", "-c:v", "mpeg4", "-q:v", "1"] +
                          opts + [out], timeout=240)
            said = p.stderr.decode("utf-8", "replace")
            how = " in fragments (%s)" % " ".join(opts) if frag else ""
            check(p.returncode == FAILED and len(error_lines(p.stderr)) == 1,
                  "full disk, mp4%s: exit status 1, one error line" % how,
                  "1 and one line", "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
            partial = out + ".partial"
            if frag:
                n = frames_of(partial) if os.path.exists(partial) else 0
                check(n > 0, "full disk, mp4%s: the .partial file plays" % how, "> 0 frames", n)
                check("-movflags" not in said, "full disk, mp4%s: no advice to fragment" % how,
                      "no -movflags", e2e.tail(p.stderr))
            else:
                check("does not play" in said and "-movflags +frag_keyframe+empty_moov" in said,
                      "full disk, mp4: the warning says the .partial file does not play and how "
                      "to make one that does", "does not play ... -movflags", e2e.tail(p.stderr))
            if os.path.exists(partial):
                os.unlink(partial)


def read_only(c):
    with e2e.tmpfs(os.path.join(c.d, "ro"), "ro,size=1m") as mounted:
        if not mounted:
            skip("a read-only file system: cannot mount a tmpfs here (needs root)")
            return
        out = os.path.join(c.d, "ro", "out.mkv")
        p = e2e.smear(["-i", c.noisy, "-a", "blur=sigma=1", out], timeout=120)
        check(p.returncode == FAILED, "read-only file system: exit status 1", FAILED,
              "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
        lines = error_lines(p.stderr)
        check(len(lines) == 1 and "out.mkv" in lines[0] and "read-only" in lines[0].lower(),
              "read-only file system: one error line naming the output and the cause",
              "one line with out.mkv and 'read-only'", e2e.tail(p.stderr))


def closed_stdout(c):
    # the reader leaves early: a clean stop (status 0), no crash, no error
    p = subprocess.Popen([e2e.SMEAR, "-i", c.noisy, "-a", "blur=sigma=1", "-f", "nut", "-"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(5000)
    p.stdout.close()
    err = p.stderr.read()
    p.wait(timeout=120)
    check(p.returncode == OK, "reader of standard output leaves: status 0", OK,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(err)))
    check(not error_lines(err), "reader of standard output leaves: no error line", "none",
          e2e.tail(err))
    # standard output closed from the start: one clear error line
    p = subprocess.run([e2e.SMEAR, "-i", c.noisy, "-a", "blur=sigma=1", "-f", "nut", "-"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1), timeout=120)
    lines = error_lines(p.stderr)
    check(p.returncode == FAILED and len(lines) == 1 and "'-'" in lines[0],
          "standard output closed: status 1 and one error line naming it",
          "status 1, one line with '-'", "%d: %s" % (p.returncode, e2e.tail(p.stderr)))



def main():
    c = e2e.start()
    c.noisy = e2e.make_clip(os.path.join(c.d, "noisy.mkv"), duration=4, audio=False,
                            vf="noise=alls=30:allf=t")
    e2e.part(damaged_clips, c)
    e2e.part(lying_header, c)
    e2e.part(late_start, c)
    e2e.part(size_change, c)
    e2e.part(tiny_frames, c)
    e2e.part(huge_frame, c)
    e2e.part(full_disk, c)
    e2e.part(read_only, c)
    e2e.part(closed_stdout, c)
    e2e.finish()


if __name__ == "__main__":
    main()
