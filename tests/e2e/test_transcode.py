"""End-to-end: smear re-encodes the video of a clip into mp4, mov and mkv
and keeps everything else: frame count, timestamps, frame rate, duration,
streams, audio (bit for bit), aspect ratio and metadata. Rate control,
-vf_pre/-vf_post, -t, -frames:v and muxer options (mp4's faststart) do
what they say. And the pictures
really change: a blur lowers the sharpness, a shear moves a known edge by
the expected amount in luma and in chroma alike."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

CHAIN = "blur=sigma=2.5,shear=x=0.12"
RATE = 25
W, H = 320, 240
SHEAR = 0.2
# the bars of the shear clip: a white one for luma, a red one for chroma
WHITE_X, WHITE_W = 60, 40
RED_X, RED_W = 200, 60
SHEAR_ROWS = [4, 20, 50, 90, 119, 120, 150, 190, 220, 235]


def keys_lower(tags):
    return {k.lower(): v for k, v in (tags or {}).items()}


def video_duration(info):
    v = e2e.video_stream(info)
    return e2e._num(v.get("duration")) if v else None


def first_audio_time(path):
    """Time of the first audio packet (before any edit list hides it), or None."""
    out = e2e.ffprobe(["-select_streams", "a:0", "-show_entries", "packet=pts_time",
                       "-read_intervals", "%+#1", "-of", "csv=p=0", path],
                      what="reading the first audio packet of " + os.path.basename(path))
    lines = [l for l in out.split("\n") if l.strip()]
    return e2e._num(lines[0].split(",")[0]) if lines else None


def check_container(src, src_info, src_times, src_frames, out, label, x264):
    """Everything but the pixels: the output is the input with its video re-encoded."""
    info = e2e.probe(out)
    v = e2e.video_stream(info)
    sv = e2e.video_stream(src_info)
    check(v is not None, label + ": has a video stream")
    if x264:
        check(v["codec_name"] == "h264", label + ": default video codec", "h264", v["codec_name"])
    else:
        skip(label + ": default codec not checked (no libx264 encoder here)")

    n = e2e.count_frames(out)
    check(n == src_frames, label + ": video frame count", src_frames, n)

    # a container that cannot store negative times (matroska) shifts every
    # stream by the same amount when the audio starts before zero (its
    # encoder's priming): compare times from the start of the whole file
    times = e2e.frame_times(out)
    shift = 0.0
    a_src, a_out = first_audio_time(src), first_audio_time(out)
    if a_src is not None and a_out is not None:
        shift = a_out - a_src
    times = [t - shift if t is not None else None for t in times]
    bad = e2e.same_times(src_times, times, 0.0011)
    check(len(times) == len(src_times) and bad < 0, label + ": video frame timestamps",
          "%d frames at %s..." % (len(src_times), src_times[:4]),
          "%d frames, first difference at frame %d: %s vs %s"
          % (len(times), bad, src_times[bad] if bad >= 0 else "-", times[bad] if bad >= 0 else "-"))

    check(v["r_frame_rate"] == sv["r_frame_rate"], label + ": frame rate",
          sv["r_frame_rate"], v["r_frame_rate"])
    a_in, a_out = e2e.rate(sv["avg_frame_rate"]), e2e.rate(v["avg_frame_rate"])
    check(abs(a_in - a_out) <= 0.01 * a_in, label + ": average frame rate",
          sv["avg_frame_rate"], v["avg_frame_rate"])

    d_in = float(src_info["format"]["duration"])
    d_out = float(info["format"]["duration"])
    check(abs(d_in - d_out) <= 1.0 / RATE, label + ": duration within one frame",
          "%.3f s" % d_in, "%.3f s" % d_out)
    vd_in, vd_out = video_duration(src_info), video_duration(info)
    if vd_in is not None and vd_out is not None:
        check(abs(vd_in - vd_out) <= 1.0 / RATE, label + ": video stream duration within one frame",
              "%.3f s" % vd_in, "%.3f s" % vd_out)

    kinds_in = [s["codec_type"] for s in src_info["streams"]]
    kinds_out = [s["codec_type"] for s in info["streams"]]
    check(kinds_in == kinds_out, label + ": streams", kinds_in, kinds_out)

    pa, pb = e2e.packet_list(src, "a"), e2e.packet_list(out, "a")
    first = next((i for i, (x, y) in enumerate(zip(pa, pb)) if x[1:] != y[1:]), -1)
    check(len(pa) == len(pb) and first < 0 and len(pa) > 0, label + ": audio packets bit-identical",
          "%d packets" % len(pa),
          "%d packets, first difference at packet %d" % (len(pb), first))

    check(v.get("sample_aspect_ratio") == sv.get("sample_aspect_ratio"),
          label + ": sample aspect ratio", sv.get("sample_aspect_ratio"),
          v.get("sample_aspect_ratio"))
    tin, tout = keys_lower(src_info["format"].get("tags")), keys_lower(info["format"].get("tags"))
    for key in ("title", "comment"):
        check(tout.get(key) == tin.get(key), label + ": container metadata '%s'" % key,
              repr(tin.get(key)), repr(tout.get(key)))


def edges(planes, rows, lo, hi, what):
    """Left edge of a bar on each of these rows of a plane."""
    found = []
    for r in rows:
        x = e2e.edge_x(planes.row(r), lo, hi)
        if x is None:
            e2e.fail("%s: no edge found on row %d between x=%d and x=%d" % (what, r, lo, hi))
            return None
        found.append(x)
    return found


def check_shear(src, out, label, shear):
    """The bars of a 4:2:0 clip after a horizontal shear: luma edges moved by
    shear * (row - centre), chroma edges moved as the luma ones."""
    pi = e2e.decode_frame(src, 0, "yuv420p")
    po = e2e.decode_frame(out, 0, "yuv420p")
    cy = (H - 1) / 2.0
    lo, hi = WHITE_X - 40, WHITE_X + WHITE_W + 30
    a = edges(pi[0], SHEAR_ROWS, lo, hi, label + " (input luma)")
    b = edges(po[0], SHEAR_ROWS, lo, hi, label + " (output luma)")
    if a is None or b is None:
        return
    errors = [(r, (x1 - x0), shear * (r - cy)) for r, x0, x1 in zip(SHEAR_ROWS, a, b)]
    worst = max(errors, key=lambda e: abs(e[1] - e[2]))
    check(abs(worst[1] - worst[2]) <= 0.5,
          label + ": luma edge moves by %g * (row - %.1f) on rows %s" % (shear, cy, SHEAR_ROWS),
          "a move of %.2f px on row %d" % (worst[2], worst[0]),
          "%.2f px" % worst[1])
    top = [m for r, m, _ in errors if r < cy]
    bottom = [m for r, m, _ in errors if r > cy]
    check(all(m < 0 for m in top) and all(m > 0 for m in bottom),
          label + ": rows above the centre move left, rows below move right",
          "negative moves above, positive below", "above %s, below %s"
          % (["%.1f" % m for m in top], ["%.1f" % m for m in bottom]))

    # chroma: the red bar's edge in V (in luma pixels: chroma x * 2) moves as
    # the same bar's edge in the two luma rows each chroma row covers. The
    # white bar has no V contrast; in luma, the search starts right of it.
    crow = [2, 10, 30, 59, 60, 90, 117]
    clo, chi = 0, W // 2
    llo, lhi = (WHITE_X + WHITE_W + RED_X) // 2 + 10, W
    worst = None
    for j in crow:
        c0 = e2e.edge_x(pi[2].row(j), clo, chi)
        c1 = e2e.edge_x(po[2].row(j), clo, chi)
        l0 = [e2e.edge_x(pi[0].row(r), llo, lhi) for r in (2 * j, 2 * j + 1)]
        l1 = [e2e.edge_x(po[0].row(r), llo, lhi) for r in (2 * j, 2 * j + 1)]
        if None in (c0, c1) or None in l0 or None in l1:
            e2e.fail("%s: red bar edge not found on chroma row %d" % (label, j))
            return
        cmove = 2 * (c1 - c0)
        lmove = (l1[0] - l0[0] + l1[1] - l0[1]) / 2
        if worst is None or abs(cmove - lmove) > abs(worst[1] - worst[2]):
            worst = (j, cmove, lmove)
    check(abs(worst[1] - worst[2]) <= 1.0,
          label + ": chroma edge moves with the luma edge (within 1 luma pixel)",
          "%.2f px on chroma row %d (as luma)" % (worst[2], worst[0]),
          "%.2f px" % worst[1])


def video_bytes(path):
    return sum(size for _, size, _ in e2e.packet_list(path, "v:0"))


def make_inputs(d):
    c = e2e.Clips()
    c.d = d
    c.x264 = e2e.have_encoder("libx264")
    # the input: a test card with B-frames, a tone, 4:3 pixels, a title
    c.src = e2e.make_clip(os.path.join(d, "in.mp4"), size="%dx%d" % (W, H), rate=RATE, duration=3,
                          vcodec=("-c:v", "mpeg4", "-q:v", "2", "-bf", "2"), vf="setsar=4/3",
                          extra=("-metadata", "title=smear e2e clip",
                                 "-metadata", "comment=made by test_transcode"))
    c.info = e2e.probe(c.src)
    sv = e2e.video_stream(c.info)
    tags = keys_lower(c.info["format"].get("tags"))
    check(sv.get("sample_aspect_ratio") == "4:3" and tags.get("title") == "smear e2e clip",
          "input clip made with 4:3 pixels and a title", "4:3 and a title",
          "%s and %r" % (sv.get("sample_aspect_ratio"), tags.get("title")))
    c.frames = e2e.count_frames(c.src)
    c.times = e2e.frame_times(c.src)
    check(c.frames == 3 * RATE and len(c.times) == c.frames,
          "input clip has %d frames" % (3 * RATE), 3 * RATE, "%s counted, %d listed"
          % (c.frames, len(c.times)))
    c.mid = c.frames // 2
    c.sharp = e2e.sharpness(e2e.decode_frame(c.src, c.mid, "gray")[0])
    # the shear clip: sharp vertical bars on black, lossless
    bars = ("drawbox=x=%d:y=0:w=%d:h=%d:color=white:t=fill,"
            "drawbox=x=%d:y=0:w=%d:h=%d:color=red:t=fill" % (WHITE_X, WHITE_W, H, RED_X, RED_W, H))
    c.bar = e2e.make_clip(os.path.join(d, "bars.mkv"), video="color=c=black",
                          size="%dx%d" % (W, H), rate=RATE, duration=1, vf=bars, audio=False)
    # a noisy clip that needs many bits, for rate control
    c.noisy = e2e.make_clip(os.path.join(d, "noisy.mkv"), size="%dx%d" % (W, H), rate=RATE,
                            duration=3, vf="noise=alls=25:allf=t", audio=False)
    c.outs = {}
    return c


def measures(c):
    """The measurements, on FFmpeg's own filters: a Gaussian blur must read as
    blurred, a plain re-encode must not, and an exact shear (geq samples
    bilinearly; chroma at its own siting) must read as that shear."""
    ref = os.path.join(c.d, "ref_blur.mkv")
    e2e.ffmpeg(["-i", c.src, "-an", "-vf", "gblur=sigma=2.5", "-c:v", "ffv1", ref])
    s_ref = e2e.sharpness(e2e.decode_frame(ref, c.mid, "gray")[0])
    check(s_ref < 0.6 * c.sharp, "measure: FFmpeg's gblur=sigma=2.5 reads as blurred",
          "< %.2f" % (0.6 * c.sharp), "%.2f" % s_ref)
    ref = os.path.join(c.d, "ref_copy.mp4")
    e2e.ffmpeg(["-i", c.src, "-an", "-c:v", "mpeg4", "-q:v", "5", ref])
    s_ref = e2e.sharpness(e2e.decode_frame(ref, c.mid, "gray")[0])
    check(s_ref > 0.8 * c.sharp, "measure: a plain re-encode does not read as blurred",
          "> %.2f" % (0.8 * c.sharp), "%.2f" % s_ref)
    cy = (H - 1) / 2.0
    ref = os.path.join(c.d, "ref_shear.mkv")
    e2e.ffmpeg(["-i", c.bar, "-vf",
                "geq=lum='lum(X-{s}*(Y-{c}),Y)':cb='cb(X-{h}*(2*Y+0.5-{c}),Y)'"
                ":cr='cr(X-{h}*(2*Y+0.5-{c}),Y)'".format(s=SHEAR, h=SHEAR / 2, c=cy),
                "-c:v", "ffv1", ref])
    check_shear(c.bar, ref, "measure: FFmpeg's geq shear", SHEAR)


def container(c, ext):
    out = os.path.join(c.d, "out." + ext)
    e2e.smear_ok(["-i", c.src, "-a", CHAIN, out], ext)
    check(os.path.isfile(out) and not os.path.exists(out + ".partial"),
          ext + ": output under its own name, no .partial left")
    c.outs[ext] = out
    check_container(c.src, c.info, c.times, c.frames, out, ext, c.x264)


def sample_clip(c):
    """The sample clip made at build time (H.264 and AAC, real texture)."""
    src = e2e.SAMPLE
    info = e2e.probe(src)
    frames, times = e2e.count_frames(src), e2e.frame_times(src)
    out = os.path.join(c.d, "sample_out.mp4")
    e2e.smear_ok(["-i", src, "-a", CHAIN, out], "sample clip")
    check_container(src, info, times, frames, out, "sample clip", c.x264)
    c.sample = (src, out, frames // 2)


def sample_blurred(c):
    src, out, mid = c.sample
    s_in = e2e.sharpness(e2e.decode_frame(src, mid, "gray")[0])
    s_out = e2e.sharpness(e2e.decode_frame(out, mid, "gray")[0])
    check(s_out < 0.6 * s_in, "sample clip: frame %d is blurred (sharpness below 0.6x)" % mid,
          "< %.2f (input %.2f)" % (0.6 * s_in, s_in), "%.2f" % s_out)


def rate_control(c):
    if c.x264:
        sizes = {}
        for crf in ("18", "35"):
            out = os.path.join(c.d, "crf%s.mp4" % crf)
            e2e.smear_ok(["-i", c.noisy, "-a", "shear=x=0.05", "-crf", crf, out], "-crf " + crf)
            sizes[crf] = video_bytes(out)
        check(sizes["35"] < 0.7 * sizes["18"], "-crf 35 makes a smaller video than -crf 18",
              "< 0.7 x %d bytes" % sizes["18"], "%d bytes" % sizes["35"])
    else:
        skip("-crf not checked: no libx264 encoder here")
    out = os.path.join(c.d, "b200k.mp4")
    e2e.smear_ok(["-i", c.noisy, "-a", "shear=x=0.05", "-b:v", "200k", out], "-b:v 200k")
    kbps = video_bytes(out) * 8 / 1000.0 / 3.0
    check(120 <= kbps <= 280, "-b:v 200k gives about 200 kbit/s (%.0f)" % kbps, "120..280 kbit/s",
          "%.0f kbit/s" % kbps)


def user_graph(c, opt, graph, size):
    """The user's own filter chain before or after the augmentation."""
    out = os.path.join(c.d, "vf%s.mp4" % opt[3:])
    e2e.smear_ok(["-i", c.src, opt, graph, "-a", CHAIN, out], "%s %s" % (opt, graph))
    v = e2e.video_stream(e2e.probe(out))
    check((v["width"], v["height"]) == size, "%s %s: output size" % (opt, graph),
          "%dx%d" % size, "%sx%s" % (v["width"], v["height"]))
    n = e2e.count_frames(out)
    check(n == c.frames, "%s %s: frame count" % (opt, graph), c.frames, n)


