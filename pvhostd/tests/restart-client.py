#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# pvhostd killed with SIGKILL and restarted under a stand-in for systemd's
# fd store (fdstore.py) takes its guest back: a guest and its QEMU in one
# process (an ivshmem client that never reconnects, as QEMU does not, and
# a QMP monitor naming four of our threads as vCPUs) checks that the new
# daemon serves the same region under a new generation, through the same
# eventfds, gives back the nice a boost had changed, keeps a NUMA pin
# until the guest goes then gives the thread its own affinity, holds no more
# descriptors than the old one, the same after a SIGUSR2 handover, and
# that nothing is left once the guest goes; then that a state file that does not match is refused for a fresh
# start.
# Usage: restart-client.py SOCK QMP PVCTL SUPERVISOR_SOCK
# Prints TAP lines; exits non-zero on the first failure.
import json, mmap, os, select, signal, socket, struct, sys, threading, time
from guestlib import Tap, ctl_status, recv, wait_for

sock_path, qmp_path, pvctl, sup_path = sys.argv[1:5]
ctl_path = sock_path + '.ctl'
state_path = sock_path + '.state'
tap = Tap('restart')
ok = tap.ok
PREEMPTED, PSEQ, BOOST, BSEQ, BACK = 32, 36, 40, 44, 48
STATE_READY, STATE_STOPPING = 1, 2


def sup(cmd):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(sup_path)
    c.sendall(cmd.encode() + b'\n')
    out = c.makefile('r').readline().split()
    c.close()
    return out


def status(cmd='status'):
    return ctl_status(pvctl, ctl_path, cmd)[0]


def nfds(pid):
    return len(os.listdir(f'/proc/{pid}/fd'))


tids = []


def doze():
    tids.append(threading.get_native_id())
    threading.Event().wait()


for _ in range(4):
    threading.Thread(target=doze, daemon=True).start()
while len(tids) < 4:
    time.sleep(0.01)

qs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
if os.path.exists(qmp_path):
    os.unlink(qmp_path)
qs.bind(qmp_path)
qs.listen(4)


