#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lock-hint figures under a host CPU hog: one busy loop per host CPU
# (nice 0, as a neighbour's work would be) while bench/pvhost/pvhost_lockhint
# runs in a stock guest (4 vCPUs under TCG), then its table alone. The
# loops start when the guest reports the benchmark's start and stop at
# its end, so the boot and the other pvhost benchmarks run without them.
#   bash bench/pvhost/lockhint-host.sh [stock-6.12|stock-6.1] > out.txt
# (not executable: the initramfs copies the executables of bench/MODULE/)
here=$(cd "$(dirname "$0")/../.." && pwd)
lane=${1:-stock-6.12}
. "$here/tests/qemu/lib.sh"
res=$PV_CACHE/lanes/$lane/results.log
(
	# the lane starts results.log anew when it boots: a mark left by an
	# earlier run is not this run's
	while grep -q 'BEGIN bench/pvhost/pvhost_lockhint' "$res" 2>/dev/null; do
		sleep 1
	done
	until grep -q 'BEGIN bench/pvhost/pvhost_lockhint' "$res" 2>/dev/null; do
		sleep 1
	done
	hogs=()
	for _ in $(seq "$(nproc)"); do
		timeout 900 sh -c 'while :; do :; done' &
		hogs+=($!)
	done
	echo "host: $(nproc) CPUs, ${#hogs[@]} busy loops from $(date +%T)" >&2
	until grep -q 'END bench/pvhost/pvhost_lockhint' "$res" 2>/dev/null; do
		sleep 1
	done
	kill "${hogs[@]}" 2>/dev/null
	echo "host: busy loops stopped at $(date +%T)" >&2
) &
watcher=$!
out=$("$here/bench/run.sh" pvhost "$lane")
rc=$?
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
echo "$out" | grep -E '^# lane:|^(lock hint:|policy |off |on |on/off:|uncontended cost:|spinlock_t |pvspinlock, hint|hint on /)'
exit $rc