def muxer_options(c):
    """A muxer option that reopens the file it wrote (mp4's faststart moves
    the index to the front) works through the .partial file."""
    out = os.path.join(c.d, "fast.mp4")
    e2e.smear_ok(["-i", c.src, "-a", CHAIN, "-movflags", "+faststart", out], "-movflags +faststart")
    check(not os.path.exists(out + ".partial"), "-movflags +faststart: no .partial left", "absent",
          "present")
    n = e2e.count_frames(out) if os.path.exists(out) else 0
    check(n == c.frames, "-movflags +faststart: every frame", c.frames, n)
    with open(out, "rb") if os.path.exists(out) else open(os.devnull, "rb") as f:
        head = f.read(1 << 16)
    moov, mdat = head.find(b"moov"), head.find(b"mdat")
    check(moov >= 0 and (mdat < 0 or moov < mdat), "-movflags +faststart: the index comes first",
          "moov before mdat", "moov at %d, mdat at %d" % (moov, mdat))


def file_url(c):
    """An output given as a file: URL is that file: written through its
    .partial, renamed at the end, not overwritten without -y, and not the
    log's file either."""
    name = os.path.join(c.d, "url.mkv")
    args = ["-i", c.bar, "-a", "blur=sigma=1", "-c:v", "ffv1", "file:" + name]
    e2e.smear_ok(args, "an output given as file:NAME")
    n = e2e.count_frames(name) if os.path.exists(name) else 0
    check(n > 0 and not os.path.exists(name + ".partial"),
          "file:NAME: the file NAME is complete, no .partial left", "> 0 frames, no .partial",
          "%d frames, .partial %s" % (n, "left" if os.path.exists(name + ".partial") else "gone"))
    before = os.path.getmtime(name) if os.path.exists(name) else None
    p = e2e.smear(args)
    check(p.returncode == 2 and b"already exists" in p.stderr,
          "file:NAME again without -y: refused (status 2), the file kept", 2,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    check(os.path.exists(name) and os.path.getmtime(name) == before,
          "file:NAME again without -y: the file untouched", before,
          os.path.getmtime(name) if os.path.exists(name) else None)
    log = os.path.join(c.d, "url.jsonl")
    e2e.smear_ok(args[:-1] + ["-y", "--log", "file:" + log, "file:" + name],
                 "--log file:LOG with the output file:NAME")
    check(os.path.exists(log) and os.path.getsize(log) > 0,
          "--log file:LOG writes the file LOG", "a log at %s" % log,
          "present" if os.path.exists(log) else "absent")
    other = os.path.join(c.d, "url2.mkv")
    p = e2e.smear(args[:-1] + ["--log", other, "file:" + other])
    check(p.returncode == 2 and b"is the output" in p.stderr and not os.path.exists(other),
          "--log NAME with the output file:NAME: refused, nothing written", 2,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))


