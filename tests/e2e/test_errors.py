"""End-to-end: mistakes and failures. Each mistake gets one clear error line
naming the problem, the documented exit status (2 for a bad command line
or chain, 1 for a run that fails), and leaves no output behind. SIGINT and
SIGTERM end a run cleanly with a finished, playable file; a run that
fails part way leaves nothing under the output's name."""

import os
import signal
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

USAGE, FAILED = 2, 1


def error_lines(stderr):
    text = stderr.decode("utf-8", "replace")
    return [line for line in text.splitlines() if "error" in line.lower()]


def mistake(c, label, args, status, names, out=None, stdout_empty=False):
    """smear with these arguments must exit with status, print exactly one
    error line that contains every string of names, and leave neither out
    nor out.partial."""
    out = out or os.path.join(c.d, "out.mkv")
    p = e2e.smear(args + [out], timeout=120)
    check(p.returncode == status, label + ": exit status %d" % status, status,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    lines = error_lines(p.stderr)
    check(len(lines) == 1, label + ": exactly one error line", "1 line containing 'error'",
          "%d: %s" % (len(lines), e2e.tail(p.stderr)))
    missing = [n for n in names if n not in lines[0]]
    check(not missing, label + ": the error line names %s" % ", ".join(repr(n) for n in names),
          "a line with %s" % ", ".join(repr(n) for n in names), repr(lines[0]))
    if out != "-":
        left = [f for f in (out, out + ".partial") if os.path.exists(f)]
        check(not left, label + ": no output file left behind", "nothing",
              ", ".join(os.path.basename(f) for f in left))
    if stdout_empty:
        check(p.stdout == b"", label + ": nothing written to standard output", "0 bytes",
              "%d bytes" % len(p.stdout))


def exists_without_y(c):
    out = os.path.join(c.d, "existing.mkv")
    data = b"this file was here first\n"
    with open(out, "wb") as f:
        f.write(data)
    before = os.stat(out)
    p = e2e.smear(["-i", c.src, "-a", "blur=sigma=1", out], timeout=120)
    check(p.returncode == USAGE, "output exists, no -y: exit status 2", USAGE,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    lines = error_lines(p.stderr)
    check(len(lines) == 1 and "existing.mkv" in lines[0] and "-y" in lines[0],
          "output exists, no -y: one error line naming the file and -y",
          "one line with 'existing.mkv' and '-y'", e2e.tail(p.stderr))
    with open(out, "rb") as f:
        now = f.read()
    after = os.stat(out)
    check(now == data and after.st_mtime_ns == before.st_mtime_ns,
          "output exists, no -y: the existing file is untouched", "the same bytes and time",
          "%d bytes, modified %s" % (len(now), after.st_mtime_ns != before.st_mtime_ns))
    check(not os.path.exists(out + ".partial"), "output exists, no -y: no .partial file")


def signal_when_writing(p, out, sig, settle):
    """Waits for process p to start writing out (its .partial), lets it run
    settle seconds more, and sends it sig if it still runs; whether it did."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and p.poll() is None:
        if os.path.exists(out + ".partial") and os.path.getsize(out + ".partial") > 0:
            break
        time.sleep(0.05)
    time.sleep(settle)
    running = p.poll() is None
    if running:
        p.send_signal(sig)
    return running


def stop_by_signal(c, sig, ext):
    """A long real-time run stopped by a signal: status 128+N, a complete file."""
    name = signal.Signals(sig).name
    label = "%s during a run into %s" % (name, ext)
    out = os.path.join(c.d, "stopped_%s.%s" % (name, ext))
    src = "testsrc2=size=320x240:rate=25:duration=600,realtime"
    with open(os.path.join(c.d, "stderr_%s_%s.txt" % (name, ext)), "w+b") as err:
        p = subprocess.Popen([e2e.SMEAR, "-f", "lavfi", "-i", src, "-a", "blur=sigma=1.5",
                              out], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=err)
        running = signal_when_writing(p, out, sig, 1.5)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            e2e.fail(label + ": smear did not end within 20 s of the signal")
            return
        err.seek(0)
        stderr = err.read()
    check(running, label + ": smear was still running when the signal came", "running",
          "ended with %s (%s)" % (p.returncode, e2e.tail(stderr)))
    check(p.returncode == 128 + sig, label + ": exit status 128+%d" % sig, 128 + sig,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(stderr)))
    check(os.path.isfile(out) and not os.path.exists(out + ".partial"),
          label + ": the output is under its own name, no .partial left",
          os.path.basename(out), ", ".join(sorted(f for f in os.listdir(c.d) if "stopped_" in f)))
    info = e2e.probe(out)
    dur = e2e._num(info["format"].get("duration"))
    n = e2e.count_frames(out)
    check(dur is not None and dur > 0 and n and n > 0,
          label + ": ffprobe reads it, with a positive duration and frame count",
          "> 0 s and > 0 frames", "%s s, %s frames" % (dur, n))
    check(abs(dur - n / 25.0) <= 0.2, label + ": its duration matches its frames",
          "%.2f s for %d frames" % (n / 25.0, n), "%.2f s" % dur)
    p = e2e.run(["ffmpeg", "-nostdin", "-v", "error", "-i", out, "-f", "null", "-"])
    check(p.returncode == 0 and not p.stderr.strip(), label + ": decodes to the end without errors",
          "no errors", e2e.tail(p.stderr))


def log_file(c):
    """--log never overwrites the input or the output, is not left behind by
    a mistake (nor by a run that logged nothing), and is there, whole,
    after a run that wrote its output; - is standard output."""
    src = os.path.join(c.d, "log_in.mp4")
    with open(c.src, "rb") as f:
        data = f.read()
    with open(src, "wb") as f:
        f.write(data)
    mistake(c, "--log naming the input", ["-i", src, "-a", "blur", "--log", src, "-y"], USAGE,
            ["log_in.mp4", "input"])
    with open(src, "rb") as f:
        check(f.read() == data, "--log naming the input: the input is untouched")
    out = os.path.join(c.d, "log_out.mkv")
    mistake(c, "--log naming the output", ["-i", c.src, "-a", "blur", "--log", out, "-y"], USAGE,
            ["log_out.mkv", "output"], out)
    # the output named another way, before it exists
    was = os.getcwd()
    os.chdir(c.d)
    try:
        mistake(c, "--log naming the output another way", ["-i", c.src, "-a", "blur", "--log",
                                                           "./log_out.mkv", "-y"], USAGE,
                ["log_out.mkv", "output"], "log_out.mkv")
    finally:
        os.chdir(was)
    # a pipe is written as it is, and stays a pipe
    fifo = os.path.join(c.d, "log.fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.extend(open(fifo).read().splitlines()))
    reader.start()
    p = e2e.smear(["-i", c.src, "-a", "blur=sigma=2", "--log", fifo, "-y", out], timeout=120)
    reader.join(60)
    check(p.returncode == 0 and len(got) == 50 and stat.S_ISFIFO(os.stat(fifo).st_mode),
          "--log into a named pipe: 50 lines through it, and it stays a pipe", "status 0, 50",
          "%d, %d lines" % (p.returncode, len(got)))
    log = os.path.join(c.d, "params.jsonl")
    for label, args, status in (
            ("--log with an unknown encoder option", ["-i", c.src, "-a", "blur", "-no_such_opt",
                                                      "3"], USAGE),
            ("--log with a missing input", ["-i", os.path.join(c.d, "nothing_here.mp4"), "-a",
                                            "blur"], FAILED)):
        p = e2e.smear(args + ["--log", log, "-y", out], timeout=120)
        left = [f for f in (log, log + ".partial") if os.path.exists(f)]
        check(p.returncode == status and not left, label + ": status %d and no log left" % status,
              "%d, nothing" % status, "%d, %s" % (p.returncode, left))
    p = e2e.smear(["-i", c.src, "-a", "blur=sigma=2", "--log", log, "-y", out], timeout=120)
    lines = open(log).read().splitlines() if os.path.exists(log) else []
    check(p.returncode == 0 and len(lines) == 50 and not os.path.exists(log + ".partial"),
          "--log after a run: a line per frame under its own name", "status 0, 50 lines",
          "%d, %d lines (%s)" % (p.returncode, len(lines), e2e.tail(p.stderr)))
    p = e2e.smear(["-i", c.src, "-a", "blur=sigma=2", "--log", "-", "-y", out], timeout=120)
    lines = p.stdout.decode("utf-8", "replace").splitlines()
    check(p.returncode == 0 and len(lines) == 50 and all(x.startswith("{") for x in lines)
          and not os.path.exists("-"), "--log -: the lines go to standard output", "50 lines",
          "%d lines" % len(lines))


def print_to_full_disk(c):
    """What smear prints on standard output (a schedule, the help, the
    presets) failing to be written: status 1 and one error line, not a
    silent 0."""
    if not os.path.exists("/dev/full"):
        skip("printing to a full disk: no /dev/full here")
        return
    for label, args in (("--print-schedule", ["-a", "blur=sigma='1+t'", "--print-schedule",
                                              "--duration", "100"]),
                        ("--help", ["--help"]), ("--list-presets", ["--list-presets"])):
        with open("/dev/full", "wb") as full:
            p = e2e.run([e2e.SMEAR] + args, stdout=full, timeout=60)
        lines = error_lines(p.stderr)
        check(p.returncode == FAILED and len(lines) == 1 and "standard output" in lines[0],
              "%s into a full disk: status 1, one error line naming standard output" % label,
              "1, one line", "%d: %s" % (p.returncode, e2e.tail(p.stderr)))


def stop_stalled_pipe(c, sig):
    """Standard input that stops sending without closing (a stalled
    producer), then a signal: the run ends at once with status 128+N and a
    complete file of the frames that came."""
    name = signal.Signals(sig).name
    label = "%s while standard input stalls" % name
    out = os.path.join(c.d, "stalled_%s.mkv" % name)
    p = e2e.run(["ffmpeg", "-nostdin", "-v", "error", "-i", c.src, "-c", "copy", "-f", "nut", "-"])
    check(p.returncode == 0 and p.stdout, label + ": the stream to send was made", "a nut stream",
          e2e.tail(p.stderr))
    with open(os.path.join(c.d, "stderr_stalled_%s.txt" % name), "w+b") as err:
        s = subprocess.Popen([e2e.SMEAR, "-i", "-", "-a", "blur=sigma=1.5", out],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        s.stdin.write(p.stdout)
        s.stdin.flush()  # and left open: the producer is stalled, not gone
        running = signal_when_writing(s, out, sig, 1.0)
        t0 = time.monotonic()
        try:
            s.wait(timeout=20)
        except subprocess.TimeoutExpired:
            s.kill()
            s.wait()
        waited = time.monotonic() - t0
        s.stdin.close()
        err.seek(0)
        stderr = err.read()
    check(running, label + ": smear was waiting for more input when the signal came", "running",
          "ended with %s (%s)" % (s.returncode, e2e.tail(stderr)))
    check(s.returncode == 128 + sig and waited < 5,
          label + ": the signal ends the run within 5 s, status 128+%d" % sig,
          "%d within 5 s" % (128 + sig), "%d after %.1f s (%s)" % (s.returncode, waited,
                                                                  e2e.tail(stderr)))
    n = e2e.count_frames(out) if os.path.isfile(out) else None
    check(n == 50, label + ": the output is complete, with every frame sent", 50, n)


def stop_before_open(c):
    """A signal while the input has sent nothing yet: status 128+N, no error
    line, no output."""
    out = os.path.join(c.d, "never_opened.mkv")
    log = os.path.join(c.d, "never_opened.jsonl")
    s = subprocess.Popen([e2e.SMEAR, "-i", "-", "-a", "blur", "--log", log, out],
                         stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    s.send_signal(signal.SIGINT)
    try:
        _, err = s.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        s.kill()
        _, err = s.communicate()
    check(s.returncode == 128 + signal.SIGINT and not error_lines(err),
          "SIGINT before the input opened: status 130, no error line", "130, none",
          "%d: %s" % (s.returncode, e2e.tail(err)))
    check(not any(os.path.exists(f) for f in (out, out + ".partial", log, log + ".partial")),
          "SIGINT before the input opened: no output file, no log")


def fails_midway(c):
    """Writing fails part way (the file size limit is reached): status 1, and
    nothing under the output's name (the part written may stay as .partial)."""
    try:
        import resource
    except ImportError:
        skip("a run failing part way: no file size limit on this system")
        return
    limit = 256 * 1024

    def small_files():
        # the signal the limit raises keeps its default (ending the process):
        # smear must ignore it itself, so that the write fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)

    out = os.path.join(c.d, "too_big.mkv")
    try:
        p = subprocess.run([e2e.SMEAR, "-i", c.big, "-a", "blur=sigma=1", "-c:v", "ffv1", out],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, preexec_fn=small_files, timeout=300)
    except (OSError, ValueError, subprocess.SubprocessError) as e:
        skip("a run failing part way: cannot limit the file size (%s)" % e)
        return
    partial = out + ".partial"
    check(p.returncode == FAILED, "file size limit reached: exit status 1", FAILED,
          "%d (stderr: %s)" % (p.returncode, e2e.tail(p.stderr)))
    check(not os.path.exists(out), "file size limit reached: nothing under the output's name",
          "no " + os.path.basename(out), "it exists")
    lines = error_lines(p.stderr)
    check(any("too_big.mkv" in line for line in lines),
          "file size limit reached: an error line names the output", "a line with too_big.mkv",
          e2e.tail(p.stderr))
    check(len(lines) == 1, "file size limit reached: exactly one error line", 1,
          "%d: %s" % (len(lines), e2e.tail(p.stderr)))
    if os.path.exists(partial):
        said = p.stderr.decode("utf-8", "replace")
        check(os.path.basename(partial) in said,
              "file size limit reached: the kept .partial file is named", partial,
              e2e.tail(p.stderr))
        os.unlink(partial)



def main():
    c = e2e.start()
    c.src = e2e.make_clip(os.path.join(c.d, "in.mp4"), duration=2,
                          vcodec=("-c:v", "mpeg4", "-q:v", "3"))
    audio = os.path.join(c.d, "audio_only.m4a")
    e2e.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio],
               what="making an audio-only file")
    c.big = e2e.make_clip(os.path.join(c.d, "big.mkv"), duration=4, vf="noise=alls=30:allf=t",
                          audio=False)
    missing = os.path.join(c.d, "no_such_clip.mp4")
    empty = os.path.join(c.d, "empty.mp4")
    open(empty, "wb").close()
    cases = [
        ("missing input file", ["-i", missing, "-a", "blur=sigma=1"], FAILED,
         ["no_such_clip.mp4"]),
        ("input with no video stream", ["-i", audio, "-a", "blur=sigma=1"], FAILED,
         ["audio_only.m4a", "video"]),
        ("unknown filter", ["-i", c.src, "-a", "blurr=sigma=2"], USAGE, ["blurr"]),
        ("unknown filter option", ["-i", c.src, "-a", "blur=sigmaa=2"], USAGE,
         ["blur", "sigmaa"]),
        ("unknown command-line option", ["-i", c.src, "-a", "blur", "--no-such-option"], USAGE,
         ["--no-such-option"]),
        ("unknown encoder option", ["-i", c.src, "-a", "blur", "-no_such_opt", "3"], USAGE,
         ["no_such_opt"]),
        ("negative sigma", ["-i", c.src, "-a", "blur=sigma=-1"], USAGE, ["sigma", "-1"]),
        ("expression syntax error", ["-i", c.src, "-a", "blur=sigma=2*(t+"], USAGE,
         ["sigma", "2*(t+"]),
        ("unknown encoder", ["-i", c.src, "-a", "blur", "-c:v", "no_such_encoder"], USAGE,
         ["no_such_encoder"]),
        ("unknown input format", ["-f", "nosuchfmt", "-i", c.src, "-a", "blur"], USAGE,
         ["nosuchfmt"]),
        # the library's own complaint is the reason in smear's line, not a line of its own
        ("an encoder option's value it cannot take", ["-i", c.src, "-a", "blur", "-c:v", "mpeg4",
                                                      "-g", "abc"], USAGE, ["mpeg4", "abc"]),
        ("unknown output format", ["-i", c.src, "-a", "blur", "-f", "nosuchfmt"], USAGE,
         ["nosuchfmt"]),
        ("an empty input file", ["-i", empty, "-a", "blur"], FAILED, ["empty.mp4"]),
        ("a quote left open", ["-i", c.src, "-a", "blur=sigma='2"], USAGE, ["quote"]),
        ("an empty -threads", ["-i", c.src, "-a", "blur", "-threads", ""], USAGE, ["-threads"]),
        ("an empty --seed", ["-i", c.src, "-a", "blur", "--seed", ""], USAGE, ["--seed"]),
        ("-vf_pre letting no frame through", ["-i", c.src, "-a", "blur", "-vf_pre", "select=0"],
         FAILED, ["-vf_pre", "select=0", "no frame"]),
        ("-vf_post letting no frame through", ["-i", c.src, "-a", "blur", "-vf_post",
                                               "select=gte(n\\,100)"], FAILED,
         ["-vf_post", "no frame"]),
    ]
    for label, args, status, names in cases:
        e2e.part(mistake, c, label, args, status, names)
    e2e.part(mistake, c, "output in a directory that does not exist",
             ["-i", c.src, "-a", "blur"], FAILED, ["no_such_dir"],
             os.path.join(c.d, "no_such_dir", "out.mkv"))
    e2e.part(mistake, c, "standard output without -f", ["-i", c.src, "-a", "blur"], USAGE,
             ["-f"], "-", True)
    e2e.part(exists_without_y, c)
    for ext in ("mp4", "mkv"):
        for sig in (signal.SIGINT, signal.SIGTERM):
            e2e.part(stop_by_signal, c, sig, ext)
    for sig in (signal.SIGINT, signal.SIGTERM):
        e2e.part(stop_stalled_pipe, c, sig)
    e2e.part(log_file, c)
    e2e.part(stop_before_open, c)
    e2e.part(print_to_full_disk, c)
    e2e.part(fails_midway, c)
    e2e.finish()


if __name__ == "__main__":
    main()
