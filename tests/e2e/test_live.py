"""End-to-end: live streams, with FFmpeg's own program as the real sender
and receiver, on 127.0.0.1 only.

- MPEG-TS over UDP into smear (a paced -re source): every frame comes out,
  none is dropped, the schedule's clock starts at 0 with the first frame
  and follows the stream's timestamps.
- MPEG-TS over TCP in and out: sender -> smear -> an ffmpeg receiver that
  records; the recording has every frame, evenly spaced.
- Falling behind: with an artificially slow chain (--throttle) smear drops
  input frames instead of building a backlog, counts them on the terminal,
  in --stats and in the per-frame log, and its delay stays bounded; the
  same slow chain from a file drops nothing.
- The sender killed mid-stream: smear ends by itself after --input-timeout
  with a finished, playable file.
- HTTP from a server, RTP described by an SDP file, RTSP pushed to smear
  over TCP and UDP, SRT: each ends by itself when the sender stops, with
  every frame through.
- Raw video through pipes with its size stated; a camera that is not there
  (one error line naming the device).
- --reconnect: a second sender on the same address after the first one
  went away; the output holds both, timestamps still increasing. SIGINT and
  SIGTERM end a live run with a playable file.

The pipe chain (ffmpeg | smear | ffmpeg) is in test_pipes.py.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

RATE, SIZE = 25, "320x240"
children = []


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    children.append(p)
    return p


def stop_all():
    for p in children:
        if p.poll() is None:
            p.kill()
        try:
            p.communicate(timeout=10)
        except (subprocess.SubprocessError, ValueError, OSError):
            pass


def sender(url, seconds, extra=()):
    """A paced lavfi source streamed as MPEG-TS to url."""
    return start(["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
                  "testsrc2=size=%s:rate=%d:duration=%s" % (SIZE, RATE, seconds),
                  "-c:v", "mpeg2video", "-q:v", "4", "-g", "12"] + list(extra) +
                 ["-f", "mpegts", url])


def smear_live(args, out, log=None):
    cmd = [e2e.SMEAR] + list(args) + ["-a", "blur=sigma=1.5,shear=x=0.1", "--stats",
                                      "--seed", "4"]
    if log:
        cmd += ["--log", log]
    cmd += ["-c:v", "mpeg2video", "-q:v", "3", "-y", out]
    return start(cmd)


def finish(p, what, timeout):
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        check(False, what + ": smear ends by itself within %d s" % timeout, "an end", "still running")
    return err.decode("utf-8", "replace")


def final_stats(err):
    m = re.search(r"frames in (\d+), out (\d+), dropped (\d+);.*latency ms p50 ([\d.]+) "
                  r"p99 ([\d.]+)", err)
    if not m:
        return None
    return {"in": int(m.group(1)), "out": int(m.group(2)), "dropped": int(m.group(3)),
            "p50": float(m.group(4)), "p99": float(m.group(5))}


def read_log(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def even_times(times, what):
    steps = [b - a for a, b in zip(times, times[1:])]
    check(steps and all(abs(s - 1.0 / RATE) < 0.002 for s in steps),
          what + ": timestamps %.0f ms apart, increasing" % (1000.0 / RATE),
          "%.3f s" % (1.0 / RATE), sorted(set(round(s, 3) for s in steps))[:5])


# ------------------------------------------------------------------ parts

def udp_in(c):
    port = free_port()
    out, log = os.path.join(c.d, "udp.mkv"), os.path.join(c.d, "udp.jsonl")
    s = smear_live(["--input-timeout", "2", "-i", "udp://127.0.0.1:%d" % port], out, log)
    time.sleep(0.7)
    snd = sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 3)
    snd.wait(timeout=60)
    err = finish(s, "UDP", 60)
    check(s.returncode == 0, "UDP: smear ends cleanly when the source stops (status 0)", 0,
          "%d (%s)" % (s.returncode, e2e.tail(err)))
    st = final_stats(err)
    check(st is not None and st["dropped"] == 0 and st["in"] == st["out"] == 3 * RATE,
          "UDP: every frame in and out, none dropped (--stats)", "75 in, 75 out, 0 dropped", st)
    check(e2e.count_frames(out) == 3 * RATE, "UDP: the output holds every frame", 3 * RATE,
          e2e.count_frames(out))
    rows = read_log(log)
    check(rows and rows[0]["t"] == 0 and all(r["dropped"] == 0 for r in rows),
          "UDP: the log's clock starts at 0 with the first frame; no drops logged",
          "t=0, dropped 0", (rows[0]["t"], rows[-1]["dropped"]) if rows else "no rows")
    even_times([r["t"] for r in rows], "UDP: the schedule's clock")
    check(all(abs(r["t"] - (r["pts_time"] - rows[0]["pts_time"])) < 1e-6 for r in rows),
          "UDP: t follows the stream's own timestamps", "t = pts_time - first", "differs")


def tcp_in_out(c):
    pin, pout = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_STREAM)
    rec = os.path.join(c.d, "recorded.ts")
    receiver = start(["ffmpeg", "-v", "error", "-y", "-i", "tcp://127.0.0.1:%d?listen" % pout,
                      "-c", "copy", rec])
    time.sleep(0.7)
    s = start([e2e.SMEAR, "-i", "tcp://127.0.0.1:%d?listen" % pin, "--input-timeout", "2",
               "-a", "blur=sigma=1.5,shear=x=0.1", "--stats", "--seed", "4", "-c:v",
               "mpeg2video", "-f", "mpegts", "tcp://127.0.0.1:%d" % pout])
    time.sleep(0.7)
    snd = sender("tcp://127.0.0.1:%d" % pin, 3)
    snd.wait(timeout=60)
    err = finish(s, "TCP", 60)
    receiver.communicate(timeout=60)
    check(s.returncode == 0, "TCP: smear ends cleanly when the sender closes (status 0)", 0,
          "%d (%s)" % (s.returncode, e2e.tail(err)))
    st = final_stats(err)
    check(st is not None and st["dropped"] == 0 and st["out"] == 3 * RATE,
          "TCP: every frame through, none dropped", "75 out, 0 dropped", st)
    check(e2e.count_frames(rec) == 3 * RATE, "TCP: the receiver recorded every frame", 3 * RATE,
          e2e.count_frames(rec))
    even_times(e2e.frame_times(rec), "TCP: the recording")


def falling_behind(c):
    port = free_port()
    out, log = os.path.join(c.d, "slow.mkv"), os.path.join(c.d, "slow.jsonl")
    s = smear_live(["--input-timeout", "1.5", "--throttle", "100", "-i",
                    "udp://127.0.0.1:%d" % port], out, log)
    time.sleep(0.7)
    sent = 4 * RATE
    snd = sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 4)
    snd.wait(timeout=60)
    err = finish(s, "falling behind", 60)
    st = final_stats(err)
    check(st is not None and st["dropped"] > 0, "falling behind: input frames are dropped",
          "> 0", st)
    check(st is not None and st["out"] + st["dropped"] == sent,
          "falling behind: frames out + dropped = frames sent", sent, st)
    check(re.search(r"warning: .*dropped \d+ input frames", err) is not None,
          "falling behind: the terminal says so while it happens", "a 'dropped N' warning",
          e2e.tail(err))
    rows = read_log(log)
    check(rows and rows[-1]["dropped"] > 0 and rows[-1]["dropped"] <= st["dropped"],
          "falling behind: the per-frame log counts the drops", "> 0",
          rows[-1]["dropped"] if rows else "no rows")
    check(st is not None and st["p99"] < 1500, "falling behind: the delay stays bounded (p99)",
          "< 1500 ms", st["p99"] if st else None)
    check(e2e.count_frames(out) == st["out"], "falling behind: the output is whole",
          st["out"], e2e.count_frames(out))

    # the same slow chain from a file: nothing is dropped
    p = e2e.smear(["-i", c.clip, "--throttle", "30", "--stats", "-a", "blur=sigma=1",
                   "-c:v", "mpeg2video", "-y", os.path.join(c.d, "slow_file.mkv")], timeout=120)
    st = final_stats(p.stderr.decode("utf-8", "replace"))
    total = e2e.count_frames(c.clip)
    check(p.returncode == 0 and st is not None and st["dropped"] == 0 and st["out"] == total,
          "a slow chain from a file drops nothing", "%d out, 0 dropped" % total, st)


def sender_killed(c):
    port = free_port()
    out = os.path.join(c.d, "killed.mp4")
    s = smear_live(["--input-timeout", "1.5", "-i", "udp://127.0.0.1:%d" % port], out)
    time.sleep(0.7)
    snd = sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 20)
    time.sleep(2.5)
    snd.kill()
    t0 = time.monotonic()
    err = finish(s, "sender killed", 30)
    check(s.returncode == 0 and time.monotonic() - t0 < 8,
          "sender killed: smear ends cleanly soon after --input-timeout", "status 0 within 8 s",
          "%d after %.1f s (%s)" % (s.returncode, time.monotonic() - t0, e2e.tail(err)))
    n = e2e.count_frames(out)
    check(n is not None and n >= RATE, "sender killed: a finished, playable MP4 of what came",
          ">= %d frames" % RATE, n)


def reconnect(c):
    port = free_port()
    out, log = os.path.join(c.d, "again.mkv"), os.path.join(c.d, "again.jsonl")
    s = smear_live(["--input-timeout", "1", "--reconnect", "-i", "udp://127.0.0.1:%d" % port],
                   out, log)
    time.sleep(0.7)
    sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 2).wait(timeout=60)
    time.sleep(2.5)  # the source is lost; smear reopens it
    sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 2).wait(timeout=60)
    time.sleep(0.8)
    s.send_signal(signal.SIGINT)
    err = finish(s, "reconnect", 30)
    check(s.returncode == 128 + signal.SIGINT, "reconnect: SIGINT ends the run (status 130)",
          130, "%d (%s)" % (s.returncode, e2e.tail(err)))
    n = e2e.count_frames(out)
    check(n is not None and n >= 2 * 2 * RATE - 4, "reconnect: the output holds both senders' frames",
          ">= %d" % (4 * RATE - 4), n)
    times = e2e.frame_times(out)
    check(times and all(b > a for a, b in zip(times, times[1:])),
          "reconnect: timestamps keep increasing across the gap", "increasing",
          "not increasing" if times else "no times")

    # SIGTERM during a live run: a playable file
    port = free_port()
    out = os.path.join(c.d, "term.mp4")
    s = smear_live(["-i", "udp://127.0.0.1:%d" % port], out)
    time.sleep(0.7)
    snd = sender("udp://127.0.0.1:%d?pkt_size=1316" % port, 10)
    time.sleep(2)
    s.send_signal(signal.SIGTERM)
    err = finish(s, "SIGTERM", 30)
    snd.kill()
    n = e2e.count_frames(out)
    check(s.returncode == 128 + signal.SIGTERM and n is not None and n > 0,
          "SIGTERM during a live run: status 143 and a playable MP4", "143, > 0 frames",
          "%d, %s frames (%s)" % (s.returncode, n, e2e.tail(err)))



def protocol_run(c, name, smear_args, send, seconds=3, wait_before_smear=False):
    """One live source: smear reading smear_args' input, send() starting the
    sender (before smear when wait_before_smear, for a sender that listens);
    smear must end by itself with status 0 and every frame through."""
    out = os.path.join(c.d, name.replace(" ", "_") + ".mkv")
    if wait_before_smear:
        snd = send()
        time.sleep(0.7)
    s = smear_live(["--input-timeout", "2"] + smear_args, out)
    if not wait_before_smear:
        time.sleep(0.7)
        snd = send()
    snd.wait(timeout=60)
    err = finish(s, name, 60)
    check(s.returncode == 0, name + ": smear ends by itself when the sender stops (status 0)", 0,
          "%d (%s)" % (s.returncode, e2e.tail(err)))
    st = final_stats(err)
    n = seconds * RATE
    check(st is not None and st["dropped"] == 0 and st["in"] == st["out"] == n,
          name + ": every frame in and out, none dropped", "%d in and out" % n, st)
    check(e2e.count_frames(out) == n, name + ": the output holds every frame", n,
          e2e.count_frames(out))


def other_protocols(c):
    """HTTP from a server, RTP described by an SDP file, RTSP pushed to smear
    (over TCP and over UDP), and SRT when FFmpeg has it."""
    src = ["ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
           "testsrc2=size=%s:rate=%d:duration=3" % (SIZE, RATE), "-c:v", "mpeg2video",
           "-q:v", "4", "-g", "12"]

    port = free_port(socket.SOCK_STREAM)
    url = "http://127.0.0.1:%d/live.ts" % port
    protocol_run(c, "HTTP", ["-i", url],
                 lambda: start(src + ["-f", "mpegts", "-listen", "1", url]), wait_before_smear=True)

    # the SDP names the port and the payload (32: MPEG video); smear binds
    # it before the sender starts, and only the sender's silence ends it
    port = free_port()
    sdp = os.path.join(c.d, "rtp.sdp")
    with open(sdp, "w") as f:
        f.write("v=0\no=- 0 0 IN IP4 127.0.0.1\ns=smear test\nc=IN IP4 127.0.0.1\nt=0 0\n"
                "m=video %d RTP/AVP 32\n" % port)
    protocol_run(c, "RTP from an SDP file", ["-protocol_whitelist", "file,udp,rtp", "-i", sdp],
                 lambda: start(src + ["-f", "rtp", "rtp://127.0.0.1:%d" % port]))

    for transport in ("tcp", "udp"):
        port = free_port(socket.SOCK_STREAM)
        url = "rtsp://127.0.0.1:%d/live" % port
        protocol_run(c, "RTSP over " + transport.upper(), ["-rtsp_flags", "listen", "-i", url],
                     lambda: start(src + ["-f", "rtsp", "-rtsp_transport", transport, url]))

    protocols = e2e.run(["ffmpeg", "-hide_banner", "-protocols"]).stdout.decode().split()
    if "srt" not in protocols:
        skip("SRT: this FFmpeg has no SRT protocol")
        return
    port = free_port()
    # linger: the sender waits for its last packets to be taken before it
    # closes (without, the receiver's latency buffer loses the last frames)
    protocol_run(c, "SRT", ["-i", "srt://127.0.0.1:%d?mode=listener" % port],
                 lambda: start(src + ["-f", "mpegts",
                                      "srt://127.0.0.1:%d?mode=caller&linger=3" % port]))


def raw_pipe_and_camera(c):
    """Raw video through pipes with its size stated, both ways; a camera
    that is not there."""
    w, h, n = 160, 120, 2 * RATE
    src = subprocess.Popen(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                            "testsrc2=size=%dx%d:rate=%d:duration=2" % (w, h, RATE),
                            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    children.append(src)
    p = subprocess.run([e2e.SMEAR, "-f", "rawvideo", "-video_size", "%dx%d" % (w, h),
                        "-pixel_format", "yuv420p", "-framerate", str(RATE), "-i", "-",
                        "-a", "blur=sigma=2", "-f", "rawvideo", "-"],
                       stdin=src.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    src.stdout.close()
    src.wait(timeout=30)
    size = w * h * 3 // 2
    check(p.returncode == 0 and len(p.stdout) == n * size,
          "raw video in and out through pipes, the size stated: every frame", n * size,
          "%d bytes, status %d (%s)" % (len(p.stdout), p.returncode, e2e.tail(p.stderr)))
    raw = e2e.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                   "testsrc2=size=%dx%d:rate=%d:duration=0.04" % (w, h, RATE),
                   "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]).stdout[:size]
    sharp_in = e2e.sharpness(e2e.Plane(w, h, raw[:w * h]))
    sharp_out = e2e.sharpness(e2e.Plane(w, h, p.stdout[:w * h]))
    check(sharp_out < 0.7 * sharp_in, "raw video through pipes: the frames are blurred",
          "< 70%% of %.1f" % sharp_in, sharp_out)

    camera = "/dev/video-smear-test-absent"
    p = e2e.smear(["-f", "v4l2", "-i", camera, "-a", "blur", "-y", os.path.join(c.d, "cam.mkv")],
                  timeout=60)
    errs = [l for l in p.stderr.decode("utf-8", "replace").splitlines() if "error" in l.lower()]
    check(p.returncode == 1 and len(errs) == 1 and camera in errs[0],
          "a camera that is not there: status 1 and one error line naming it", camera,
          "%d: %s" % (p.returncode, errs))


def main():
    c = e2e.start()
    c.clip = e2e.make_clip(os.path.join(c.d, "clip.mkv"), duration=2, audio=False,
                           vcodec=("-c:v", "ffv1"))
    try:
        e2e.part(udp_in, c)
        e2e.part(tcp_in_out, c)
        e2e.part(falling_behind, c)
        e2e.part(sender_killed, c)
        e2e.part(reconnect, c)
        e2e.part(other_protocols, c)
        e2e.part(raw_pipe_and_camera, c)
    finally:
        stop_all()
    e2e.finish()


if __name__ == "__main__":
    main()
