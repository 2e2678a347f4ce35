#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A guest and its QEMU in one process, for pvhostd's vCPU service: an
# ivshmem client, a QMP monitor that names four of our threads as vCPUs
# (three CPU-bound ones pinned to one host CPU, one asleep), then checks
# the preempted flags, boosts as nice changes and their reverts (guest
# clear, --boost-max-ms, refusal after it, session end, SIGTERM), and the
# lock hint likewise (--lock-hint-max-ms, refusal, garbage, SIGTERM).
# Usage: vcpu-client.py SOCK QMP PVCTL PVHOSTD_PID MODE   (MODE: good|hostile)
# Prints TAP lines; exits non-zero on the first failure.
import hashlib, json, mmap, os, signal, socket, struct, sys, threading, time
from guestlib import Tap, ctl_status, connect_guest, wait_for

sock_path, qmp_path, pvctl, daemon_pid, mode = sys.argv[1:6]
ctl_path = sock_path + '.ctl'
tap = Tap('vcpu')
ok = tap.ok


def status():
    return ctl_status(pvctl, ctl_path, 'vcpu status')


stop = False
tids = []


def burn():
    buf = b'x' * (16 << 20)
    while not stop:
        hashlib.sha256(buf).digest()    # drops the GIL: truly runnable


def spin():
    tids.append(threading.get_native_id())
    burn()


def hog():
    hogs.append(threading.get_native_id())
    burn()


def doze():
    tids.append(threading.get_native_id())
    threading.Event().wait()            # asleep for good, as a halted vCPU


# the vCPU threads first: QMP names them
for fn in (spin, spin, spin, doze):
    threading.Thread(target=fn, daemon=True).start()
while len(tids) < 4:
    time.sleep(0.01)
# The spinners run SCHED_IDLE on one CPU beside a hog of normal priority
# (not a vCPU), so each waits runnable for far longer than pvhostd's
# period however loaded the machine is: a period in which nothing at all
# was credited is then the rule, not luck.
hogs = []
threading.Thread(target=hog, daemon=True).start()
while not hogs:
    time.sleep(0.01)
cpu = min(os.sched_getaffinity(0))
for t in tids[:3] + hogs:
    os.sched_setaffinity(t, {cpu})
for t in tids[:3]:
    os.sched_setscheduler(t, os.SCHED_IDLE, os.sched_param(0))

# the monitor, listening before the ivshmem connect as QEMU's is
qs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
if os.path.exists(qmp_path):
    os.unlink(qmp_path)
qs.bind(qmp_path)
qs.listen(1)


def monitor():
    while not stop:
        c, _ = qs.accept()
        f = c.makefile('rwb', buffering=0)
        f.write(b'{"QMP": {"version": {}, "capabilities": []}}\r\n')
        for line in f:
            cmd = json.loads(line)['execute']
            if cmd == 'qmp_capabilities':
                f.write(b'{"return": {}}\r\n')
                f.write(b'{"event": "RESUME", "timestamp": {}}\r\n')
            elif mode == 'hostile':
                # a thread that is not ours: must be refused
                f.write(b'{"return": [{"cpu-index": 0, "thread-id": 1}]}\r\n')
            else:
                cpus = [{'cpu-index': i, 'thread-id': t, 'props': {'thread-id': 0}}
                        for i, t in enumerate(tids)]
                f.write(json.dumps({'return': cpus}).encode() + b'\r\n')
        c.close()


threading.Thread(target=monitor, daemon=True).start()


s, shm, _ = connect_guest(sock_path)
r = mmap.mmap(shm, os.fstat(shm).st_size)
feat = struct.unpack_from('<Q', r, 16)[0]
nr, voff, stride = struct.unpack_from('<III', r, 32)
ok(feat & 0xc == 0xc, f"features {feat:#x} advertise preempted and boost")


def rec(i, field):
    return struct.unpack_from('<I', r, voff + i * stride + field)[0]


def put(i, field, v):
    struct.pack_into('<I', r, voff + i * stride + field, v)


PREEMPTED, PSEQ, BOOST, BSEQ, BACK = 32, 36, 40, 44, 48
LHINT, LSEEN = 52, 56

if mode == 'hostile':
    ok(wait_for(lambda: int(status()[0].get('qmp_failures', 0)) >= 2, 10),
       "a monitor naming a foreign thread is refused, and retried")
    kv, v = status()
    ok(kv['qmp'] != 'ready' and v[0]['tid'] == '0',
       f"no table taken from it (qmp={kv['qmp']}, error: {kv['qmp_error']})")
    ok(kv['qmp_events'] != '0', "events skipped")
    # While QMP fails the timer wakes for its retries, not every poll_ms.
    w0, c0 = int(kv['timer_wakeups']), int(kv['qmp_connects'])
    time.sleep(2)
    kv, v = status()
    dw, dc = int(kv['timer_wakeups']) - w0, int(kv['qmp_connects']) - c0
    ok(dw <= 4 * (dc + 1) + 2,
       f"timer paced by the retries: {dw} wakeups for {dc} connects in 2 s "
       f"(poll_ms {kv.get('poll_ms', '?')}, timer_ms {kv['timer_ms']})")
    sys.exit(0)

