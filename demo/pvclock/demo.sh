#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvclock: the host changes the TSC rate under the running guest (pvhostd
# simulates it: the record it publishes next is off by 2000 ppm, the one
# after is measured again); with pvclock as the system clock, the guest's
# time keeps to the host's real time.
p=/sys/kernel/pvclock
cs=/sys/devices/system/clocksource/clocksource0
src=$(cat $p/source)
if [ "$src" != pvhost ] || ! pvhost-ctl clock status >/dev/null 2>&1; then
	echo "clock records from $src, no pvhostd to change the rate: nothing to show"
	exit 0
fi
idx=$(cat $p/ptp_index)
[ "$idx" -ge 0 ] || { echo "no PTP clock: the host pairs no real time"; exit 1; }
prev=$(cat $cs/current_clocksource)
echo pvclock >$cs/current_clocksource || exit 1
echo "records from $src; system clocksource $(cat $cs/current_clocksource) (was $prev); TSC $(cat $p/rate_khz) kHz"
echo "guest CLOCK_MONOTONIC against host real time (/dev/ptp$idx), from now:"
clock-watch /dev/ptp$idx 12 3 "pvhost-ctl clock rate 2000 | head -1"
rc=$?
echo "TSC rate in the record now $(cat $p/rate_khz) kHz; a clock left on the wrong rate"
echo "would drift 2 ms each second (18 ms over the 9 s after the change)"
echo "$prev" >$cs/current_clocksource
exit $rc
