"""End-to-end: videos to augmented frame datasets (smear ... --frames OUTDIR).

- Files, a list file and a folder as inputs; PNG and JPEG images named
  <clip>/<frame>_<variant>.<ext>, of the clip's size.
- Sampling: --every, --fps, --start/--end, --max-per-clip take exactly the
  frames they should.
- Variants: each with its own seed and its own pixels; --keep-clean writes
  the frame exactly as decoded.
- The manifest (JSON Lines, and CSV with --csv): one row per image; a row's
  parameters are those a normal run logs with the row's seed, and applying
  them as constants gives the same image.
- --shards: WebDataset tar shards whose samples match the manifest.
- Restart: a run killed part way and started again finishes without
  remaking any image that was there, and ends as an uninterrupted run does.
- --shard i/N: disjoint shards that together give the rows of one run, also
  when started together on a new folder without --seed (one seed, the folder's).
- Bad input: a clip that cannot be opened and a cut one get error rows and
  the run goes on (status 3); a full disk stops it with one error line and
  every image and manifest row left is valid.
- No progress bar when stderr is not a terminal; a summary at the end.
"""

import csv
import json
import os
import signal
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

OK, FAILED, DAMAGED = 0, 1, 3
RANDOM = "blur=sigma='uniform(0.5,3)@frame',shear=x='normal(0,0.05)@frame'"


def rows_of(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def image_rows(rows):
    return [r for r in rows if "image" in r]


def rgb(path, index=None, extra=()):
    """The pixels of an image, or of frame index of a clip, as rgb24 bytes."""
    vf = ["-vf", "select=eq(n\\,%d)" % index, "-frames:v", "1"] if index is not None else []
    return e2e.run(["ffmpeg", "-v", "error"] + list(extra) + ["-i", path] + vf +
                   ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]).stdout


