"""Shared helpers of the end-to-end tests of the smear program.

The tests run the built smear (environment variable SMEAR) on clips they
make with FFmpeg's lavfi sources, on the sample clip (SMEAR_SAMPLE) and on
real clips of SMEAR_MEDIA_DIR when it is there, and look at the results
with the ffmpeg and ffprobe programs.

Every check prints one line. The first failed check prints what was
expected and what was seen, and ends the test with status 1 (set
SMEAR_E2E_KEEP_GOING=1 to see every failure of a run; the status is still
1). A part that cannot run because something optional is absent prints
"SKIP: reason"; a test with nothing at all to do exits with 77.
"""

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP_STATUS = 77

SMEAR = os.environ.get("SMEAR", "")
SAMPLE = os.environ.get("SMEAR_SAMPLE", "")
MEDIA_DIR = os.environ.get("SMEAR_MEDIA_DIR", "")

_keep_going = os.environ.get("SMEAR_E2E_KEEP_GOING", "") not in ("", "0")
_failures = 0
_started = time.monotonic()


# ------------------------------------------------------------ reporting

def ok(what):
    print("ok: " + what, flush=True)


def skip(reason):
    print("SKIP: " + reason, flush=True)


class PartFailed(Exception):
    """A check failed while keeping going: the rest of that part is skipped."""


def fail(what):
    """Reports a failed check; ends the test (or, when keeping going, the part)."""
    global _failures
    _failures += 1
    print("FAIL: " + what, flush=True)
    if not _keep_going:
        sys.exit(1)
    raise PartFailed(what)


def part(fn, *args):
    """Runs one part of a test: a group of checks that depend on each other."""
    try:
        return fn(*args)
    except PartFailed:
        return None


def check(cond, what, expected=None, seen=None):
    """One check: prints 'ok: what', or fails with the expected and seen values."""
    if cond:
        ok(what)
        return True
    msg = what
    if expected is not None or seen is not None:
        msg += ": expected %s, saw %s" % (expected, seen)
    fail(msg)
    return False


def finish():
    """Ends the test: 0 when every check passed, 1 otherwise."""
    print("done in %.1f s" % (time.monotonic() - _started), flush=True)
    sys.exit(1 if _failures else 0)


def require_programs():
    """The smear program, ffmpeg and ffprobe: without them there is no test."""
    if not SMEAR:
        print("error: the environment variable SMEAR (path of the built smear program) is not set")
        sys.exit(1)
    if not os.access(SMEAR, os.X_OK):
        print("error: SMEAR='%s' is not an executable program" % SMEAR)
        sys.exit(1)
    for prog in ("ffmpeg", "ffprobe"):
        if not shutil.which(prog):
            skip("the %s program is not installed" % prog)
            sys.exit(SKIP_STATUS)