def limit_time(c):
    out = os.path.join(c.d, "t1.mp4")
    e2e.smear_ok(["-i", c.src, "-a", CHAIN, "-t", "1", out], "-t 1")
    want = sum(1 for t in c.times if t - c.times[0] < 1.0 - 1e-6)
    n = e2e.count_frames(out)
    check(n == want, "-t 1: frames of the first second only", want, n)
    dur = float(e2e.probe(out)["format"]["duration"])
    check(0.9 <= dur <= 1.1, "-t 1: output lasts about 1 s (audio too)", "0.9..1.1 s",
          "%.3f s" % dur)


def limit_frames(c):
    out = os.path.join(c.d, "f10.mp4")
    e2e.smear_ok(["-i", c.src, "-a", CHAIN, "-frames:v", "10", out], "-frames:v 10")
    n = e2e.count_frames(out)
    check(n == 10, "-frames:v 10: ten frames", 10, n)
    times = e2e.frame_times(out)
    bad = e2e.same_times(c.times[:10], times, 0.0011)
    check(bad < 0, "-frames:v 10: the first ten timestamps of the input", c.times[:10], times)


def blurred(c, ext):
    s_out = e2e.sharpness(e2e.decode_frame(c.outs[ext], c.mid, "gray")[0])
    check(s_out < 0.6 * c.sharp,
          "%s: frame %d is blurred (sharpness drops below 0.6x)" % (ext, c.mid),
          "< %.2f (input %.2f)" % (0.6 * c.sharp, c.sharp), "%.2f" % s_out)


