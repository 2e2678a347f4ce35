#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# A raw ivshmem client: checks pvhostd's connect sequence message by
# message and the region it hands over. Usage: ivshmem-client.py SOCK GEN
import mmap, os, socket, struct, sys

def recv(s):
    msg, fds, _, _ = socket.recv_fds(s, 8, 1)
    assert len(msg) == 8, "short message"
    return struct.unpack('<q', msg)[0], (fds[0] if fds else -1)

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
assert recv(s) == (0, -1), "protocol version 0, no fd"
assert recv(s) == (1, -1), "our peer id 1, no fd"
m, shm = recv(s)
assert m == -1 and shm >= 0, "-1 with the shared-memory fd"
for peer in (0, 1):
    for vec in range(5):
        m, fd = recv(s)
        assert m == peer and fd >= 0, f"peer {peer} vector {vec} eventfd"
        os.close(fd)
size = os.fstat(shm).st_size
r = mmap.mmap(shm, size)
magic, major, minor, hsize, rsize, feat, state, gen = struct.unpack_from('<IHHIIQII', r)
assert magic == 0x53485650 and major == 1 and hsize == 256 and rsize == size
assert feat & 0x383 == 0x383 and state == 1, f"features {feat:#x} state {state}"
assert gen == int(sys.argv[2]), f"generation {gen}, expected {sys.argv[2]}"
# a second client is turned away with version -EBUSY
t = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
t.connect(sys.argv[1])
assert recv(t) == (-16, -1), "second client gets version -16"
assert t.recv(8) == b'', "then end of file"
print(f"# raw client: generation {gen}, region {size} bytes, refusal ok")
