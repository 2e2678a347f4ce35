# SPDX-License-Identifier: GPL-2.0
# What pvhostd's Python test clients share: TAP lines, the daemon's
# key=value replies, waiting for a condition, and the guest's side of the
# ivshmem server protocol.
import os, socket, struct, sys, time


class Tap:
    """TAP lines "ok N - PREFIX: what"; the first failure ends the run."""

    def __init__(self, prefix):
        self.prefix, self.n = prefix, 0

    def ok(self, cond, what):
        self.n += 1
        print(f"{'' if cond else 'not '}ok {self.n} - {self.prefix}: {what}",
              flush=True)
        if not cond:
            sys.exit(1)

    def skip(self, what, why):
        self.n += 1
        print(f"ok {self.n} - {self.prefix}: {what} # SKIP {why}", flush=True)

    def done(self):
        print(f"1..{self.n}")


def ctl_status(pvctl, ctl_path, cmd='status'):
    """A pvctl reply as (key=value pairs, vcpu=N lines by vCPU)."""
    out = os.popen(f"'{pvctl}' -c '{ctl_path}' {cmd}").read()
    kv, vcpus = {}, {}
    for line in out.splitlines():
        if line.startswith('vcpu='):
            f = dict(w.split('=', 1) for w in line.split())
            vcpus[int(f['vcpu'])] = f
        elif '=' in line:
            k, v = line.split('=', 1)
            kv[k] = v
    return kv, vcpus


def wait_for(pred, secs, step=0.02):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def recv(s):
    """One ivshmem server message: its value and the fd it carries (or -1)."""
    msg, fds, _, _ = socket.recv_fds(s, 8, 1)
    assert len(msg) == 8, "short message"
    return struct.unpack('<q', msg)[0], (fds[0] if fds else -1)


def connect_guest(sock_path):
    """Connect as the guest's QEMU: (socket, region fd, the host's doorbells)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    for _ in range(2):
        recv(s)
    _, shm = recv(s)
    host = [recv(s)[1] for _ in range(5)]
    for _ in range(5):
        os.close(recv(s)[1])
    return s, shm, host
