#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# The host end of the stock lanes' guest network, run inside the lane's own
# network namespace (run-lane.sh): the guest's traffic tests and benchmarks
# talk to it over the tap device.
#   netpeer.py ADDR [MONITOR]
# UDP ADDR:7 echoes every datagram (request/response); TCP ADDR:9 discards
# what it reads (guest to host bulk); TCP ADDR:19 sends until the guest
# closes (host to guest bulk); UDP ADDR:5 "unplug" has QEMU's monitor (the
# lane's own HMP socket MONITOR) unplug the guest's NIC, device vnet0, and
# answers "ok" or why not. Ends on SIGTERM.
import re
import signal
import socket
import sys
import threading


def udp_echo(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 7))
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)


def read_prompt(m, after):
    """Read from an HMP monitor until a prompt follows AFTER (a command's
    echo, or nothing for the banner); the socket's timeout bounds it.
    The echo carries line-editing escapes: they are dropped first."""
    buf = b''
    while True:
        data = m.recv(4096)
        if not data:
            return buf
        buf += data
        text = re.sub(rb'\x1b\[[0-9;]*[A-Za-z]', b'', buf)
        if after:
            if after not in text:
                continue
            text = text[text.rindex(after):]
        if text.endswith(b'(qemu) '):
            return text


def unplug(addr, monitor):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 5))
    while True:
        data, peer = s.recvfrom(64)
        if data.strip() != b'unplug' or not monitor:
            s.sendto(b'no monitor' if data.strip() == b'unplug' else b'unknown', peer)
            continue
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as m:
                m.settimeout(5)
                m.connect(monitor)
                banner = read_prompt(m, b'')
                # HMP reads its input a byte at a time and drops what is
                # left when the peer goes: stay until the command's own
                # prompt comes back.
                m.sendall(b'device_del vnet0\n')
                answer = read_prompt(m, b'device_del vnet0')
            print('unplug: monitor said %r, then %r' % (banner, answer),
                  file=sys.stderr, flush=True)
            s.sendto(b'ok', peer)
        except OSError as e:
            print('unplug: %s' % e, file=sys.stderr, flush=True)
            s.sendto(('error %s' % e).encode(), peer)


def tcp_serve(addr, port, handler):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def discard(c):
    with c:
        try:
            while c.recv(1 << 16):
                pass
        except OSError:
            pass


def source(c):
    buf = b'\xa5' * (1 << 16)
    with c:
        try:
            while True:
                c.sendall(buf)
        except OSError:
            pass


def main():
    addr = sys.argv[1]
    monitor = sys.argv[2] if len(sys.argv) > 2 else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threads = [threading.Thread(target=udp_echo, args=(addr,), daemon=True),
               threading.Thread(target=tcp_serve, args=(addr, 9, discard), daemon=True),
               threading.Thread(target=tcp_serve, args=(addr, 19, source), daemon=True),
               threading.Thread(target=unplug, args=(addr, monitor), daemon=True)]
    for t in threads:
        t.start()
    signal.pause()


if __name__ == '__main__':
    main()
