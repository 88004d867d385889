"""End-to-end: parameters that move, seeds and the per-frame log, from the
command line.

- --seed: the same input, chain and seed give the same frames on every run
  and for 1 and 2 threads; another seed gives other frames. Without --seed
  a seed is chosen and printed, and giving it back repeats the run.
- --log: one JSON line per output frame with the input, frame index,
  timestamp, seed and every parameter applied (after clamping: an
  expression below an option's range is logged at the bound).
- The numbers logged are the numbers applied: frames re-made with a frame's
  logged values as constants are identical to that frame.
- --print-schedule: the curves without video, as CSV and an SVG plot.
- --preset: listed, printed as a chain, and run.
- Expressions with an unknown name, or that divide by zero at some time in
  the first minute, fail at start-up with one error line and no output.
"""

import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check  # noqa: E402

CHAIN = ("blur=sigma='uniform(0.5,2.5)@frame',"
         "motion=length='drift(4,2,0.5,0,10)':angle='30+20*sin(2*PI*t)',"
         "shear=x='normal(0,0.05)@frame'")


def frames_md5(path):
    return e2e.video_md5s(path, pix_fmt="yuv420p")


def run_to(c, name, args):
    out = os.path.join(c.d, name)
    e2e.smear_ok(["-i", c.src] + args + ["-c:v", "ffv1", "-y", out], name)
    return out


def seeds(c):
    a = run_to(c, "s1.mkv", ["-a", CHAIN, "--seed", "42", "-threads", "1"])
    b = run_to(c, "s2.mkv", ["-a", CHAIN, "--seed", "42", "-threads", "2"])
    d = run_to(c, "s3.mkv", ["-a", CHAIN, "--seed", "43"])
    ma, mb, md = frames_md5(a), frames_md5(b), frames_md5(d)
    check(ma and ma == mb, "the same seed gives identical frames, on 1 and 2 threads",
          "identical", "%d of %d frames differ" % (sum(x != y for x, y in zip(ma, mb)), len(ma)))
    # -threads is the augmentation's wherever it stands, before -i too
    t = os.path.join(c.d, "s2t.mkv")
    p = e2e.smear(["-threads", "3", "-i", c.src, "-a", CHAIN, "--seed", "42", "-c:v", "ffv1",
                   "-y", t])
    check(p.returncode == 0 and frames_md5(t) == ma, "-threads before -i sets the augmentation's threads",
          "exit 0, identical frames", "exit %d: %s" % (p.returncode, e2e.tail(p.stderr.decode("utf-8", "replace"), 2)))
    check(ma != md, "another seed gives other frames", "different", "identical")
    p = e2e.smear(["-i", c.src, "-a", CHAIN, "-c:v", "ffv1", "-y", os.path.join(c.d, "s4.mkv")])
    said = p.stderr.decode("utf-8", "replace")
    seed = None
    for word in said.replace("(", " ").split():
        if word.isdigit() and "--seed " + word in said:
            seed = word
    check(p.returncode == 0 and seed is not None, "without --seed, the seed chosen is printed",
          "'add --seed N'", e2e.tail(said, 2))
    again = run_to(c, "s5.mkv", ["-a", CHAIN, "--seed", seed])
    check(frames_md5(again) == frames_md5(os.path.join(c.d, "s4.mkv")),
          "giving the printed seed back repeats the run", "identical", "different")


def logs(c):
    log = os.path.join(c.d, "log.jsonl")
    out = run_to(c, "logged.mkv", ["-a", CHAIN + ",box=w='3-n'", "--seed", "5", "--log", log])
    rows = [json.loads(line) for line in open(log)]
    n = e2e.count_frames(out)
    check(len(rows) == n == c.frames, "one log line per output frame", c.frames,
          "%d lines, %d frames" % (len(rows), n))
    first = rows[0]
    need = {"source", "frame", "t", "pts", "pts_time", "seed", "chain"}
    check(need <= set(first) and first["source"] == c.src and first["seed"] == 5,
          "each line names the input, frame, time, seed and chain", sorted(need),
          sorted(first))
    check([r["frame"] for r in rows] == list(range(c.frames)) and
          all(abs(r["t"] - r["frame"] / c.rate) < 1e-6 for r in rows),
          "frame indices and times follow the clip", "0..%d, t = n / %d" % (c.frames - 1, c.rate),
          [(r["frame"], r["t"]) for r in rows[:3]])
    names = [f["filter"] for f in first["chain"]]
    check(names == ["blur", "motion", "shear", "box"], "every filter of the chain is logged",
          ["blur", "motion", "shear", "box"], names)
    box_w = [r["chain"][3]["w"] for r in rows[:5]]
    check(box_w == [3, 2, 1, 1, 1], "values outside an option's range are logged as clamped "
          "(box w = 3 - n, at least 1)", [3, 2, 1, 1, 1], box_w)
    sig = [r["chain"][0]["sigma"] for r in rows]
    check(len(set(sig)) == len(sig) and all(0.5 <= s <= 2.5 for s in sig),
          "uniform(0.5,2.5)@frame: a new value each frame, within its bounds", "distinct in range",
          sig[:4])
    c.log_rows, c.logged = rows, out


