#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The lock-hint figures under a host CPU hog: one busy loop per host CPU
# (nice 0, as a neighbour's work would be) for as long as the pvhost
# benchmarks run in a stock guest (4 vCPUs under TCG), then the
# pvhost_lockhint table alone.
#   bash bench/pvhost/lockhint-host.sh [stock-6.12|stock-6.1] > out.txt
# (not executable: the initramfs copies the executables of bench/MODULE/)
here=$(cd "$(dirname "$0")/../.." && pwd)
lane=${1:-stock-6.12}
hogs=()
for _ in $(seq "$(nproc)"); do
	timeout 1200 sh -c 'while :; do :; done' &
	hogs+=($!)
done
echo "# host: $(nproc) CPUs, ${#hogs[@]} busy loops running"
out=$("$here/bench/run.sh" pvhost "$lane")
rc=$?
kill "${hogs[@]}" 2>/dev/null
wait "${hogs[@]}" 2>/dev/null
echo "$out" | grep -E '^# lane:|^(lock hint:|policy |off |on |on/off:|uncontended cost:|spinlock_t |pvspinlock, hint|hint on /)'
exit $rc
