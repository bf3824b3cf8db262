#!/usr/bin/env python3
"""Boot an arm64 kernel + initramfs under qemu-system-aarch64 (virt machine, TCG), wait for the
guest to panic, and dump its memory with QEMU's dump-guest-memory.
Adapted from shared/refdumps/tools/capture.py: same QMP flow; arm64 machine, PL011 console
(ttyAMA0), and no pvpanic (the panic is seen on the console).
usage: capture.py KERNEL INITRD OUTPREFIX [--cpu cortex-a57] [--mem 1024] [--smp 2]
                  [--formats elf,kdump-zlib] [--append ...] [--timeout 600]
A format other than elf that QEMU refuses is reported and skipped; elf must succeed.
"""
import argparse, json, os, socket, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("kernel"); ap.add_argument("initrd"); ap.add_argument("out")
ap.add_argument("--mem", default="1024"); ap.add_argument("--smp", default="2")
ap.add_argument("--formats", default="elf,kdump-zlib")
ap.add_argument("--append", default="")
ap.add_argument("--timeout", type=int, default=600)
ap.add_argument("--cpu", default="cortex-a57")
ap.add_argument("--machine", default="virt")
a = ap.parse_args()

sock = a.out + ".qmp"
if os.path.exists(sock): os.unlink(sock)
cmd = ["qemu-system-aarch64", "-M", a.machine, "-accel", "tcg", "-cpu", a.cpu, "-m", a.mem, "-smp", a.smp,
       "-nographic", "-no-reboot",
       "-kernel", a.kernel, "-initrd", a.initrd,
       "-append", "console=ttyAMA0 panic=0 oops=panic loglevel=7 " + a.append,
       "-device", "vmcoreinfo",
       "-serial", "file:" + a.out + ".console", "-monitor", "none",
       "-qmp", "unix:%s,server=on,wait=off" % sock]
q = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(a.out + ".qemu.log", "w"))
for _ in range(100):
    if os.path.exists(sock): break
    time.sleep(0.1)
s = socket.socket(socket.AF_UNIX); s.connect(sock); f = s.makefile("rw")
def rd():
    return json.loads(f.readline())
def call(execute, **args):
    f.write(json.dumps({"execute": execute, "arguments": args} if args else {"execute": execute}) + "\n"); f.flush()
    while True:
        m = rd()
        if "return" in m or "error" in m: return m
rd(); call("qmp_capabilities")
t0 = time.time()
while True:
    st = call("query-status")["return"]["status"]
    if st in ("guest-panicked", "paused"): break
    con = open(a.out + ".console", errors="replace").read() if os.path.exists(a.out + ".console") else ""
    if "---[ end Kernel panic" in con:
        time.sleep(1); call("stop"); st = "panicked (seen on console)"; break
    if time.time() - t0 > a.timeout or q.poll() is not None:
        print("guest did not panic: status", st, "after %.0fs" % (time.time() - t0), file=sys.stderr)
        q.kill(); sys.exit(1)
    time.sleep(0.5)
print("guest status:", st, "after %.1fs" % (time.time() - t0))
ok = True
for fmt in a.formats.split(","):
    path = os.path.abspath("%s.%s" % (a.out, fmt))
    args = {"paging": False, "protocol": "file:" + path}
    if fmt != "elf": args["format"] = fmt
    r = call("dump-guest-memory", **args)
    print(fmt, "->", path, r)
    if "error" in r:
        if os.path.exists(path): os.unlink(path)
        if fmt == "elf": ok = False
call("quit"); q.wait(timeout=30)
sys.exit(0 if ok else 1)
