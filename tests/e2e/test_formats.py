"""End-to-end: smear on inputs in many pixel formats. 8-bit planar YUV,
gray and planar RGB are processed as they are; packed RGB, NV12 and 10-bit
video are converted or handled natively. In every case the output keeps
the pixel format where the encoder allows it, keeps every frame, an
identity chain gives back the very same pictures, a blur softens every
plane, and after a shear the chroma planes stay aligned with luma."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

W, H, RATE, SECONDS = 320, 240, 25, 2
SIGMA = 2.5
SHEAR = 0.2
# a bar with contrast in every plane of YUV and RGB alike
BAR_X, BAR_W, BAR_COLOR = 120, 64, "0xFFC040"

# pixel format -> (lossless encoder that keeps it, format to read its planes in,
#                  log2 chroma subsampling (x, y), or None without chroma)
FORMATS = {
    "yuv420p": ("ffv1", "yuv420p", (1, 1)),
    "yuv422p": ("ffv1", "yuv422p", (1, 0)),
    "yuv444p": ("ffv1", "yuv444p", (0, 0)),
    "gray": ("ffv1", "gray", None),
    "gbrp": ("rawvideo", "gbrp", (0, 0)),
    "rgb24": ("rawvideo", "gbrp", (0, 0)),
    "nv12": ("rawvideo", "yuv420p", (1, 1)),
    "yuv420p10le": ("ffv1", "yuv420p10le", (1, 1)),
}
class Clip:
    pass


def make(d, fmt):
    c = Clip()
    c.fmt = fmt
    c.codec, c.read_as, c.sub = FORMATS[fmt]
    c.d = d
    c.src = e2e.make_clip(os.path.join(d, "in_%s.nut" % fmt), size="%dx%d" % (W, H), rate=RATE,
                          duration=SECONDS, pix_fmt=fmt, vcodec=("-c:v", c.codec),
                          acodec=("-c:a", "pcm_s16le"))
    v = e2e.video_stream(e2e.probe(c.src))
    check(v["pix_fmt"] == fmt, "%s: input clip made in %s" % (fmt, fmt), fmt, v["pix_fmt"])
    c.frames = e2e.count_frames(c.src)
    check(c.frames == RATE * SECONDS, "%s: input clip has %d frames" % (fmt, RATE * SECONDS),
          RATE * SECONDS, c.frames)
    return c


def identity(c):
    """blur=sigma=0 changes nothing: decoded frames bit-identical to the input's."""
    out = os.path.join(c.d, "id_%s.nut" % c.fmt)
    e2e.smear_ok(["-i", c.src, "-a", "blur=sigma=0", "-c:v", c.codec, out],
                 "%s: identity chain" % c.fmt)
    v = e2e.video_stream(e2e.probe(out))
    check(v["pix_fmt"] == c.fmt, "%s: identity chain keeps the pixel format" % c.fmt,
          c.fmt, v["pix_fmt"])
    a, b = e2e.video_md5s(c.src), e2e.video_md5s(out)
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), -1)
    check(len(a) == len(b) and first < 0 and a,
          "%s: identity chain gives bit-identical frames (-c:v %s)" % (c.fmt, c.codec),
          "%d identical frames" % len(a),
          "%d frames, first different: %d" % (len(b), first))


def default_mp4(c):
    """Into mp4 with the default encoder (libx264): the pixel format FFmpeg's
    own program would give that encoder (the input's own where it takes
    it, else the closest), as the decoder reports it, and the same profile."""
    out = os.path.join(c.d, "def_%s.mp4" % c.fmt)
    e2e.smear_ok(["-i", c.src, "-a", "blur=sigma=1", "-frames:v", "5", "-an", out],
                 "%s: into mp4 with the default encoder" % c.fmt)
    ref = os.path.join(c.d, "ref_%s.mp4" % c.fmt)
    e2e.ffmpeg(["-i", c.src, "-frames:v", "5", "-an", "-c:v", "libx264", ref],
               what="%s: ffmpeg's own libx264 encode" % c.fmt)
    v, r = e2e.video_stream(e2e.probe(out)), e2e.video_stream(e2e.probe(ref))
    check((v["pix_fmt"], v.get("profile")) == (r["pix_fmt"], r.get("profile")),
          "%s: libx264 gets the pixel format ffmpeg would give it" % c.fmt,
          "%s, profile %s" % (r["pix_fmt"], r.get("profile")),
          "%s, profile %s" % (v["pix_fmt"], v.get("profile")))
    n = e2e.count_frames(out)
    check(n == 5, "%s: -frames:v 5 into mp4" % c.fmt, 5, n)


def blurred(c):
    """blur=sigma=2.5: same format and frames, and every plane softer."""
    out = os.path.join(c.d, "blur_%s.nut" % c.fmt)
    e2e.smear_ok(["-i", c.src, "-a", "blur=sigma=%g" % SIGMA, "-c:v", c.codec, out],
                 "%s: blur" % c.fmt)
    v = e2e.video_stream(e2e.probe(out))
    check(v["pix_fmt"] == c.fmt, "%s: blurred output keeps the pixel format" % c.fmt,
          c.fmt, v["pix_fmt"])
    n = e2e.count_frames(out)
    check(n == c.frames, "%s: blurred output has every frame" % c.fmt, c.frames, n)
    c.blurred = out


