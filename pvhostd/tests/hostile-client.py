#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A guest's view of pvhostd's hostile-host modes: connects as the ivshmem
# client, switches modes with pvctl, and checks in the region that each
# mode does its damage on the daemon's tick and that "hostile off" repairs
# it. Usage: hostile-client.py SOCK PVCTL. Prints TAP; exits 1 on a failure.
import mmap, os, socket, struct, subprocess, sys, time

sock_path, pvctl = sys.argv[1:3]
MAGIC, READY, ONE = 0x53485650, 1, 65536
n = 0


def ok(cond, what):
    global n
    n += 1
    print(f"{'' if cond else 'not '}ok {n} - hostile: {what}", flush=True)
    if not cond:
        sys.exit(1)


def recv(s):
    msg, fds, _, _ = socket.recv_fds(s, 8, 1)
    assert len(msg) == 8, "short message"
    return struct.unpack('<q', msg)[0], (fds[0] if fds else -1)


def ctl(*args):
    p = subprocess.run([pvctl, '-c', sock_path + '.ctl', *args],
                       capture_output=True, text=True, timeout=10)
    return p.returncode


def wait_for(pred, secs=3):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()


s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
recv(s)
recv(s)
_, shm = recv(s)
for _ in range(2 * 5):
    _, fd = recv(s)
    os.close(fd)
r = mmap.mmap(shm, os.fstat(shm).st_size)


def header():
    magic, _, _, _, _, _, state, gen = struct.unpack_from('<IHHIIQII', r)
    return magic, state, gen


def u32(off):
    return struct.unpack_from('<I', r, off)[0]


magic, state, gen0 = header()
ok(magic == MAGIC and state == READY, f"a ready region, generation {gen0}")
nr_vcpus, vcpu_off, stride = struct.unpack_from('<III', r, 32)
press_off = u32(48)

ok(ctl('hostile', 'gauge-range') == 0 and
   wait_for(lambda: u32(press_off + 4) > ONE and not u32(press_off) & 1),
   f"gauge-range: the gauge reads {u32(press_off + 4)}, above {ONE}")
ok(ctl('hostile', 'off') == 0 and wait_for(lambda: u32(press_off + 4) <= ONE),
   "off: the gauge is back in range")
ok(ctl('hostile', 'gauge-stuck') == 0 and wait_for(lambda: u32(press_off) & 1),
   "gauge-stuck: its seq stays odd")
ok(ctl('hostile', 'off') == 0 and wait_for(lambda: not u32(press_off) & 1),
   "off: its seq is even again")
ok(ctl('hostile', 'vcpu-stuck') == 0 and
   wait_for(lambda: all(u32(vcpu_off + i * stride) & 1 for i in range(nr_vcpus))),
   f"vcpu-stuck: all {nr_vcpus} clock record versions odd")
ok(ctl('hostile', 'off') == 0 and
   wait_for(lambda: not any(u32(vcpu_off + i * stride) & 1 for i in range(nr_vcpus))),
   "off: every version even again")
ok(ctl('hostile', 'header') == 0 and
   wait_for(lambda: header()[0] != MAGIC or header()[1] != READY or header()[2] != gen0),
   f"header: the header destroyed ({header()})")
ok(ctl('hostile', 'off') == 0 and
   wait_for(lambda: header()[0] == MAGIC and header()[1] == READY and header()[2] > gen0),
   f"off: the header rebuilt with a new generation ({header()[2]} > {gen0})")
print(f"1..{n}")
