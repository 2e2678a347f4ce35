#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# pvhostd --vcpu-names: a QEMU in one process whose threads are named as
# QEMU names its vCPU threads with -name ...,debug-threads=on ("CPU n/TCG"),
# and no monitor. The table comes from the names; a thread added later
# (CPU hotplug) is taken at the next rescan; two threads claiming one vCPU
# leave the table as it was; a boost acts on the named thread.
# Usage: names-client.py SOCK PVCTL     Prints TAP; exits non-zero on failure.
import mmap, os, struct, sys, threading, time
from guestlib import Tap, ctl_status, connect_guest, wait_for

sock_path, pvctl = sys.argv[1:3]
tap = Tap('names')
ok = tap.ok


def status():
    return ctl_status(pvctl, sock_path + '.ctl', 'vcpu status')


def name(tid, comm):
    with open(f'/proc/self/task/{tid}/comm', 'w') as f:
        f.write(comm)


tids = []


def vcpu():
    tids.append(threading.get_native_id())
    threading.Event().wait()


def start(count):
    want = len(tids) + count
    for _ in range(count):
        threading.Thread(target=vcpu, daemon=True).start()
    while len(tids) < want:
        time.sleep(0.01)


start(4)
for i, t in enumerate(tids):
    name(t, f'CPU {i}/TCG')
# a thread that is no vCPU, named close to one
start(1)
name(tids.pop(), 'CPU 1/TCGx y')


s, shm, _ = connect_guest(sock_path)
r = mmap.mmap(shm, os.fstat(shm).st_size)
feat = struct.unpack_from('<Q', r, 16)[0]
nr, voff, stride = struct.unpack_from('<III', r, 32)
ok(feat & 0xc == 0xc, f"features {feat:#x} advertise preempted and boost without QMP")
ok(wait_for(lambda: status()[0].get('threads') == 'names', 5), "table found by name")
kv, v = status()
ok(kv['qmp'] == 'off' and int(kv['qemu_pid']) == os.getpid(),
   f"no monitor; QEMU is the socket's peer (qemu_pid {kv['qemu_pid']})")
ok([int(v[i]['tid']) for i in range(4)] == tids, f"tids {tids}")
changes = int(kv['names_changes'])

# CPU hotplug: vCPU 4 appears, and is in the table after a rescan
start(1)
name(tids[4], 'CPU 4/TCG')
ok(wait_for(lambda: int(status()[0]['names_changes']) == changes + 1, 4),
   "a vCPU added later is taken at the next rescan")
kv, v = status()
ok(4 in v and int(v[4]['tid']) == tids[4], f"vCPU 4 is thread {tids[4]}")

# two threads claiming vCPU 0: the table stays as it was
name(tids[4], 'CPU 0/TCG')
scans = int(kv['names_scans'])
ok(wait_for(lambda: int(status()[0]['names_scans']) >= scans + 2, 4),
   "rescanned")
kv, v = status()
ok(int(kv['names_changes']) == changes + 1 and int(v[0]['tid']) == tids[0],
   "two threads claiming one vCPU: the table is kept")

if os.geteuid() == 0:
    BOOST, BSEQ, BACK = 40, 44, 48
    t = tids[1]
    orig = os.getpriority(os.PRIO_PROCESS, t)
    struct.pack_into('<I', r, voff + stride + BOOST, 1)
    struct.pack_into('<I', r, voff + stride + BSEQ, 1)
    ok(wait_for(lambda: struct.unpack_from('<I', r, voff + stride + BACK)[0] == 1, 2)
       and os.getpriority(os.PRIO_PROCESS, t) == max(orig - 5, -20),
       f"a boost of vCPU 1 acts on thread {t}")
else:
    tap.skip("boost", "needs root")
tap.done()