def blurred_planes(c):
    mid = c.frames // 2
    pi = e2e.decode_frame(c.src, mid, c.read_as)
    po = e2e.decode_frame(c.blurred, mid, c.read_as)
    for k, (a, b) in enumerate(zip(pi, po)):
        sa, sb = e2e.sharpness(a), e2e.sharpness(b)
        check(sb < 0.6 * sa, "%s: plane %d (%dx%d) is blurred (sharpness below 0.6x)"
              % (c.fmt, k, a.w, a.h), "< %.2f (input %.2f)" % (0.6 * sa, sa), "%.2f" % sb)


def plane_edges(plane, lo, hi):
    return [e2e.edge_x(plane.row(y), lo, hi) for y in range(plane.h)]


def sheared(c):
    """A coloured bar after shear=x=0.2: in the first plane it moves by
    0.2 * (row - centre); in every other plane it moves with the first one
    (within one luma pixel), at that plane's own siting and subsampling."""
    bar = e2e.make_clip(os.path.join(c.d, "bar_%s.nut" % c.fmt), video="color=c=black",
                        size="%dx%d" % (W, H), rate=RATE, duration=0.2, pix_fmt=c.fmt,
                        vcodec=("-c:v", c.codec), audio=False,
                        vf="format=yuv444p,drawbox=x=%d:y=0:w=%d:h=%d:color=%s:t=fill"
                           % (BAR_X, BAR_W, H, BAR_COLOR))
    out = os.path.join(c.d, "shear_%s.nut" % c.fmt)
    e2e.smear_ok(["-i", bar, "-a", "shear=x=%g" % SHEAR, "-c:v", c.codec, out],
                 "%s: shear" % c.fmt)
    pi = e2e.decode_frame(bar, 0, c.read_as)
    po = e2e.decode_frame(out, 0, c.read_as)
    cy = (H - 1) / 2.0
    # the bar's left edge is the first one from the left of each row
    lo, hi = 0, W
    e0, e1 = plane_edges(pi[0], lo, hi), plane_edges(po[0], lo, hi)
    rows = [y for y in range(4, H - 4) if e0[y] is not None and e1[y] is not None]
    check(len(rows) == H - 8, "%s: the bar's edge is found on every row of plane 0" % c.fmt,
          H - 8, len(rows))
    move = {y: e1[y] - e0[y] for y in range(H) if e0[y] is not None and e1[y] is not None}
    worst = max(rows, key=lambda y: abs(move[y] - SHEAR * (y - cy)))
    check(abs(move[worst] - SHEAR * (worst - cy)) <= 0.5,
          "%s: plane 0 edge moves by %g * (row - %.1f)" % (c.fmt, SHEAR, cy),
          "%.2f px on row %d" % (SHEAR * (worst - cy), worst), "%.2f px" % move[worst])
    if len(pi) == 1:
        return
    sx, sy = c.sub
    for k in (1, 2):
        a, b = pi[k], po[k]
        f0 = plane_edges(a, lo >> sx, hi >> sx)
        f1 = plane_edges(b, lo >> sx, hi >> sx)
        worst = None
        for j in range(2, a.h - 2):
            # the luma rows this plane's row j lies on
            ys = [(j << sy) + i for i in range(1 << sy)]
            if f0[j] is None or f1[j] is None or any(y not in move for y in ys):
                check(False, "%s: the bar's edge is found on row %d of plane %d" % (c.fmt, j, k))
            cmove = (f1[j] - f0[j]) * (1 << sx)
            lmove = sum(move[y] for y in ys) / len(ys)
            if worst is None or abs(cmove - lmove) > abs(worst[1] - worst[2]):
                worst = (j, cmove, lmove)
        check(abs(worst[1] - worst[2]) <= 1.0,
              "%s: plane %d (%dx%d) edge moves with plane 0 (within 1 luma pixel)"
              % (c.fmt, k, a.w, a.h),
              "%.2f px on its row %d (in luma pixels)" % (worst[2], worst[0]),
              "%.2f px" % worst[1])


def main():
    e2e.require_programs()
    d = e2e.workdir()
    x264 = e2e.have_encoder("libx264")
    clips = []
    for fmt in FORMATS:
        c = e2e.part(make, d, fmt)
        if c:
            clips.append(c)
    for c in clips:
        e2e.part(identity, c)
        if x264:
            e2e.part(default_mp4, c)
        else:
            skip("%s: default mp4 encoder not checked (no libx264 here)" % c.fmt)
        e2e.part(blurred, c)
    # the pictures, last
    for c in clips:
        if getattr(c, "blurred", None):
            e2e.part(blurred_planes, c)
    for c in clips:
        e2e.part(sheared, c)
    e2e.finish()


if __name__ == "__main__":
    main()
