#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# pvhostd --vcpu-names: a QEMU in one process whose threads are named as
# QEMU names its vCPU threads with -name ...,debug-threads=on ("CPU n/TCG"),
# and no monitor. The table comes from the names; a thread added later
# (CPU hotplug) is taken at the next rescan; two threads claiming one vCPU
# leave the table as it was; a boost acts on the named thread.
# Usage: names-client.py SOCK PVCTL     Prints TAP; exits non-zero on failure.
import mmap, os, socket, struct, sys, threading, time

sock_path, pvctl = sys.argv[1:3]
ctl_path = sock_path + '.ctl'
n = 0


def ok(cond, what):
    global n
    n += 1
    print(f"{'' if cond else 'not '}ok {n} - names: {what}", flush=True)
    if not cond:
        sys.exit(1)


def status():
    out = os.popen(f"'{pvctl}' -c '{ctl_path}' vcpu status").read()
    kv, vcpus = {}, {}
    for line in out.splitlines():
        if line.startswith('vcpu='):
            f = dict(w.split('=', 1) for w in line.split())
            vcpus[int(f['vcpu'])] = f
        elif '=' in line:
            k, v = line.split('=', 1)
            kv[k] = v
    return kv, vcpus


def wait_for(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


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


def recv(s):
    msg, fds, _, _ = socket.recv_fds(s, 8, 1)
    return struct.unpack('<q', msg)[0], (fds[0] if fds else -1)


s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock_path)
for _ in range(2):
    recv(s)
_, shm = recv(s)
for _ in range(10):
    os.close(recv(s)[1])
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
    print(f"ok {n + 1} - names: boost # SKIP needs root")
    n += 1
print(f"1..{n}")