def dataset(args, what, status=OK, timeout=300):
    p = e2e.smear(args, timeout=timeout)
    check(p.returncode == status, what + ": exit status %d" % status, status,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    return p


# ------------------------------------------------------------- the basics

def basics(c):
    out = os.path.join(c.d, "basic")
    p = dataset(["-i", c.a, "-i", os.path.dirname(c.b), "-a", RANDOM, "--frames", out, "--every", "5",
                 "--variants", "2", "--keep-clean", "--seed", "3", "--csv"], "a file and a folder, PNG")
    said = p.stderr.decode("utf-8", "replace")
    check("\r" not in said and "\x1b[" not in said,
          "no progress bar when stderr is not a terminal", "no \\r or escapes", repr(said[-200:]))
    check("2 clips: 2 done" in said and "images written" in said, "a summary at the end",
          "'2 clips: 2 done ... images written'", e2e.tail(said, 2))
    rows = rows_of(os.path.join(out, "manifest.jsonl"))
    want = set()
    for clip, frames in (("a", c.a_frames), ("b", c.b_frames)):
        for n in range(0, frames, 5):
            for v in ("v0", "v1", "clean"):
                want.add("%s/%06d_%s.png" % (clip, n, v))
    have = {os.path.relpath(os.path.join(r, f), out) for r, _, fs in os.walk(out)
            for f in fs if f.endswith(".png")}
    check(have == want, "images named <clip>/<frame>_<variant>.png for every 5th frame",
          "%d images" % len(want), "%d images; extra %s, missing %s" % (
              len(have), sorted(have - want)[:3], sorted(want - have)[:3]))
    check(sorted(r["image"] for r in rows) == sorted(want), "one manifest row per image",
          len(want), len(rows))
    info = e2e.video_stream(e2e.probe(os.path.join(out, "a", "000005_v1.png")))
    check((info["width"], info["height"]) == (160, 120), "images have the clip's size",
          (160, 120), (info["width"], info["height"]))

    # variants: own seeds and own pixels
    for clip in ("a", "b"):
        seeds = {}
        for r in rows:
            if r.get("clip") == clip and r["variant"] != "clean":
                seeds.setdefault(r["variant"], set()).add(r["seed"])
        own = len(seeds) == 2 and all(len(v) == 1 for v in seeds.values()) and \
            seeds["v0"] != seeds["v1"]
        check(own, "clip %s: each variant has its own seed" % clip, "two seeds, one per variant",
              seeds)
    v0, v1 = (rgb(os.path.join(out, "a", "000010_%s.png" % v)) for v in ("v0", "v1"))
    check(v0 and v0 != v1, "two variants of a frame differ", "different pixels", "identical")

    # the clean frame is the frame as decoded
    clean = rgb(os.path.join(out, "a", "000010_clean.png"))
    src = rgb(c.a, 10)
    check(clean and clean == src, "--keep-clean writes the frame exactly as decoded",
          "%d identical bytes" % len(src), "%d bytes, %s" % (
              len(clean), "identical" if clean == src else "different"))

    # the CSV holds the same rows
    with open(os.path.join(out, "manifest.csv")) as f:
        table = list(csv.DictReader(f))
    by_image = {r["image"]: r for r in rows}
    same = len(table) == len(rows) and all(
        abs(float(t["blur.sigma"]) - by_image[t["image"]]["chain"][0]["sigma"]) < 1e-12
        for t in table if t["variant"] != "clean")
    check(same, "manifest.csv: the same rows and values as manifest.jsonl", len(rows), len(table))
    c.basic_rows = rows
    c.basic_dir = out


def params_match_log(c):
    """A row's parameters are those of a normal run with its seed (its log),
    and applying them as constants gives the same image."""
    row = next(r for r in c.basic_rows if r["image"] == "a/000010_v1.png")
    log = os.path.join(c.d, "log.jsonl")
    e2e.smear_ok(["-i", c.a, "-a", RANDOM, "--seed", str(row["seed"]), "--log", log,
                  "-c:v", "ffv1", "-y", os.path.join(c.d, "logged.mkv")],
                 "a normal run with the row's seed")
    logged = [json.loads(line) for line in open(log)][10]
    check(logged["chain"] == row["chain"], "the row's parameters equal the per-frame log's",
          row["chain"], logged["chain"])
    blur, shear = row["chain"][0], row["chain"][1]
    constant = "blur=sigma=%r,shear=x=%r" % (blur["sigma"], shear["x"])
    again = os.path.join(c.d, "again")
    e2e.smear_ok(["-i", c.a, "-a", constant, "--frames", again, "--start", "0.95", "--end", "1.05",
                  "--seed", "1"], "the row's values as constants")
    made = rgb(os.path.join(again, "a", "000010_v0.png"))
    first = rgb(os.path.join(c.basic_dir, "a", "000010_v1.png"))
    check(made and made == first, "the row's values applied as constants give the same image",
          "identical", "%d vs %d bytes, %s" % (len(made), len(first),
                                                "identical" if made == first else "different"))


# ----------------------------------------------------------------- sampling

def sampling(c):
    cases = [(["--every", "7"], list(range(0, c.a_frames, 7))),
             (["--fps", "2"], list(range(0, c.a_frames, 5))),
             (["--start", "1", "--end", "2"], list(range(10, 20))),
             (["--every", "2", "--max-per-clip", "3"], [0, 2, 4])]
    for k, (args, frames) in enumerate(cases):
        out = os.path.join(c.d, "sample%d" % k)
        dataset(["-i", c.a, "-a", "blur=sigma=1", "--frames", out, "--seed", "1"] + args,
                " ".join(args))
        rows = image_rows(rows_of(os.path.join(out, "manifest.jsonl")))
        got = sorted(r["frame"] for r in rows)
        check(got == frames, "%s takes frames %s" % (" ".join(args), frames[:6]), frames, got)
        if "--start" in args:
            check(all(0.999 <= r["t"] <= 2.0 for r in rows) or all(
                      0.999 <= r["pts_time"] <= 2.0 for r in rows),
                  "--start/--end: rows' times lie in the range", "1..2",
                  [r.get("pts_time") for r in rows][:4])


def jpeg(c):
    sizes = {}
    for q in (30, 95):
        out = os.path.join(c.d, "jpg%d" % q)
        dataset(["-i", c.a, "-a", "blur=sigma=0.6", "--frames", out, "--every", "10",
                 "--image-format", "jpg", "--quality", str(q), "--seed", "1"], "JPEG quality %d" % q)
        names = sorted(os.listdir(os.path.join(out, "a")))
        check(names and all(n.endswith("_v0.jpg") for n in names),
              "JPEG quality %d: images named <frame>_v0.jpg" % q, "*.jpg", names[:3])
        info = e2e.video_stream(e2e.probe(os.path.join(out, "a", names[0])))
        check(info["codec_name"] == "mjpeg", "JPEG quality %d: the images are JPEG" % q, "mjpeg",
              info["codec_name"])
        sizes[q] = sum(os.path.getsize(os.path.join(out, "a", n)) for n in names)
    check(sizes[30] < sizes[95], "--quality: a lower quality gives smaller files",
          "q30 < q95", sizes)


def tar_shards(c):
    out = os.path.join(c.d, "tars")
    dataset(["-i", c.a, "-i", c.b, "-a", RANDOM, "--frames", out, "--every", "3",
             "--shards", "0.2", "--seed", "5"], "tar shards")
    rows = image_rows(rows_of(os.path.join(out, "manifest.jsonl")))
    shard_dir = os.path.join(out, "shards")
    tars = sorted(f for f in os.listdir(shard_dir) if f.endswith(".tar"))
    check(len(tars) >= 2, "--shards 0.2 (MiB): several shards", ">= 2", len(tars))
    samples = {}
    for t in tars:
        with tarfile.open(os.path.join(shard_dir, t)) as tf:
            for m in tf.getmembers():
                key, ext = m.name.rsplit(".", 1)
                samples.setdefault(key, {})[ext] = tf.extractfile(m).read()
    check(len(samples) == len(rows), "one tar sample per manifest row", len(rows), len(samples))
    good = all(set(s) == {"png", "json"} for s in samples.values())
    check(good, "each sample is an image and its JSON under one key", "png + json",
          sorted({tuple(sorted(s)) for s in samples.values()}))
    row = rows[len(rows) // 2]
    key = row["image"].rsplit(".", 1)[0]
    meta = json.loads(samples[key]["json"]) if key in samples else None
    check(meta is not None and meta.get("chain") == row["chain"] and meta.get("seed") == row["seed"],
          "a sample's JSON holds its manifest row's values", row["chain"],
          meta.get("chain") if meta else "no such sample")


# ------------------------------------------------------------------ restart

def leftovers(folder):
    """Files under folder that are not finished images, sorted."""
    return sorted(os.path.relpath(os.path.join(root, f), folder)
                  for root, _, files in os.walk(folder) for f in files if not f.endswith(".png"))


def snapshot(out):
    found = {}
    for root, _, files in os.walk(out):
        for f in files:
            if f.endswith(".png"):
                st = os.stat(os.path.join(root, f))
                found[os.path.relpath(os.path.join(root, f), out)] = (st.st_ino, st.st_mtime_ns)
    return found


def restart(c):
    args = ["-i", c.long, "-a", RANDOM, "--frames", None, "--seed", "9", "--variants", "2"]
    whole = os.path.join(c.d, "whole")
    args[args.index(None)] = whole
    dataset(args, "an uninterrupted run")
    whole_rows = sorted_rows(os.path.join(whole, "manifest.jsonl"))
    for sig in (signal.SIGKILL, signal.SIGINT):
        name = signal.Signals(sig).name
        out = os.path.join(c.d, "restart_" + name)
        run_args = list(args)
        run_args[run_args.index(whole)] = out
        p = subprocess.Popen([e2e.SMEAR] + run_args, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(snapshot(out)) < 40 and p.poll() is None:
            time.sleep(0.02)
        p.send_signal(sig)
        p.communicate(timeout=120)
        before = snapshot(out)
        total = len(whole_rows)
        if not 0 < len(before) < total:
            skip("restart after %s: the run was not caught part way (%d of %d images)" % (
                name, len(before), total))
            continue
        broken = [rel for rel in before if len(rgb(os.path.join(out, rel))) != 320 * 240 * 3]
        check(not broken, "after %s: every image under its final name is whole" % name,
              "all %d decode" % len(before), broken[:3])
        others = leftovers(os.path.join(out, "long"))
        if sig == signal.SIGKILL:
            # a kill can land while an image is written: its temporary file
            # may stay (never a partial file under an image's name)
            check(all(n.endswith(".png.tmp") for n in others),
                  "after SIGKILL: besides whole images, at most temporary files (.png.tmp)",
                  "only .png and .png.tmp", others[:5])
        else:
            check(not others, "after %s: no temporary file left among the images" % name,
                  "only .png", others[:5])
        p2 = dataset(run_args, "restart after %s" % name)
        after = snapshot(out)
        check(all(after.get(k) == v for k, v in before.items()),
              "restart after %s: no image that was there is made again" % name,
              "%d unchanged" % len(before),
              "%d changed" % sum(after.get(k) != v for k, v in before.items()))
        said = p2.stderr.decode("utf-8", "replace")
        check("%d already there" % len(before) in said,
              "restart after %s: the summary counts the images already there" % name,
              "%d already there" % len(before), e2e.tail(said, 1))
        check(not leftovers(os.path.join(out, "long")),
              "restart after %s: no temporary file left among the images" % name,
              "only .png", leftovers(os.path.join(out, "long"))[:5])
        rows = rows_of(os.path.join(out, "manifest.jsonl"))
        check(sorted(json.dumps(r, sort_keys=True) for r in rows) == whole_rows,
              "restart after %s: the manifest equals an uninterrupted run's, no row twice" % name,
              "%d rows" % len(whole_rows), "%d rows" % len(rows))
        same = all(open(os.path.join(out, k), "rb").read() ==
                   open(os.path.join(whole, k), "rb").read() for k in list(after)[::17])
        check(set(after) == set(snapshot(whole)) and same,
              "restart after %s: the same images as an uninterrupted run" % name,
              "identical", "different")
        p3 = dataset(run_args, "a third run of the finished command")
        check("1 already done" in p3.stderr.decode("utf-8", "replace") and snapshot(out) == after,
              "a finished run started again does nothing", "1 already done, images untouched",
              e2e.tail(p3.stderr, 1))


def other_settings(c):
    """A folder keeps the settings it was made with: another command on it is
    refused before anything there is touched; the same command without
    --seed carries on with the folder's seed."""
    out = os.path.join(c.d, "settings")
    args = ["-i", c.a, "-a", RANDOM, "--frames", out, "--seed", "9", "--every", "5"]
    dataset(args, "a dataset to change the settings of")
    before = snapshot(out)
    manifest = open(os.path.join(out, "manifest.jsonl"), "rb").read()
    changes = (("chain", ["-a", "defocus=radius=3"]), ("every", ["--every", "2"]),
               ("variants", ["--variants", "3"]), ("seed", ["--seed", "10"]),
               ("image-format", ["--image-format", "jpg"]))
    for key, change in changes:
        changed = list(args)
        for i in range(0, len(change), 2):
            if change[i] in changed:
                changed[changed.index(change[i]) + 1] = change[i + 1]
            else:
                changed += change[i:i + 2]
        p = dataset(changed, "the folder with other %s" % key, status=2)
        said = p.stderr.decode("utf-8", "replace")
        lines = [x for x in said.splitlines() if "error" in x]
        check(len(lines) == 1 and key in lines[0] and "settings" in lines[0],
              "the folder with other %s: one error line naming it" % key, key, e2e.tail(said))
        check(snapshot(out) == before and
              open(os.path.join(out, "manifest.jsonl"), "rb").read() == manifest,
              "the folder with other %s: its images and manifest untouched" % key, "untouched",
              "changed")
    no_seed = [a for a in args if a not in ("--seed", "9")]
    p = dataset(no_seed, "the same command without --seed")
    said = p.stderr.decode("utf-8", "replace")
    check("folder's" in said and "1 already done" in said and snapshot(out) == before,
          "the same command without --seed carries on with the folder's seed",
          "the folder's seed, 1 already done", e2e.tail(said, 2))
    p = dataset(["-i", c.a, "-a", RANDOM, "--frames", os.path.join(c.d, "backwards"), "--start",
                 "5", "--end", "1"], "--end before --start", status=2)
    check(not os.path.exists(os.path.join(c.d, "backwards")),
          "--end before --start: refused before the folder is made")


# ---------------------------------------------------------------- sharding

def sorted_rows(*manifests):
    """The rows of the manifests, each as canonical JSON, sorted: what one
    run gives whatever the order its shards wrote them in."""
    return sorted(json.dumps(r, sort_keys=True) for m in manifests for r in rows_of(m))


def sharding(c):
    clips = [c.a, c.b] + [e2e.make_clip(os.path.join(c.d, "s%d.mkv" % i), size="96x64",
                                        rate=10, duration=1, audio=False,
                                        vcodec=("-c:v", "ffv1")) for i in range(3)]
    listing = os.path.join(c.d, "clips.txt")
    with open(listing, "w") as f:
        f.write("\n".join(clips) + "\n")
    common = ["--inputs", listing, "-a", RANDOM, "--every", "4", "--seed", "11"]
    one = os.path.join(c.d, "unsharded")
    dataset(common + ["--frames", one], "one unsharded run")
    single = sorted_rows(os.path.join(one, "manifest.jsonl"))
    many = os.path.join(c.d, "sharded")
    parts = []
    for i in range(3):
        dataset(common + ["--frames", many, "--shard", "%d/3" % i], "shard %d/3" % i)
        parts.append(rows_of(os.path.join(many, "manifest-%d-of-3.jsonl" % i)))
    clip_sets = [{r["source"] for r in rows} for rows in parts]
    disjoint = all(not (clip_sets[i] & clip_sets[j]) for i in range(3) for j in range(i + 1, 3))
    check(disjoint and all(clip_sets), "--shard i/3: shards take disjoint, non-empty sets of clips",
          "disjoint", clip_sets)
    check(set().union(*clip_sets) == set(clips), "--shard i/3: together they take every clip",
          len(clips), len(set().union(*clip_sets)))
    merged = sorted(json.dumps(r, sort_keys=True) for rows in parts for r in rows)
    check(merged == single, "the shards' manifests merge into the rows of one unsharded run",
          "%d rows" % len(single), "%d rows" % len(merged))

    # started together on a new folder without --seed, the shards end with
    # one seed (the first to make the folder's settings gives it, the others
    # take it from there), so that they still merge into one run: the run
    # with that seed. (Whether two of them reach the settings in the same
    # instant depends on the scheduler; this checks the outcome either way.)
    no_seed = [a for a in common if a not in ("--seed", "11")]
    together = os.path.join(c.d, "together")
    procs = [subprocess.Popen([e2e.SMEAR] + no_seed + ["--frames", together, "--shard", "%d/3" % i],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for i in range(3)]
    for i, p in enumerate(procs):
        err = p.communicate(timeout=300)[1]
        check(p.returncode == 0, "shard %d/3 started with the others, no --seed: exit status 0" % i,
              0, "%d (stderr: %s)" % (p.returncode, e2e.tail(err)))
    with open(os.path.join(together, ".smear", "settings")) as f:
        seed = [l.split("=", 1)[1] for l in f.read().splitlines() if l.startswith("seed=")]
    check(len(seed) == 1, "the folder's settings hold one seed", 1, seed)
    if len(seed) != 1:
        return
    alone = os.path.join(c.d, "together-unsharded")
    dataset(no_seed + ["--seed", seed[0], "--frames", alone], "one unsharded run with that seed")
    single = sorted_rows(os.path.join(alone, "manifest.jsonl"))
    merged = sorted_rows(*(os.path.join(together, "manifest-%d-of-3.jsonl" % i) for i in range(3)))
    check(merged == single, "shards started together without --seed merge into the rows of one "
          "run with the folder's seed", "%d rows" % len(single), "%d rows" % len(merged))


# --------------------------------------------------------------- bad input

def bad_inputs(c):
    broken = os.path.join(c.d, "broken.mp4")
    with open(broken, "w") as f:
        f.write("this is not a video\n")
    cut = os.path.join(c.d, "cut.mkv")
    with open(c.long, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) // 3])
    out = os.path.join(c.d, "bad")
    p = dataset(["-i", c.a, "-i", broken, "-i", cut, "-i", c.b, "-a", "blur=sigma=1",
                 "--frames", out, "--every", "10", "--seed", "1"],
                "clips that cannot be opened or are cut among good ones", DAMAGED)
    rows = rows_of(os.path.join(out, "manifest.jsonl"))
    errors = {os.path.basename(r["source"]): r["error"] for r in rows if "error" in r}
    check(set(errors) == {"broken.mp4", "cut.mkv"},
          "error rows in the manifest for the broken and the cut clip",
          ["broken.mp4", "cut.mkv"], errors)
    images = {r["clip"] for r in image_rows(rows)}
    check({"a", "b"} <= images, "the run goes on: the good clips' images are there",
          "a and b", sorted(images))
    said = p.stderr.decode("utf-8", "replace")
    check("2 failed" in said, "the summary counts the failed clips", "2 failed",
          e2e.tail(said, 1))


def full_disk(c):
    disk = os.path.join(c.d, "full")
    with e2e.tmpfs(disk, "size=1m") as mounted:
        if not mounted:
            skip("a full disk: cannot mount a small tmpfs here (needs root)")
            return
        out = os.path.join(disk, "ds")
        p = dataset(["-i", c.long, "-a", "blur=sigma=1", "--frames", out, "--seed", "1",
                     "--keep-clean"], "a full disk", FAILED)
        lines = [l for l in p.stderr.decode("utf-8", "replace").splitlines()
                 if "error" in l.lower()]
        check(len(lines) == 1 and "space" in lines[0].lower(),
              "a full disk: one error line that says so", "1 line about space", lines)
        images = snapshot(out)
        check(images, "a full disk: the images finished before it are kept", "> 0", len(images))
        whole = all(len(rgb(os.path.join(out, k))) == 320 * 240 * 3 for k in images)
        check(whole, "a full disk: every image under its final name is whole", "all decode",
              "some do not")
        rows = rows_of(os.path.join(out, "manifest.jsonl"))
        check(rows and all(r["image"] in images for r in rows),
              "a full disk: every manifest row is whole and names an image that is there",
              "%d rows" % len(images), "%d rows" % len(rows))


def main():
    c = e2e.start()
    # lossless RGB sources, so the clean frames compare exactly
    c.a = e2e.make_clip(os.path.join(c.d, "a.mkv"), size="160x120", rate=10, duration=4,
                        pix_fmt="gbrp", vcodec=("-c:v", "ffv1"), audio=False)
    c.a_frames = 40
    folder = os.path.join(c.d, "folder")
    os.makedirs(folder)
    c.b = e2e.make_clip(os.path.join(folder, "b.mkv"), video="smptehdbars", size="160x120",
                        rate=10, duration=2, audio=True, vcodec=("-c:v", "ffv1"),
                        acodec=("-c:a", "flac"))
    c.b_frames = 20
    c.long = e2e.make_clip(os.path.join(c.d, "long.mkv"), size="320x240", rate=25, duration=6,
                           vf="noise=alls=20:allf=t", audio=False, vcodec=("-c:v", "ffv1"))
    e2e.part(basics, c)
    if hasattr(c, "basic_rows"):
        e2e.part(params_match_log, c)
    e2e.part(sampling, c)
    e2e.part(jpeg, c)
    e2e.part(tar_shards, c)
    e2e.part(restart, c)
    e2e.part(other_settings, c)
    e2e.part(sharding, c)
    e2e.part(bad_inputs, c)
    e2e.part(full_disk, c)
    e2e.finish()


if __name__ == "__main__":
    main()