def sheared(c):
    out = os.path.join(c.d, "shear.mkv")
    e2e.smear_ok(["-i", c.bar, "-a", "shear=x=%g" % SHEAR, "-c:v", "ffv1", out], "shear")
    check_shear(c.bar, out, "shear=x=%g" % SHEAR, SHEAR)


def main():
    e2e.require_programs()
    c = make_inputs(e2e.workdir())
    e2e.part(measures, c)
    for ext in ("mp4", "mov", "mkv"):
        e2e.part(container, c, ext)
    if e2e.SAMPLE and os.path.isfile(e2e.SAMPLE):
        e2e.part(sample_clip, c)
    else:
        skip("the sample clip is not there (SMEAR_SAMPLE=%r)" % e2e.SAMPLE)
    e2e.part(rate_control, c)
    e2e.part(user_graph, c, "-vf_pre", "scale=160:120", (160, 120))
    e2e.part(user_graph, c, "-vf_post", "crop=100:80", (100, 80))
    e2e.part(muxer_options, c)
    e2e.part(file_url, c)
    e2e.part(limit_time, c)
    e2e.part(limit_frames, c)
    # the pictures, last: blurred in every container, sheared by the amount asked
    for ext in sorted(c.outs):
        e2e.part(blurred, c, ext)
    if getattr(c, "sample", None):
        e2e.part(sample_blurred, c)
    e2e.part(sheared, c)
    e2e.finish()


if __name__ == "__main__":
    main()
