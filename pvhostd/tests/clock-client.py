#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Plays a guest's clock against a running pvhostd over the real protocol:
# connects as QEMU, sends CALIBRATE requests through the mailbox with a
# simulated TSC at exactly 3 GHz of host CLOCK_MONOTONIC_RAW, rings the
# doorbell, and checks the records, the pairing, and a simulated rate
# change and its correction. Usage: clock-client.py SOCK PVCTL
import mmap, os, socket, struct, subprocess, sys, time

GHZ = 3
OFFSET = 987654321


def recv(s):
    msg, fds, _, _ = socket.recv_fds(s, 8, 1)
    assert len(msg) == 8, "short message"
    return struct.unpack('<q', msg)[0], (fds[0] if fds else -1)


def tsc():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW) * GHZ + OFFSET


def ctl(*args):
    out = subprocess.run([sys.argv[2], '-c', sys.argv[1] + '.ctl', *args],
                         capture_output=True, text=True)
    return out.returncode, dict(l.split('=', 1) for l in out.stdout.split('\n')
                                if '=' in l)


s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
recv(s)
recv(s)
_, shm = recv(s)
doorbell = None
for peer in (0, 1):
    for vec in range(5):
        _, fd = recv(s)
        if peer == 0 and vec == 0:
            doorbell = fd
        else:
            os.close(fd)
r = mmap.mmap(shm, os.fstat(shm).st_size)
feat, = struct.unpack_from('<Q', r, 16)
nr_vcpus, vcpu_off = struct.unpack_from('<II', r, 32)
pair_off, = struct.unpack_from('<I', r, 44)
mb_off, = struct.unpack_from('<I', r, 64)
assert feat & 3 == 3, f"clock and clock_pairing advertised ({feat:#x})"

seq = 0
prev_after = 0
max_rtt_ns = 0


def exchange():
    global seq, prev_after, max_rtt_ns
    seq += 1
    before = tsc()
    struct.pack_into('<QQQQ', r, mb_off + 64, before, prev_after, 0, 0)
    struct.pack_into('<II', r, mb_off + 4, 2, 32)       # op, len
    struct.pack_into('<I', r, mb_off, seq)               # req_seq last
    os.write(doorbell, struct.pack('<Q', 1))
    deadline = time.monotonic() + 2
    while struct.unpack_from('<I', r, mb_off + 12)[0] != seq:
        assert time.monotonic() < deadline, "no answer within 2 s"
        time.sleep(0.0001)
    prev_after = tsc()
    max_rtt_ns = max(max_rtt_ns, (prev_after - before) // GHZ)
    status, = struct.unpack_from('<i', r, mb_off + 16)
    assert status == 0, f"calibrate status {status}"
    return before


def record(cpu=0):
    v, _, ts, st, mul, shift, flags = struct.unpack_from(
        '<IIQQIbB', r, vcpu_off + 128 * cpu)
    return v, ts, st, mul, shift, flags


def time_at(rec, t):
    _, ts, st, mul, shift, _ = rec
    d = t - ts
    d = d << shift if shift >= 0 else d >> -shift
    return st + ((d * mul) >> 32)


# a busy host makes round trips long: the bounds below follow the fit's
for _ in range(16):
    exchange()
    time.sleep(0.04)
rec = record()
assert rec[0] and rec[0] % 2 == 0, f"a record is published (version {rec[0]})"
assert all(rec == record(i) for i in range(nr_vcpus)), "the same record for every vCPU"
assert rec[5] == 0, "TSC_STABLE not claimed"
rc, st = ctl('clock', 'status')
assert rc == 0 and int(st['clock_epoch']) >= 1, st
# the host stamps each sample somewhere inside its exchange's round trip,
# so a loaded host moves the record by up to the longest one
bound = 2 * int(st['fit_err_ns']) + 1_000_000 + max_rtt_ns
# one read for both: a preemption between two reads is not the record's error
raw = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
now_tsc = raw * GHZ + OFFSET
err = time_at(rec, now_tsc) - raw
assert abs(err) < bound, f"record time {err} ns from host time, bound {bound}"
khz, = struct.unpack_from('<I', r, 68)
assert abs(khz - GHZ * 1_000_000) < GHZ * 10_000, f"tsc_khz {khz} within 1%"
print(f"# clock: 16 exchanges, fit bound {st['fit_err_ns']} ns, longest round trip {max_rtt_ns} ns, "
      f"record {err} ns from host time, tsc_khz {khz}")

time.sleep(0.3)  # a tick: the pairing is refreshed
pv, pflags, sec, nsec, ptsc = struct.unpack_from('<IIqqQ', r, pair_off)
assert pv and pv % 2 == 0 and pflags == 0 and 0 <= nsec < 10**9, "pairing"
wall = time.time_ns()
# the pairing's TSC, moved to now, against the wall clock now
paired = sec * 10**9 + nsec + (tsc() - ptsc) // GHZ
assert abs(paired - wall) < bound + 5_000_000, f"pairing {paired - wall} ns off"

# The installed build has no fault injection: the rate change is refused.
if ctl('status')[1].get('fault_injection') == 'absent':
    rc, _ = ctl('clock', 'rate', '1000')
    assert rc == 1, "an installed pvhostd refuses clock rate (test build only)"
    print("# clock: the installed build refuses a simulated rate change")
    sys.exit(0)

# a simulated rate change: the next exchange publishes it, continuously
v0, mul0 = rec[0], rec[3]
rc, _ = ctl('clock', 'rate', '1000')
assert rc == 0, "clock rate 1000 accepted"
old = record()
sw = exchange()
new = record()
assert new[0] == v0 + 2, f"republished ({v0} -> {new[0]})"
assert new[1] == sw, "switched at the request's tsc_before"
assert time_at(old, sw) == new[2], "continuous at the switch point"
ppm = (new[3] / 2 ** (32 - new[4]) / (mul0 / 2 ** (32 - rec[4])) - 1) * 1e6
assert -1010 < ppm < -990, f"rate changed by {ppm:.1f} ppm"
# the next exchange refits and corrects it
time.sleep(0.05)
old = record()
sw = exchange()
fixed = record()
assert fixed[0] == v0 + 4, "the correction is published at the next exchange"
assert time_at(old, sw) == fixed[2], "the correction is continuous too"
rc, st = ctl('clock', 'status')
assert int(st['simulated']) == 1 and int(st['clock_epoch']) >= 3, st
print(f"# clock: rate change +1000 ppm published and corrected, "
      f"offset {st['offset_ns']} ns being paid back")