def constants(c):
    """Frames re-made with a frame's logged values as constants are the same."""
    logged_md5 = frames_md5(c.logged)
    for k in (0, 7, c.frames - 1):
        ch = c.log_rows[k]["chain"]
        blur, motion, shear, box = ch
        parts = ["blur=sigma=%r" % blur["sigma"],
                 "motion=length=%r:angle=%r" % (motion["length"], motion["angle"]),
                 "shear=x=%r" % shear["x"], "box=w=%r" % box["w"]]
        out = run_to(c, "const%d.mkv" % k, ["-a", ",".join(parts), "--seed", "1"])
        got = frames_md5(out)
        check(got and got[k] == logged_md5[k],
              "frame %d re-made from its logged values as constants is identical" % k,
              logged_md5[k], got[k] if got else None)


def print_schedule(c):
    svg = os.path.join(c.d, "plot.svg")
    p = e2e.smear(["--print-schedule", "-a", CHAIN, "--seed", "5", "--duration", "4", "--fps",
                   "10", "--plot", svg])
    lines = p.stdout.decode().strip().splitlines()
    check(p.returncode == 0 and len(lines) == 41 and lines[0].startswith("frame,t,"),
          "--print-schedule: a CSV header and one row per frame (4 s at 10 fps)", 41, len(lines))
    header = lines[0].split(",")
    col = header.index("blur.sigma") if "blur.sigma" in header else None
    vals = [float(l.split(",")[col]) for l in lines[1:]] if col else []
    check(vals and all(0.5 <= v <= 2.5 for v in vals) and len(set(vals)) > 30,
          "--print-schedule: the values of the chain's generators", "40 values in 0.5..2.5",
          vals[:4])
    # the same seed and rate in a run logs the same values
    log = os.path.join(c.d, "sched_log.jsonl")
    run_to(c, "sched.mkv", ["-a", CHAIN, "--seed", "5", "--log", log])
    logged = [json.loads(l)["chain"][0]["sigma"] for l in open(log)]
    check(all(abs(a - b) < 1e-6 for a, b in zip(vals[:len(logged)], logged)),
          "--print-schedule shows the values a run with the same seed applies", logged[:3],
          vals[:3])
    try:
        root = ET.parse(svg).getroot()
        curves = [e for e in root.iter() if e.tag.endswith("polyline") or e.tag.endswith("path")]
    except (ET.ParseError, OSError) as e:
        root, curves = None, str(e)
    check(root is not None and root.tag.endswith("svg") and len(curves) >= 3,
          "--plot: an SVG with a curve for each parameter that moves", ">= 3 curves",
          len(curves) if root is not None else curves)


def presets(c):
    p = e2e.smear(["--list-presets"])
    names = [l.split()[0] for l in p.stdout.decode().splitlines() if l.strip()]
    check(p.returncode == 0 and {"handheld", "autofocus-hunt", "vehicle"} <= set(names),
          "--list-presets names the presets", "handheld, autofocus-hunt, vehicle", names)
    for name in ("handheld", "autofocus-hunt", "vehicle"):
        chain = e2e.smear(["--print-preset", name]).stdout.decode().strip()
        a = run_to(c, "preset_%s.mkv" % name, ["--preset", name, "--seed", "3"])
        b = run_to(c, "chain_%s.mkv" % name, ["-a", chain, "--seed", "3"])
        check(chain and frames_md5(a) == frames_md5(b),
              "--preset %s is the chain --print-preset prints" % name, "identical", "different")


def bad_expressions(c):
    for chain, names in (("blur=sigma='2+foo'", ["blur", "sigma", "foo"]),
                         ("blur=sigma='1/(t-3)'", ["blur", "sigma", "t=3"]),
                         ("motion=length='4/(n-30)'", ["motion", "length", "frame 30"])):
        out = os.path.join(c.d, "bad.mkv")
        p = e2e.smear(["-i", c.src, "-a", chain, "-c:v", "ffv1", "-y", out])
        errs = [l for l in p.stderr.decode("utf-8", "replace").splitlines() if "error" in l]
        check(p.returncode == 2 and len(errs) == 1 and all(n in errs[0] for n in names),
              "%s: fails at start-up with one error line naming %s" % (chain, ", ".join(names)),
              "status 2, one line", "%d: %s" % (p.returncode, errs))
        check(not os.path.exists(out) and not os.path.exists(out + ".partial"),
              "%s: nothing written" % chain, "no file", "a file")


def main():
    c = e2e.start()
    c.rate, c.frames = 25, 50
    c.src = e2e.make_clip(os.path.join(c.d, "in.mkv"), size="160x120", rate=c.rate, duration=2,
                          audio=False, vcodec=("-c:v", "ffv1"))
    e2e.part(seeds, c)
    e2e.part(logs, c)
    if hasattr(c, "log_rows"):
        e2e.part(constants, c)
    e2e.part(print_schedule, c)
    e2e.part(presets, c)
    e2e.part(bad_expressions, c)
    e2e.finish()


if __name__ == "__main__":
    main()
