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
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except (ConnectionResetError, BrokenPipeError):
        pass    # an overlong line is answered and dropped unread
    s.close()
    return out

for bad in [b'\xff\xfe\x00\x01\n', b'x' * 10000, b'pressure set 1e400\n',
            b'entropy fault \x00zeros\n', b'\n', b'status status\n']:
    r = ask(bad)
    assert r.startswith(b'error: ') or r == b'', (bad[:20], r)
assert ask(b'') == b'', "empty connection just closed"
idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(12)]
for s in idle:
    s.connect(path)         # silent clients fill the table
time.sleep(0.2)
r = ask(b'status\n')
assert r.startswith(b'error: busy') or r.startswith(b'ok'), r
for s in idle:
    s.close()
time.sleep(0.2)
r = ask(b'status\n')
assert r.startswith(b'ok\n'), r
assert b'ctl_errors=' in r
silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
silent.connect(path)
silent.sendall(b'sta')     # never finishes its line
silent.settimeout(8)
t = time.monotonic()
assert silent.recv(16) == b'', "a silent client is dropped"
assert 4 < time.monotonic() - t < 8, "after the 5 s timeout"
print("# ctl abuse survived")
