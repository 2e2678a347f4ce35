#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A guest that rings pvhostd's mailbox and entropy doorbells in a loop:
# each vector's services stay within its budget (--doorbell-rate RATE, a
# burst of max(RATE/10, 16)), the rest are counted as throttled, the
# control socket keeps answering meanwhile, and a ring after the flood is
# served at once.
# Usage: flood-client.py SOCK PVCTL RATE     Prints TAP; exits non-zero on failure.
import os, struct, sys, time
from guestlib import Tap, ctl_status, connect_guest

sock_path, pvctl, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])
burst = max(rate // 10, 16)
MAILBOX, ENTROPY = 0, 3
tap = Tap('flood')
ok = tap.ok


def status():
    return ctl_status(pvctl, sock_path + '.ctl')[0]


def vec(kv, name, v):
    return int(kv[name].split(',')[v])


s, _, host = connect_guest(sock_path)
time.sleep(0.2)
one = struct.pack('<Q', 1)
kv0 = status()
t0 = time.monotonic()
rings, worst = 0, 0.0
while time.monotonic() - t0 < 1.5:
    for _ in range(200):
        os.write(host[MAILBOX], one)
        os.write(host[ENTROPY], one)
        rings += 1
    if rings % 2000 == 0:
        a = time.monotonic()
        status()
        worst = max(worst, time.monotonic() - a)
elapsed = time.monotonic() - t0
time.sleep(0.3)     # the last pending services
kv = status()
for v, name in ((MAILBOX, 'mailbox'), (ENTROPY, 'entropy')):
    served = vec(kv, 'services', v) - vec(kv0, 'services', v)
    bound = int(rate * (elapsed + 0.3)) + burst + 1
    ok(served <= bound,
       f"{name}: {served} services for {rings} rings in {elapsed:.1f} s, at most {bound}")
    ok(vec(kv, 'throttled', v) > 0, f"{name}: {vec(kv, 'throttled', v)} throttled")
ok(worst < 5.0, f"the control socket answered within {worst * 1000:.0f} ms throughout")
time.sleep(1.0)     # the bucket refills
before = vec(status(), 'services', MAILBOX)
os.write(host[MAILBOX], one)
time.sleep(0.2)
ok(vec(status(), 'services', MAILBOX) == before + 1, "a ring after the flood is served at once")
tap.done()
