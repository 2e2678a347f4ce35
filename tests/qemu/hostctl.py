#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host end of the test relay: lets a stock-lane guest run pvctl on the host.

    hostctl.py LISTEN_SOCKET PVCTL CONTROL_SOCKET [SUPERVISOR_SOCKET]

Listens on LISTEN_SOCKET, which QEMU connects to as the chardev of a
virtserialport named org.pvguest.hostctl. The guest's pvhost-ctl writes

    REQ <id> <arg> <arg> ...

and gets back pvctl's output, then its exit status:

    OUT <id> <line>        (stdout and stderr, one line each)
    END <id> <rc>

Arguments are single words of [A-Za-z0-9._:=,+-]; anything else is refused
with rc 2. A pvctl that does not answer in 30 s is killed (rc 124). The
relay only ever runs PVCTL against this lane's CONTROL_SOCKET.

With SUPERVISOR_SOCKET (pvhostd/tests/fdstore.py, the stand-in for
systemd that runs the lane's pvhostd), "supervisor pid|kill9|fds" is
asked of the supervisor instead: "supervisor kill9" kills pvhostd with
SIGKILL and starts it again with its stored descriptors. rc 0 when it
answers "ok ...", 1 otherwise.

Requests of the relay's own, for the benchmarks and tests that need the
host's CPUs overcommitted (vCPU threads preempted by the host):

    hog N SECONDS     N busy-looping processes on the host (N 1..8), each
                      ended after SECONDS (1..300) at the latest; a new hog
                      replaces the last
    hog stop          end the hog now
    cputime           the CPU time QEMU (the guest's vCPU threads and the
                      rest of it) has used on the host: qemu_cpu_ms=N
"""

import os
import re
import signal
import socket
import subprocess
import sys

WORD = re.compile(r"^[A-Za-z0-9._:=,+-]{1,64}$")
REQID = re.compile(r"^[0-9A-Za-z]{1,32}$")
TIMEOUT = 30
HOG_MAX = 8
HOG_MAX_SECONDS = 300
hogs = []


def log(msg):
    print(f"hostctl: {msg}", file=sys.stderr, flush=True)


def answer(conn, rid, rc, lines):
    out = "".join(f"OUT {rid} {line}\n" for line in lines)
    conn.sendall((out + f"END {rid} {rc}\n").encode())


def run(pvctl, ctl, args):
    try:
        p = subprocess.run([pvctl, "-c", ctl, *args], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return 124, [f"pvctl did not answer in {TIMEOUT} s"]
    text = p.stdout.decode(errors="replace")
    return p.returncode, text.splitlines()


SUPERVISOR_CMDS = ("pid", "kill9", "fds")


def supervise(sup, args):
    if not sup:
        return 2, ["hostctl: this lane runs no supervisor"]
    if len(args) != 2 or args[1] not in SUPERVISOR_CMDS:
        return 2, [f"hostctl: supervisor {'|'.join(SUPERVISOR_CMDS)}"]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.settimeout(TIMEOUT)
            c.connect(sup)
            c.sendall(args[1].encode() + b"\n")
            line = c.makefile("r").readline().strip()
    except OSError as e:
        return 1, [f"hostctl: supervisor: {e}"]
    return (0 if line.startswith("ok") else 1), [line]


def hog_stop():
    for p in hogs:
        try:
            os.killpg(p.pid, signal.SIGKILL)   # timeout and its shell
        except ProcessLookupError:
            pass
        p.wait()
    hogs.clear()


def hog(args):
    """The relay's own request: a CPU hog on the host, bounded in time."""
    hog_stop()
    if args == ["stop"]:
        return 0, ["ok hog stopped"]
    if len(args) != 2 or not args[0].isdigit() or not args[1].isdigit():
        return 2, ["usage: hog N SECONDS | hog stop"]
    n, secs = int(args[0]), int(args[1])
    if not 1 <= n <= HOG_MAX or not 1 <= secs <= HOG_MAX_SECONDS:
        return 2, [f"hog: N 1..{HOG_MAX}, SECONDS 1..{HOG_MAX_SECONDS}"]
    # timeout(1) ends each even if this relay is killed first.
    for _ in range(n):
        hogs.append(subprocess.Popen(
            ["timeout", "-s", "KILL", str(secs), "sh", "-c", "while :; do :; done"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True))
    return 0, [f"ok hog {n} for {secs} s"]


def cputime(pvctl, ctl):
    """The relay's own request: QEMU's host CPU time, from pvhostd's qemu_pid."""
    rc, lines = run(pvctl, ctl, ["vcpu", "status"])
    pids = [ln.split("=", 1)[1] for ln in lines if ln.startswith("qemu_pid=")]
    if rc or not pids or not pids[0].isdigit():
        return 1, ["cputime: pvhostd knows no QEMU pid"]
    try:
        with open(f"/proc/{pids[0]}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError as e:
        return 1, [f"cputime: {e}"]
    ticks = int(fields[11]) + int(fields[12])    # utime, stime
    return 0, [f"qemu_cpu_ms={ticks * 1000 // os.sysconf('SC_CLK_TCK')}"]


def serve(conn, pvctl, ctl, sup):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            words = raw.decode(errors="replace").split()
            if len(words) < 2 or words[0] != "REQ" or not REQID.match(words[1]):
                log(f"ignored line {raw[:80]!r}")
                continue
            rid, args = words[1], words[2:]
            bad = [a for a in args if not WORD.match(a)]
            if bad or not args or len(args) > 16:
                answer(conn, rid, 2, [f"hostctl: refused arguments {bad or args}"])
                continue
            if args[0] in ("hog", "cputime"):
                rc, lines = hog(args[1:]) if args[0] == "hog" else \
                    cputime(pvctl, ctl) if len(args) == 1 else \
                    (2, ["usage: cputime"])
                log(f"{rid}: {' '.join(args)} -> {rc}")
                answer(conn, rid, rc, lines)
                continue
            if args[0] == "supervisor":
                rc, lines = supervise(sup, args)
            else:
                rc, lines = run(pvctl, ctl, args)
            log(f"{rid}: pvctl {' '.join(args)} -> {rc}")
            answer(conn, rid, rc, lines)
        if len(buf) > 4096:
            log("overlong line dropped")
            buf = b""


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit("usage: hostctl.py LISTEN_SOCKET PVCTL CONTROL_SOCKET [SUPERVISOR_SOCKET]")
    path, pvctl, ctl = sys.argv[1:4]
    sup = sys.argv[4] if len(sys.argv) == 5 else None
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    log(f"listening on {path}")
    # One guest at a time; a guest that goes away (reboot) may come back.
    while True:
        conn, _ = srv.accept()
        with conn:
            try:
                serve(conn, pvctl, ctl, sup)
            except OSError as e:
                log(f"connection: {e}")
        hog_stop()


if __name__ == "__main__":
    main()
