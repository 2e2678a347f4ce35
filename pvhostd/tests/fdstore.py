#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for systemd's service manager, as far as pvhostd's restart
needs it: the file descriptor store, and a restart on request.

    fdstore.py CONTROL_SOCKET PROGRAM ARGS...

Runs PROGRAM with NOTIFY_SOCKET set (NotifyAccess=main): it stores
descriptors with "FDSTORE=1\\nFDNAME=NAME" datagrams carrying them
(SCM_RIGHTS) and drops them with "FDSTOREREMOVE=1\\nFDNAME=NAME". At most
FileDescriptorStoreMax (16) are kept; more are closed, as systemd does.
Each time PROGRAM is started again, the stored descriptors are passed as
3, 4, ... with LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID, in the order
they were stored. PROGRAM is restarted when it dies of a signal or exits
non-zero (Restart=on-failure), at most 5 times. CONTROL_SOCKET takes one
line a connection and answers one line:

    pid         the program's pid now
    kill9       SIGKILL it, restart it: "ok PID" (the new one)
    fds         "ok N NAME,NAME..." of the store
    stop        SIGTERM it, wait, and exit

SIGTERM to this process stops PROGRAM the same way. The exit status is
0 only if PROGRAM then exited 0 and never died unasked (a restart on
failure hides nothing from the caller).
"""

import array
import ctypes
import fcntl
import os
import selectors
import signal
import socket
import sys
import time

STORE_MAX = 16
SYS_KCMP, KCMP_FILE = 312, 0    # x86-64
libc = ctypes.CDLL(None, use_errno=True)


def same_file(a, b):
    """One open file (systemd's same_fd()): stored once."""
    me = os.getpid()
    return libc.syscall(SYS_KCMP, me, me, KCMP_FILE, a, b) == 0
RESTARTS_MAX = 5


def log(msg):
    print(f"fdstore: {msg}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, ctl_path, argv):
        self.argv = argv
        self.store = []         # (name, fd) in the order stored
        self.pid = None
        self.main = None        # whose messages count (the last one's)
        self.restarts = 0       # unasked: it died or failed
        self.notify_path = ctl_path + '.notify'
        for p in (ctl_path, self.notify_path):
            if os.path.exists(p):
                os.unlink(p)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.notify.bind(self.notify_path)
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.ctl.bind(ctl_path)
        self.ctl.listen(4)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.notify, selectors.EVENT_READ)
        self.sel.register(self.ctl, selectors.EVENT_READ)

    def start(self):
        fds = [fd for _, fd in self.store]
        names = ':'.join(name for name, _ in self.store)
        pid = os.fork()
        if pid == 0:
            try:
                # Out of the way of 3..: then each in its place.
                moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 3 + len(fds))
                         for fd in fds]
                for i, fd in enumerate(moved):
                    os.dup2(fd, 3 + i, inheritable=True)
                env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
                for k in ('LISTEN_FDS', 'LISTEN_FDNAMES', 'LISTEN_PID'):
                    env.pop(k, None)
                if fds:
                    env.update(LISTEN_FDS=str(len(fds)), LISTEN_FDNAMES=names,
                               LISTEN_PID=str(os.getpid()))
                os.closerange(3 + len(fds), 1024)
                os.execve(self.argv[0], self.argv, env)
            finally:
                os._exit(127)
        self.pid = self.main = pid
        log(f"started {self.argv[0]} pid {pid} with {len(fds)} stored fds")

    def receive(self):
        """Every datagram waiting: a store update from the program."""
        while True:
            try:
                msg, anc, _, _ = self.notify.recvmsg(
                    4096, socket.CMSG_SPACE(253 * 4) +
                    socket.CMSG_SPACE(12), socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            fds, sender = [], None
            for level, kind, data in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    a = array.array('i')
                    a.frombytes(data[:len(data) - len(data) % a.itemsize])
                    fds.extend(a)
                elif level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    sender = int.from_bytes(data[0:4], sys.byteorder)
            self.handle(msg.decode(errors='replace'), fds, sender)

    def handle(self, text, fds, sender):
        kv = dict(line.split('=', 1) for line in text.split('\n') if '=' in line)
        if sender != self.main:
            # NotifyAccess=main: the main process's messages only
            log(f"message of pid {sender} ignored")
            for fd in fds:
                os.close(fd)
            return
        if kv.get('FDSTOREREMOVE') == '1':
            name = kv.get('FDNAME', 'stored')
            for n, fd in [e for e in self.store if e[0] == name]:
                os.close(fd)
            self.store = [e for e in self.store if e[0] != name]
        if kv.get('FDSTORE') == '1':
            name = kv.get('FDNAME', 'stored')
            for fd in fds:
                if any(same_file(fd, f) for _, f in self.store):
                    os.close(fd)
                elif len(self.store) < STORE_MAX:
                    self.store.append((name, fd))
                else:
                    log(f"store full: {name} dropped")
                    os.close(fd)
            fds = []
        for fd in fds:
            os.close(fd)

    def reap(self, block=False):
        """The program's exit status, or None while it runs."""
        if self.pid is None:
            return None
        pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return None
        self.pid = None
        self.receive()          # what it sent before it died
        return status

    def kill9(self):
        os.kill(self.pid, signal.SIGKILL)
        self.reap(block=True)
        self.start()
        return f"ok {self.pid}"

    def stop(self):
        code = 0
        if self.pid is not None:
            os.kill(self.pid, signal.SIGTERM)
            code = os.waitstatus_to_exitcode(self.reap(block=True))
        log(f"stopped (exit {code}, {self.restarts} restarts on failure); "
            f"{len(self.store)} fds left in the store")
        sys.exit(0 if code == 0 and not self.restarts else 1)

    def command(self, conn):
        with conn:
            conn.settimeout(10)
            line = conn.makefile('r').readline().strip()
            self.receive()
            if line == 'pid':
                out = f"ok {self.pid}"
            elif line == 'kill9' and self.pid is not None:
                out = self.kill9()
            elif line == 'fds':
                out = f"ok {len(self.store)} " + ','.join(n for n, _ in self.store)
            elif line == 'stop':
                conn.sendall(b"ok\n")
                self.stop()
            else:
                out = f"error {line[:32]!r}"
            conn.sendall((out + '\n').encode())

    def run(self):
        self.start()
        while True:
            for key, _ in self.sel.select(0.2):
                if key.fileobj is self.notify:
                    self.receive()
                else:
                    conn, _ = self.ctl.accept()
                    try:
                        self.command(conn)
                    except OSError as e:
                        log(f"control: {e}")
            status = self.reap()
            if status is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            log(f"exited: {code}")
            if code == 0 or self.restarts >= RESTARTS_MAX:
                sys.exit(0 if code == 0 and not self.restarts else 1)
            if code != 75:      # a handover (SIGUSR2) is asked for
                self.restarts += 1
            time.sleep(0.1)
            self.start()


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: fdstore.py CONTROL_SOCKET PROGRAM ARGS...")
    sup = Supervisor(sys.argv[1], sys.argv[2:])
    signal.signal(signal.SIGTERM, lambda *_: sup.stop())
    sup.run()


if __name__ == '__main__':
    main()