def tail(text, lines=8):
    """The last lines of a program's output, for failure messages."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    rows = [r for r in text.strip().splitlines() if r.strip()]
    return " | ".join(rows[-lines:]) if rows else "(nothing)"


# ---------------------------------------------------------- directories

def workdir():
    """A fresh temporary folder, removed when the test ends."""
    path = tempfile.mkdtemp(prefix="smear-e2e-")
    atexit.register(shutil.rmtree, path, True)
    return path


class Clips:
    """What a test makes and shares between its parts: d is its folder."""


def start():
    """The programs checked, and a Clips with a fresh folder."""
    require_programs()
    c = Clips()
    c.d = workdir()
    return c


@contextlib.contextmanager
def tmpfs(path, opts):
    """A small tmpfs mounted on path (created) while the block runs; yields
    False, mounting nothing, where mounting is not allowed (not root)."""
    os.makedirs(path, exist_ok=True)
    mounted = run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path], timeout=30).returncode == 0
    try:
        yield mounted
    finally:
        if mounted:
            run(["umount", path], timeout=30)


# ------------------------------------------------------------- programs

def run(cmd, timeout=300, **kw):
    """Runs a program, capturing its output (bytes)."""
    try:
        return subprocess.run(cmd, stdin=kw.pop("stdin", subprocess.DEVNULL),
                              stdout=kw.pop("stdout", subprocess.PIPE),
                              stderr=kw.pop("stderr", subprocess.PIPE),
                              timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        print("FAIL: '%s' did not end within %d s" % (" ".join(cmd), timeout), flush=True)
        sys.exit(1)


def smear(args, timeout=300, **kw):
    """Runs smear with these arguments; returns the CompletedProcess."""
    return run([SMEAR] + list(args), timeout=timeout, **kw)


def smear_ok(args, what, timeout=300):
    """Runs smear and checks that it succeeded (status 0)."""
    p = smear(args, timeout=timeout)
    check(p.returncode == 0, what + ": smear exits 0", 0,
          "%d (stderr: %s)" % (p.returncode, tail(p.stderr)))
    return p


def ffmpeg(args, what="ffmpeg", timeout=300, **kw):
    """Runs ffmpeg quietly; a failure is a failed check (stdout is returned)."""
    p = run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y"] + list(args),
            timeout=timeout, **kw)
    if p.returncode != 0:
        fail("%s: ffmpeg %s failed with status %d: %s"
             % (what, " ".join(args), p.returncode, tail(p.stderr)))
    return p.stdout


def ffprobe(args, what="ffprobe", timeout=120, **kw):
    p = run(["ffprobe", "-hide_banner", "-v", "error"] + list(args), timeout=timeout, **kw)
    if p.returncode != 0:
        fail("%s: ffprobe %s failed with status %d: %s"
             % (what, " ".join(args), p.returncode, tail(p.stderr)))
    return p.stdout.decode("utf-8", "replace")


_encoders = None


def have_encoder(name):
    """Whether the FFmpeg libraries here have this encoder (smear uses the same ones)."""
    global _encoders
    if _encoders is None:
        out = run(["ffmpeg", "-hide_banner", "-encoders"]).stdout.decode("utf-8", "replace")
        _encoders = set()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2 and len(parts[0]) == 6:
                _encoders.add(parts[1])
    return name in _encoders


# ---------------------------------------------------------- making clips

def make_clip(path, video="testsrc2", size="320x240", rate=25, duration=3,
              pix_fmt="yuv420p", vcodec=("-c:v", "ffv1"), audio=True,
              acodec=("-c:a", "aac", "-b:a", "96k"), vf=None, extra=()):
    """A clip made by lavfi: a video source (with an optional filter chain),
    a sine tone as audio, the given codecs, in the container of path."""
    src = "%s%ssize=%s:rate=%s:duration=%s" % (video, ":" if "=" in video else "=",
                                              size, rate, duration)
    if vf:
        src += "," + vf
    src += ",format=" + pix_fmt
    args = ["-f", "lavfi", "-i", src]
    if audio:
        args += ["-f", "lavfi", "-i",
                 "sine=frequency=440:beep_factor=3:sample_rate=48000:duration=%s" % duration]
        args += ["-map", "0:v", "-map", "1:a"] + list(acodec)
    args += list(vcodec) + list(extra) + [path]
    ffmpeg(args, what="making the test clip " + os.path.basename(path))
    return path


# -------------------------------------------------------------- probing

def probe(path, extra=()):
    """ffprobe's streams and format of a file, as a dict."""
    out = ffprobe(list(extra) + ["-show_streams", "-show_format", "-of", "json", path],
                  what="probing " + os.path.basename(path))
    return json.loads(out)


def video_stream(info):
    for s in info.get("streams", []):
        if s.get("codec_type") == "video":
            return s
    return None


def count_frames(path, extra=(), stdin=None):
    """Decoded video frames of the first video stream (ffprobe -count_frames)."""
    out = ffprobe(list(extra) + ["-count_frames", "-select_streams", "v:0", "-show_entries",
                                 "stream=nb_read_frames", "-of", "csv=p=0", path],
                  what="counting the frames of " + os.path.basename(path), stdin=stdin)
    # mpegts adds lines for its programs: take the first number
    for line in out.split():
        try:
            return int(line.strip(","))
        except ValueError:
            continue
    return None


def _num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def frame_times(path, extra=()):
    """Presentation times of the decoded video frames, in order (None where
    a frame has none). FFmpeg's best-effort timestamp, falling back to pts."""
    out = ffprobe(list(extra) + ["-select_streams", "v:0", "-show_entries",
                                 "frame=best_effort_timestamp_time,pts_time",
                                 "-of", "json", path],
                  what="listing the frame times of " + os.path.basename(path))
    times = []
    for f in json.loads(out).get("frames", []):
        t = _num(f.get("best_effort_timestamp_time"))
        if t is None:
            t = _num(f.get("pts_time"))
        times.append(t)
    return times


