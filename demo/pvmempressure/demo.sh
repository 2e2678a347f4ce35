#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvmempressure: the host raises its memory-pressure gauge to 0.9; the
# guest trims its clean page cache, urgently, and the freed pages go back
# to the host through free page reporting; the gauge falls, trimming stops.
p=/sys/kernel/pvmempressure
if ! pvhost-ctl pressure auto >/dev/null 2>&1; then
	echo "no pvhostd to raise the gauge: nothing to show"
	exit 0
fi
cache() { awk '/^(Buffers|Cached):/ { s += $2 } END { print int(s / 1024) }' /proc/meminfo; }
show() {
	printf '%-22s gauge %4s  grade %-7s  page cache %4s MiB  trimmed %6s  returned %6s\n' \
		"$1" "$(cat $p/gauge)" "$(cat $p/grade)" "$(cache)" \
		"$(cat $p/pages_trimmed)" "$(cat $p/pages_returned)"
}
# A small guest (the scenario runs in seconds): the guards on what the
# guest keeps for itself set low, as for a guest with plenty to give back.
saved="$(cat $p/min_avail_mib) $(cat $p/min_cache_mib) $(cat $p/interval_ms)"
echo 0 >$p/min_avail_mib && echo 0 >$p/min_cache_mib && echo 50 >$p/interval_ms || exit 1
# 128 MiB of clean page cache: a file on an ext2 ram disk, read back.
if [ -r /lib/kmods/brd.ko ]; then
	rmmod brd 2>/dev/null
	insmod /lib/kmods/brd.ko rd_nr=1 rd_size=163840 &&
	mke2fs -q /dev/ram0 >/dev/null 2>&1 && mkdir -p /tmp/pvmp &&
	mount -t ext2 /dev/ram0 /tmp/pvmp &&
	dd if=/dev/zero of=/tmp/pvmp/fill bs=1M count=128 2>/dev/null && sync &&
	cat /tmp/pvmp/fill >/dev/null || exit 1
fi
echo "return path: $(cat $p/return_path 2>/dev/null || echo '?')"
show "host gauge low:"
pvhost-ctl pressure set 0.9 | head -1
for t in 1 2 3 4; do
	sleep 1
	show "after $t s at 0.9:"
done
pvhost-ctl pressure auto | head -1
sleep 1
show "host gauge back:"
if mountpoint -q /tmp/pvmp 2>/dev/null; then
	umount /tmp/pvmp
	rmmod brd
fi
set -- $saved
echo "$1" >$p/min_avail_mib
echo "$2" >$p/min_cache_mib
echo "$3" >$p/interval_ms