ok(wait_for(lambda: status()[0].get('qmp') == 'ready', 10), "QMP table read")
kv, v = status()
ok([int(v[i]['tid']) for i in range(4)] == tids, f"tids {tids}")
ok(int(kv['qemu_pid']) == os.getpid(), "qemu_pid is the ivshmem client")
seen = [0] * 4
end = time.time() + 3
while time.time() < end:
    for i in range(4):
        seen[i] += rec(i, PREEMPTED) == 1
    time.sleep(0.002)
ok(sum(seen[:3]) > 0 and sum(rec(i, PSEQ) for i in range(3)) > 0,
   f"three spinners on one CPU seen preempted {seen[:3]} times")
ok(seen[3] == 0 and rec(3, PSEQ) == 0, "the sleeping vCPU never preempted")
before = [rec(i, PSEQ) for i in range(4)]
kv, v = status()
after = [rec(i, PSEQ) for i in range(4)]
ok(all(before[i] <= int(v[i]['preempt_seq']) <= after[i] for i in range(4)),
   "pvctl shows the preempt_seq the region holds")

t = tids[3]
orig = os.getpriority(os.PRIO_PROCESS, t)
put(3, BOOST, 1)
put(3, BSEQ, 1)
ok(wait_for(lambda: rec(3, BACK) == 1, 2), "boost acknowledged")
ok(os.getpriority(os.PRIO_PROCESS, t) == max(orig - 5, -20),
   f"boost: nice {orig} -> {os.getpriority(os.PRIO_PROCESS, t)}")
ok(wait_for(lambda: os.getpriority(os.PRIO_PROCESS, t) == orig, 1),
   "boost reverted after --boost-max-ms though still asked")
put(3, BSEQ, 2)
ok(wait_for(lambda: status()[1][3]['refused'] == '1', 1) and rec(3, BACK) == 1,
   "a request right after the bound is refused, not acknowledged")
time.sleep(0.7)
put(3, BSEQ, 3)
ok(wait_for(lambda: rec(3, BACK) == 3, 2) and
   os.getpriority(os.PRIO_PROCESS, t) < orig, "after the cooldown, boosted again")
put(3, BOOST, 0)
put(3, BSEQ, 4)
ok(wait_for(lambda: os.getpriority(os.PRIO_PROCESS, t) == orig, 1),
   "cleared by the guest: reverted")
put(3, BOOST, 7)
put(3, BSEQ, 5)
ok(wait_for(lambda: status()[1][3]['invalid'] != '0', 1) and
   os.getpriority(os.PRIO_PROCESS, t) == orig, "boost value 7: counted, not applied")
time.sleep(0.7)  # past the cooldown: 3 x --boost-max-ms at most
put(3, BOOST, 1)
put(3, BSEQ, 6)
ok(wait_for(lambda: rec(3, BACK) == 6, 2), "boosted again")

# The lock hint on vCPU 2 (the daemon runs --lock-hint-max-ms 300).
t2 = tids[2]
o2 = os.getpriority(os.PRIO_PROCESS, t2)


def nice2():
    return os.getpriority(os.PRIO_PROCESS, t2)


def hint(field):
    return int(status()[1][2][field])


ok(feat & 0x10, f"features {feat:#x} advertise lock_hint")
ok(hint('lock_hint_seen') == 0 and rec(2, LSEEN) == 0, "no hint, none seen")
put(2, LHINT, 1)
ok(wait_for(lambda: nice2() == max(o2 - 5, -20), 1),
   f"lock hint set: nice {o2} -> {nice2()}")
ok(wait_for(lambda: rec(2, LSEEN) >= 1, 1) and hint('hint_raises') == 1,
   f"lock_hint_seen {rec(2, LSEEN)} in the record, one raise")
put(2, LHINT, 0)
ok(wait_for(lambda: nice2() == o2, 0.2) and hint('hint_restores') == 1,
   "hint cleared by the guest: restored within 200 ms (< the limit)")
time.sleep(0.5)  # past its refusal window
put(2, LHINT, 1)
ok(wait_for(lambda: nice2() < o2, 1), "set again after the window: raised")
t0 = time.time()
ok(wait_for(lambda: nice2() == o2, 2) and time.time() - t0 > 0.15,
   f"held: restored at --lock-hint-max-ms though still set "
   f"({time.time() - t0:.2f} s)")
ok(wait_for(lambda: hint('hint_refused') > 0, 0.5) and nice2() == o2,
   "still set right after: refused, not raised")
seen = rec(2, LSEEN)
put(2, LHINT, 0xffffffff)
ok(wait_for(lambda: hint('hint_invalid') > 0, 1) and nice2() == o2 and
   rec(2, LSEEN) == seen, "hint 0xffffffff: counted invalid, not acted on")
put(2, LHINT, 0)
time.sleep(1.2)  # past the refusal window: 3 x 300 ms
put(2, LHINT, 1)
ok(wait_for(lambda: nice2() < o2, 1), "raised once more")
kv, v = status()
ok(kv.get('lock_hint_max_ms') == '300' and int(v[2]['hint_samples']) > 0,
   f"pvctl: lock_hint_max_ms {kv.get('lock_hint_max_ms')}, "
   f"hint_samples {v[2]['hint_samples']}, hint_preempted "
   f"{v[2]['hint_preempted']}")

os.kill(int(daemon_pid), signal.SIGTERM)
ok(wait_for(lambda: os.getpriority(os.PRIO_PROCESS, t) == orig, 2),
   "SIGTERM with a boost applied: reverted")
ok(wait_for(lambda: nice2() == o2, 2),
   "SIGTERM with a lock hint applied: restored")
stop = True