def packet_list(path, stream="a"):
    """(size, md5) of every packet of the selected streams, as stored
    (ffmpeg -c copy -f framemd5): equal lists mean bit-identical data."""
    out = ffmpeg(["-i", path, "-map", "0:" + stream, "-c", "copy", "-f", "framemd5", "-"],
                 what="hashing the packets of " + os.path.basename(path))
    rows = []
    for line in out.decode("ascii", "replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cols = [c.strip() for c in line.split(",")]
        rows.append((cols[0], int(cols[4]), cols[5]))
    return rows


def video_md5s(path, pix_fmt=None, extra_in=()):
    """md5 of every decoded video frame, in its own (or the given) pixel format."""
    args = list(extra_in) + ["-i", path, "-map", "0:v:0", "-fps_mode", "passthrough"]
    if pix_fmt:
        args += ["-pix_fmt", pix_fmt]
    out = ffmpeg(args + ["-f", "framemd5", "-"],
                 what="hashing the frames of " + os.path.basename(path))
    return [line.rsplit(",", 1)[1].strip() for line in out.decode("ascii", "replace").splitlines()
            if line.strip() and not line.startswith("#")]


def same_times(a, b, tol):
    """Index of the first pair of times further apart than tol, or -1."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x is None or y is None:
            if x is not y:
                return i
        elif abs(x - y) > tol:
            return i
    return -1


def rate(s):
    """'30000/1001' as a float (0 for '0/0')."""
    num, _, den = s.partition("/")
    return float(num) / float(den) if den and float(den) else float(num or 0)


# ------------------------------------------------------------- pixels

# bytes per sample and the chroma subsampling of the planar formats read
PLANAR = {
    "gray": (1, None, 0, 0),
    "yuv420p": (1, 3, 1, 1),
    "yuv422p": (1, 3, 1, 0),
    "yuv444p": (1, 3, 0, 0),
    "gbrp": (1, 3, 0, 0),
    "yuv420p10le": (2, 3, 1, 1),
    "yuv422p10le": (2, 3, 1, 0),
    "yuv444p10le": (2, 3, 0, 0),
}


class Plane:
    """One plane of a decoded frame: w x h samples, row-major, as ints."""

    def __init__(self, w, h, samples):
        self.w, self.h, self.s = w, h, samples

    def row(self, y):
        return self.s[y * self.w:(y + 1) * self.w]


def decode_frame(path, index, pix_fmt, extra_in=()):
    """Frame number index (from 0, in presentation order) of the first video
    stream, decoded and converted to pix_fmt (one of PLANAR): its planes."""
    info = video_stream(probe(path, extra_in))
    raw = ffmpeg(list(extra_in) + ["-i", path, "-map", "0:v:0", "-vf", "select=eq(n\\,%d)" % index,
                                   "-fps_mode", "passthrough", "-frames:v", "1",
                                   "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"],
                 what="decoding frame %d of %s" % (index, os.path.basename(path)))
    return split_planes(raw, int(info["width"]), int(info["height"]), pix_fmt)


def split_planes(raw, w, h, pix_fmt):
    bps, nb, cx, cy = PLANAR[pix_fmt]
    cw, ch = -(-w >> cx), -(-h >> cy)
    sizes = [(w, h)] + ([(cw, ch), (cw, ch)] if nb else [])
    need = sum(pw * ph for pw, ph in sizes) * bps
    if len(raw) < need:
        fail("a decoded %dx%d %s frame has %d bytes, expected %d" % (w, h, pix_fmt, len(raw), need))
    planes, off = [], 0
    for pw, ph in sizes:
        n = pw * ph
        chunk = raw[off:off + n * bps]
        off += n * bps
        if bps == 1:
            samples = list(chunk)
        else:
            samples = [chunk[i] | (chunk[i + 1] << 8) for i in range(0, len(chunk), 2)]
        planes.append(Plane(pw, ph, samples))
    return planes


def sharpness(p, border=4):
    """Mean absolute 4-neighbour Laplacian over the plane, a few samples away
    from its edges: fine detail makes it large, blur makes it small."""
    w, s = p.w, p.s
    total, n = 0, 0
    for y in range(border, p.h - border):
        up = s[(y - 1) * w:y * w]
        mid = s[y * w:(y + 1) * w]
        dn = s[(y + 1) * w:(y + 2) * w]
        for c, l, r, u, d in zip(mid[border:w - border], mid[border - 1:w - border - 1],
                                 mid[border + 1:w - border + 1], up[border:w - border],
                                 dn[border:w - border]):
            total += abs(4 * c - l - r - u - d)
        n += w - 2 * border
    return total / n if n else 0.0


def edge_x(values, lo, hi):
    """Sub-pixel position of the first crossing of the level halfway between
    the darkest and the brightest sample of values[lo:hi], from the left:
    the linear interpolation between the two samples on either side.
    For a step edge sampled with bilinear interpolation this is exact.
    None when there is no such crossing."""
    seg = values[lo:hi]
    a, b = min(seg), max(seg)
    if b - a < 8:
        return None
    mid = (a + b) / 2.0
    rising = seg[0] < mid
    for i in range(len(seg) - 1):
        u, v = seg[i] - mid, seg[i + 1] - mid
        if (rising and u < 0 <= v) or (not rising and u > 0 >= v):
            return lo + i + u / (u - v)
    return None
