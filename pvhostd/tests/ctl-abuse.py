#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Hostile control clients: garbage, overlong lines, silence, floods.
# Each must get an error reply or be dropped; the daemon must keep serving.
import socket, sys, time

path = sys.argv[1]

def ask(data, shut=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    out = b''
    try:
        s.sendall(data)
        if shut:
            s.shutdown(socket.SHUT_WR)
    except BrokenPipeError:
        pass    # an overlong line is answered and dropped unread
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except ConnectionResetError:
        pass    # the answer, queued before the reset, was read first
    s.close()
    return out

# Each of these is a command the parser refuses, with its reason.
for bad, why in [(b'\xff\xfe\x00\x01\n', b'error: '),
                 (b'x' * 10000, b'error: command too long'),
                 (b'pressure set 1e400\n', b'error: '),
                 (b'entropy fault \x00zeros\n', b'error: '),
                 (b'\n', b'error: '),
                 (b'status status\n', b'error: ')]:
    r = ask(bad)
    assert r.startswith(why) and r.endswith(b'\n') and r.count(b'\n') == 1, (bad[:20], r)
assert ask(b'') == b'', "empty connection just closed"
# Eight slots: eight silent clients fill the table, the rest are refused.
idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(12)]
for s in idle:
    s.connect(path)
time.sleep(0.2)
refused = 0
for s in idle:
    s.setblocking(False)
    try:
        refused += s.recv(64) == b'error: busy\n'
    except BlockingIOError:
        pass
assert refused == 4, f"{refused} of 12 refused with a full table of 8"
r = ask(b'status\n')
assert r == b'error: busy\n', r
for s in idle:
    s.close()
time.sleep(0.2)
r = ask(b'status\n')
assert r.startswith(b'ok\n'), r
assert b'ctl_errors=' in r
silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
silent.connect(path)
silent.sendall(b'sta')     # never finishes its line
silent.settimeout(30)
t = time.monotonic()
assert silent.recv(16) == b'', "a silent client is dropped"
# the daemon expires it on its tick, which a loaded host delays
assert 4 < time.monotonic() - t < 30, "after the 5 s timeout"
print("# ctl abuse survived")
