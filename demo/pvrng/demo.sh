#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvrng: the guest trusts the host's entropy for 256 bits per block; the
# host starts sending zeros; pvrng's health tests quarantine the source and
# it credits nothing more, then lets it back after a run of good windows.
p=/sys/kernel/pvrng
s=$p/sources/host
if ! [ -d $s ] || ! pvhost-ctl entropy fault none >/dev/null 2>&1; then
	echo "no host entropy source with a pvhostd to misbehave: nothing to show"
	exit 0
fi
# The hwrng interface to pull with (the lowest quality), credit 256 bits.
rmmod pvrng && insmod /pv/modules/pvrng.ko quality=1 || exit 1
echo pvrng >/sys/class/misc/hw_random/rng_current || exit 1
echo 256 >/sys/module/pvrng/parameters/credit || exit 1
show() {
	printf '%-26s state %-11s credited %6s bits  rct_failures %s  good_windows %s\n' \
		"$1" "$(cat $s/state)" "$(cat $s/bits_credited)" \
		"$(cat $s/rct_failures)" "$(cat $s/good_windows)"
}
# pull MIB STATE: read the hwrng, 64 KiB at a time, until STATE or MIB.
pull() {
	n=0
	while [ $n -lt $(($1 * 16)) ]; do
		[ -n "$2" ] && [ "$(cat $s/state)" = "$2" ] && return 0
		dd if=/dev/hwrng of=/dev/null bs=64k count=1 2>/dev/null || return 1
		n=$((n + 1))
	done
	[ -z "$2" ] || [ "$(cat $s/state)" = "$2" ]
}
rc=0
pull 1
show "honest host, 1 MiB:"
pvhost-ctl entropy fault zeros | head -1
pull 16 quarantined || rc=1
show "host sends zeros:"
b=$(cat $s/bits_credited)
pull 1
show "1 MiB more of zeros:"
[ "$(cat $s/bits_credited)" = "$b" ] || { echo "credited while quarantined"; rc=1; }
pvhost-ctl entropy fault none | head -1
if pull 32 healthy; then
	pull 1
	show "host honest again:"
else
	show "after 32 MiB of good data:"
	echo "(not yet let back: Documentation/pvrng.rst gives the run it needs)"
fi
echo 0 >/sys/module/pvrng/parameters/credit
exit $rc
