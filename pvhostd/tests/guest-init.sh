#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/e2e.sh: find the ivshmem device, read the pvhost
# region through /dev/mem and talk to pvhostd with doorbells. Emits TAP.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { d="$1"; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
rd() { printf '%d' "$(devmem $(($1)) 32)"; }
wr() { devmem $(($1)) 32 $(($2)); }
finish() { echo "1..$n"; echo "# guest: $fails failed"; poweroff -f; }
hold=$(sed -n 's/.*pvhold=\([0-9]*\).*/\1/p' /proc/cmdline)

dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = "0x1af4:0x1110" ] && dev=$d
done
check "ivshmem-doorbell device 1af4:1110 present" [ -n "$dev" ]
[ -n "$dev" ] || finish
echo "# device $dev"
echo 1 > $dev/enable
bar0=$(sed -n 1p $dev/resource | cut -d' ' -f1)
bar2=$(sed -n 3p $dev/resource | cut -d' ' -f1)
echo "# bar0 $bar0 bar2 $bar2"

check "magic PVHS" [ "$(rd $bar2)" -eq $((0x53485650)) ]
check "abi_major 1" [ $(($(rd $bar2+4) & 0xffff)) -eq 1 ]
check "header_size 256" [ "$(rd $bar2+8)" -eq 256 ]
check "state READY" [ "$(rd $bar2+24)" -eq 1 ]
check "features pressure|entropy|mailbox" [ $(($(rd $bar2+16) & 0x380)) -eq $((0x380)) ]
check "features clock|clock_pairing" [ $(($(rd $bar2+16) & 0x3)) -eq 3 ]
echo "# generation $(rd $bar2+28)"
own=$(rd $bar0+8)
host=$(rd $bar2+72)
echo "# IVPosition $own, host peer $host"
check "guest peer id 1" [ "$own" -eq 1 ]

mb=$((bar2 + $(rd $bar2+64)))
ping() {
	wr $mb+4 "$2"; wr $mb+8 "$3"; wr $mb "$1"
	wr $bar0+12 $(((host << 16) | 0))
	i=0
	while [ "$(rd $mb+12)" -ne "$1" ] && [ $i -lt 50 ]; do
		usleep 100000; i=$((i + 1))
	done
}
ping 1 1 0
check "mailbox PING answered" [ "$(rd $mb+12)" -eq 1 ]
check "mailbox PING status 0" [ "$(rd $mb+16)" -eq 0 ]
ping 2 77 0
check "mailbox unknown op: -EOPNOTSUPP" [ "$(rd $mb+16)" -eq $((0xffffffa1)) ]
ping 3 1 5000
check "mailbox oversized len: -EINVAL" [ "$(rd $mb+16)" -eq $((0xffffffea)) ]
ping 4 2 32
check "mailbox CALIBRATE status 0, len 32" \
	[ "$(rd $mb+16)" -eq 0 -a "$(rd $mb+8)" -eq 32 ]
check "mailbox CALIBRATE host_ns set" [ "$(rd $mb+64+16)$(rd $mb+64+20)" != 00 ]

pr=$((bar2 + $(rd $bar2+48)))
check "pressure seq even and nonzero" [ $(($(rd $pr) & 1)) -eq 0 -a "$(rd $pr)" -gt 0 ]
echo "# pressure level $(rd $pr+4) avail_permille $(rd $pr+24)"

en=$((bar2 + $(rd $bar2+52)))
p0=$(rd $en)
check "entropy ring full: prod == size" [ "$p0" -eq "$(rd $en+8)" ]
wr $en+4 "$p0"
wr $bar0+12 $(((host << 16) | 3))
usleep 500000
check "entropy refilled after drain doorbell" [ "$(rd $en)" -eq $((p0 * 2)) ]

if [ -n "$hold" ]; then
	echo "# holding $hold s"
	sleep "$hold"
	ping 5 1 0
	check "mailbox still answered after hold" [ "$(rd $mb+12)" -eq 5 ]
	check "state still READY after hold" [ "$(rd $bar2+24)" -eq 1 ]
	# the host ran "pressure set 0.5" and "entropy fault zeros" meanwhile
	check "pressure set by command: level 32768, source 1" \
		[ "$(rd $pr+4)" -eq 32768 -a "$(rd $pr+28)" -eq 1 ]
	p1=$(rd $en)
	wr $en+4 "$p1"
	wr $bar0+12 $(((host << 16) | 3))
	usleep 500000
	z=$(($(rd $en+64) | $(rd $en+68) | $(rd $en+64+2048) | $(rd $en+64+4092)))
	check "entropy fault zeros reaches the ring" [ "$z" -eq 0 -a "$(rd $en)" -ne "$p1" ]
fi
finish