def monitor():
    while True:
        c, _ = qs.accept()
        f = c.makefile('rwb', buffering=0)
        f.write(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
        for line in f:
            if json.loads(line)['execute'] == 'qmp_capabilities':
                f.write(b'{"return": {}}\r\n')
            else:
                cpus = [{'cpu-index': i, 'thread-id': t, 'props': {}}
                        for i, t in enumerate(tids)]
                f.write(json.dumps({'return': cpus}).encode() + b'\r\n')
        c.close()


threading.Thread(target=monitor, daemon=True).start()


def connect():
    """As QEMU: the region, the host's doorbells and our own eventfds."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    assert recv(s) == (0, -1) and recv(s) == (1, -1)
    _, shm = recv(s)
    host = [recv(s)[1] for _ in range(5)]
    guest = [recv(s)[1] for _ in range(5)]
    return s, shm, host, guest


pid0 = int(sup('pid')[1])
ok(wait_for(lambda: os.path.exists(ctl_path), 5), "the daemon listens")
idle_fds = nfds(pid0)
s, shm, host, guest = connect()
r = mmap.mmap(shm, os.fstat(shm).st_size)
nr, voff, stride = struct.unpack_from('<III', r, 32)


def hdr_state():
    return struct.unpack_from('<II', r, 24)     # state, generation


def rec(i, field):
    return struct.unpack_from('<I', r, voff + i * stride + field)[0]


def put(i, field, v):
    struct.pack_into('<I', r, voff + i * stride + field, v)


state0, gen0 = hdr_state()
ok(state0 == STATE_READY and gen0 > 0, f"region ready, generation {gen0}")
ok(wait_for(lambda: status('vcpu status').get('qmp') == 'ready', 10),
   "the vCPU table read")
ok(wait_for(lambda: sup('fds')[1] == '12', 5),
   f"the session's 12 descriptors stored: {' '.join(sup('fds'))}")
t = tids[1]
orig = os.getpriority(os.PRIO_PROCESS, t)
put(1, BOOST, 1)
put(1, BSEQ, 1)
ok(wait_for(lambda: rec(1, BACK) == 1, 3) and
   os.getpriority(os.PRIO_PROCESS, t) < orig, "vCPU 1 boosted")
ok(wait_for(lambda: os.path.exists(state_path) and
            f'vcpu 1 {t} ' in open(state_path).read(), 3),
   "the state file holds its own nice")
busy_fds = nfds(pid0)
gen_daemon = int(status()['generation'])
# vCPU 2 as a NUMA hint would have left it: pinned to one CPU, its own
# affinity in the state file (written as the daemon writes it)
t2 = tids[2]
own2 = os.sched_getaffinity(t2)
pin2 = {min(own2)}
os.sched_setaffinity(t2, pin2)
start2 = open(f'/proc/{os.getpid()}/task/{t2}/stat').read().rsplit(')', 1)[1].split()[19]
mask2 = sum(1 << c for c in own2)
text = open(state_path).read().replace('end\n', f'vcpu 2 {t2} {start2} - {mask2:x}\nend\n')
with open(state_path + '.new', 'w') as f:
    f.write(text)
os.rename(state_path + '.new', state_path)

# SIGKILL: nothing of the daemon's own cleanup runs
out = sup('kill9')
ok(out[0] == 'ok' and int(out[1]) != pid0, f"killed and restarted: {out}")
pid1 = int(out[1])
ok(wait_for(lambda: hdr_state()[1] > gen0 and hdr_state()[0] == STATE_READY, 10),
   f"the same region laid out again: generation {gen0} -> {hdr_state()[1]}")
kv = status()
ok(kv.get('adopted') == '1' and kv.get('sessions') == '1' and
   int(kv['generation']) > gen_daemon,
   f"the new daemon took the guest back (adopted {kv.get('adopted')}, "
   f"generation {kv['generation']})")
ok(wait_for(lambda: os.getpriority(os.PRIO_PROCESS, t) == orig, 5),
   f"the boost the old daemon left ended: nice {os.getpriority(os.PRIO_PROCESS, t)}, own {orig}")
ok(wait_for(lambda: status('vcpu status').get('qmp') == 'ready', 10),
   "the vCPU table read again")
ok(wait_for(lambda: status().get('threads_restored') == '2', 5) and
   os.sched_getaffinity(t2) == pin2,
   f"vCPU 2's pin kept, its own affinity taken over "
   f"(threads_restored {status().get('threads_restored')})")
nr2, voff2, _ = struct.unpack_from('<III', r, 32)
d0 = int(status()['doorbells'].split(',')[3])
os.write(host[3], struct.pack('<Q', 1))
ok(wait_for(lambda: int(status()['doorbells'].split(',')[3]) > d0, 5),
   "the guest's doorbell reaches the new daemon")
while select.select([guest[2]], [], [], 0)[0]:
    os.read(guest[2], 8)
os.popen(f"'{pvctl}' -c '{ctl_path}' pressure set 0.7").read()
ok(select.select([guest[2]], [], [], 5)[0] != [],
   "the new daemon's interrupt reaches the guest")
os.popen(f"'{pvctl}' -c '{ctl_path}' pressure auto").read()
ok(wait_for(lambda: status('vcpu status').get('qmp') == 'ready' and
            nfds(pid1) == busy_fds, 5),
   f"descriptors: {nfds(pid1)} now, {busy_fds} before the kill")
ok(sup('fds')[1] == '12', "the store holds one session's descriptors, once")

# SIGUSR2, an upgrade's handover: exit 75, restarted, the guest kept
gen1 = hdr_state()[1]
os.kill(pid1, signal.SIGUSR2)
ok(wait_for(lambda: sup('pid')[1] not in ('None', str(pid1)), 10),
   "SIGUSR2: the daemon exited and was started again")
pid1 = int(sup('pid')[1])
ok(wait_for(lambda: hdr_state()[1] > gen1 and hdr_state()[0] == STATE_READY, 10)
   and status().get('adopted') == '1',
   f"SIGUSR2: the guest taken back, generation {gen1} -> {hdr_state()[1]}")
ok(wait_for(lambda: status('vcpu status').get('qmp') == 'ready' and
            nfds(pid1) == busy_fds, 10),
   f"SIGUSR2: descriptors {nfds(pid1)}, {busy_fds} before")

# the guest goes: nothing left behind
s.close()
ok(wait_for(lambda: status().get('peer') == 'none', 5), "the session ended")
ok(os.sched_getaffinity(t2) == own2,
   f"vCPU 2's own affinity given back through two restarts: {os.sched_getaffinity(t2)}")
ok(wait_for(lambda: sup('fds')[1] == '0', 5), "the store emptied")
ok(not os.path.exists(state_path), "the state file removed")
ok(nfds(pid1) == idle_fds, f"descriptors back to {idle_fds}: {nfds(pid1)}")
ok(hdr_state()[0] == STATE_STOPPING, "the region left STOPPING")
r.close()
for fd in [shm] + host + guest:
    os.close(fd)

# A state file that is not this session's: refused, a fresh start
s, shm, host, guest = connect()
r = mmap.mmap(shm, os.fstat(shm).st_size)
ok(wait_for(lambda: sup('fds')[1] == '12' and os.path.exists(state_path), 5),
   "a second guest's session stored")
text = open(state_path).read().replace('\nqemu ', '\nqemu 1')
with open(state_path, 'w') as f:
    f.write(text)
out = sup('kill9')
pid2 = int(out[1])
ok(wait_for(lambda: status().get('adopt_refused') == '1', 10),
   "a state file naming another QEMU: refused")
kv = status()
ok(kv.get('peer') == 'none' and kv.get('adopted') == '0', "no session taken")
ok(wait_for(lambda: sup('fds')[1] == '0', 5), "the store emptied")
ok(nfds(pid2) == idle_fds, f"descriptors {nfds(pid2)}, as idle {idle_fds}")
ok(hdr_state()[0] == STATE_STOPPING,
   "the region it gave up says STOPPING to the guest")
tap.done()
