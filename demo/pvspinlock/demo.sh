#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pvspinlock: a lock under overcommit. The host runs a CPU hog beside the
# guest's 4 vCPUs on its 2 cores, so it preempts vCPU threads; user space
# sees which in /dev/pvspinlock while threads share a pvlock.h mutex, and
# 4 kthreads hammer a stock spinlock_t, then a pvspinlock.
d=/sys/kernel/debug/pvspinlock
echo "preempted facts from $(cat /sys/kernel/pvspinlock/preempted_source), yield from $(cat /sys/kernel/pvspinlock/yield_source), boost from $(cat /sys/kernel/pvspinlock/boost_source)"
if pvhost-ctl hog 2 45 >/dev/null 2>&1; then
	echo "host: a CPU hog on each of its 2 cores, 45 s at most"
else
	echo "no host relay: only the vCPUs themselves overcommit the host"
fi
pvlock-watch 3 || exit 1
for kind in spinlock spin; do
	echo "$kind 4 300 50" >$d/torture || exit 1
	awk -v k="$kind" '{ for (i = 1; i <= NF; i++) { split($i, f, "="); v[f[1]] = f[2] }
		printf "  %-8s 4 kthreads x 300: %6.0f acquisitions/s, p99 wait %.1f ms, counter %s\n",
			k, v["expected"] * 1e9 / v["elapsed_ns"], v["wait_p99_ns"] / 1e6,
			v["counter"] == v["expected"] && v["violations"] == 0 ? "exact" : "WRONG" }' $d/torture
done
pvhost-ctl hog stop >/dev/null 2>&1
grep -E '^(class|pvspinlock:pvsl_t_spin) ' $d/classes | cut -d' ' -f1-9 | sed 's/^/  /'
exit 0
