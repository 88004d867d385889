"""End-to-end: the library as another program sees it. `meson install`
into a staging folder; a small C program, built only with what pkg-config
says about smear, blurs a frame through the installed library and prints
what it applied; the installed smear program runs too.
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, skip  # noqa: E402

PROGRAM = r"""
#include <stdio.h>
#include <string.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <smear/smear.h>

int main(void)
{
    SmearSettings s;
    SmearContext *ctx = NULL;
    smear_default_settings(&s);
    s.chain = "blur=sigma=3";
    s.seed = 7;
    s.seed_set = 1;
    if (smear_open(&ctx, &s) < 0)
        return 1;
    AVFrame *in = av_frame_alloc(), *out = av_frame_alloc();
    in->width = 64;
    in->height = 48;
    in->format = AV_PIX_FMT_YUV420P;
    in->pts = 0;
    if (av_frame_get_buffer(in, 0) < 0)
        return 1;
    /* a white square on black: a blur spreads it */
    for (int p = 0; p < 3; p++)
        for (int y = 0; y < (p ? 24 : 48); y++)
            memset(in->data[p] + y * in->linesize[p], p ? 128 : 0, p ? 32 : 64);
    for (int y = 16; y < 32; y++)
        memset(in->data[0] + y * in->linesize[0] + 24, 255, 16);
    if (smear_send_frame(ctx, in) < 0 || smear_receive_frame(ctx, out) < 0)
        return 1;
    const AVDictionaryEntry *e = av_dict_get(out->metadata, SMEAR_META_PARAMS, NULL, 0);
    printf("version %s\n", smear_version());
    printf("corner %d edge %d centre %d\n", out->data[0][0],
           out->data[0][24 * out->linesize[0] + 22], out->data[0][24 * out->linesize[0] + 32]);
    printf("params %s\n", e ? e->value : "none");
    smear_close(&ctx);
    av_frame_free(&in);
    av_frame_free(&out);
    return 0;
}
"""


def main():
    c = e2e.start()
    build = os.path.dirname(os.path.dirname(os.path.abspath(e2e.SMEAR)))
    for prog in ("meson", "pkg-config", "cc"):
        if not shutil.which(prog):
            skip("the %s program is not installed" % prog)
            sys.exit(e2e.SKIP_STATUS)
    stage = os.path.join(c.d, "stage")
    p = e2e.run(["meson", "install", "-C", build, "--destdir", stage, "--no-rebuild", "--quiet"],
                timeout=300)
    check(p.returncode == 0, "meson install into a staging folder", 0,
          "%d (%s)" % (p.returncode, e2e.tail(p.stdout + p.stderr)))
    pcs = [os.path.join(r, f) for r, _, fs in os.walk(stage) for f in fs if f == "smear.pc"]
    check(len(pcs) == 1, "a pkg-config file smear.pc is installed", 1, len(pcs))
    headers = [os.path.join(r, f) for r, _, fs in os.walk(stage) for f in fs if f == "smear.h"]
    check(headers, "the public header smear/smear.h is installed", "present", "absent")
    pc_dir = os.path.dirname(pcs[0])
    env = dict(os.environ, PKG_CONFIG_PATH=pc_dir)
    # the installed prefix, moved under the staging folder
    prefix = next(line.split("=", 1)[1].strip() for line in open(pcs[0])
                  if line.startswith("prefix="))
    flags = subprocess.run(["pkg-config", "--define-variable=prefix=" + stage + prefix,
                            "--cflags", "--libs", "smear"],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(flags.returncode == 0, "pkg-config knows smear (and its libav* requirements)", 0,
          e2e.tail(flags.stderr))
    src = os.path.join(c.d, "client.c")
    with open(src, "w") as f:
        f.write(PROGRAM)
    exe = os.path.join(c.d, "client")
    # a library built with the sanitizers wants its program built with them
    libs = [os.path.join(r, f) for r, _, fs in os.walk(stage) for f in fs
            if f.startswith("libsmear.so")]
    deps = e2e.run(["ldd", libs[0]]).stdout.decode("utf-8", "replace") if libs else ""
    sanitize = ["-fsanitize=address,undefined"] if "libasan" in deps else []
    cc = e2e.run(["cc", "-std=c17", "-Wall", "-Werror"] + sanitize + ["-o", exe, src] +
                 flags.stdout.decode().split(), timeout=120)
    check(cc.returncode == 0, "a C program builds against the installed library with "
          "pkg-config's flags alone", 0, e2e.tail(cc.stderr))
    libdir = [a[2:] for a in flags.stdout.decode().split() if a.startswith("-L")]
    run_env = dict(os.environ, LD_LIBRARY_PATH=":".join(libdir))
    out = e2e.run([exe], env=run_env, timeout=60)
    text = out.stdout.decode("utf-8", "replace")
    check(out.returncode == 0, "the program runs with the installed library", 0,
          "%d (%s)" % (out.returncode, e2e.tail(out.stderr)))
    ldd = e2e.run(["ldd", exe], env=run_env).stdout.decode("utf-8", "replace")
    check(any(stage in line for line in ldd.splitlines() if "libsmear" in line),
          "it loads the installed libsmear, not the build folder's", stage, e2e.tail(ldd))
    vals = {}
    for line in text.splitlines():
        if line.startswith("corner"):
            parts = line.split()
            vals = {parts[i]: int(parts[i + 1]) for i in range(0, len(parts), 2)}
    check(vals.get("corner") == 0 and 0 < vals.get("edge", 0) < 255 and
          vals.get("centre", 0) > vals.get("edge", 255),
          "the installed library blurs: black stays black far away, the square's edge is "
          "spread", "corner 0, edge between, centre above", vals)
    check('"sigma":3' in text and '"seed":7' in text,
          "the frame carries the parameters applied (sigma 3, seed 7)", "sigma 3, seed 7",
          e2e.tail(text))
    smear_bin = [os.path.join(r, f) for r, _, fs in os.walk(stage) for f in fs if f == "smear"]
    ver = e2e.run(smear_bin[:1] + ["--version"], env=run_env) if smear_bin else None
    check(ver is not None and ver.returncode == 0 and b"smear" in ver.stdout + ver.stderr,
          "the installed smear program runs", "smear --version", e2e.tail(ver.stderr) if ver else "absent")
    e2e.finish()


if __name__ == "__main__":
    main()
