#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the pvmempressure bench in a stock guest and, on the host, sample the
# allocated size of the guest's RAM backing files (what the host really
# holds) every half second next to the guest's phase marks.
#   bash bench/pvmempressure/host.sh [stock-6.12|stock-6.1] > out.txt
# (not executable: the initramfs copies the executables of bench/MODULE/)
here=$(cd "$(dirname "$0")/../.." && pwd)
lane=${1:-stock-6.12}
mon=$(mktemp)
(
	end=$(($(date +%s) + 900))
	while [ "$(date +%s)" -lt "$end" ]; do
		set -- /dev/shm/pvguest-"$lane"-*-m0 /dev/shm/pvguest-"$lane"-*-m1
		[ -e "$1" ] && echo "host $(date +%s.%N) $(du -kc "$@" 2>/dev/null | tail -1 | cut -f1) KiB"
		sleep 0.5
	done
) >"$mon" &
monpid=$!
out=$("$here/bench/run.sh" pvmempressure "$lane")
rc=$?
echo "$out"
kill "$monpid" 2>/dev/null
wait "$monpid" 2>/dev/null
# What the host saw per phase: its allocated KiB at the phase start, and
# the lowest within 6 s after the phase end (free page reporting waits
# 2 s). Guest and host CLOCK_REALTIME agree to about a second under TCG.
echo "# host view: MiB the host's RAM files shrank by, per guest phase"
{ echo "$out" | grep '^phase '; cat "$mon"; } | awk '
	/^phase/ { if ($5 == "start") st[$2 " " $4] = $6; else en[$2 " " $4] = $6; next }
	/^host/ { n++; t[n] = $2; k[n] = $3 }
	END {
		for (p in st) {
			b = -1; lo = -1
			for (i = 1; i <= n; i++) {
				if (t[i] <= st[p]) b = k[i]
				if (t[i] >= st[p] && t[i] <= en[p] + 6 && (lo < 0 || k[i] < lo)) lo = k[i]
			}
			if (b >= 0 && lo >= 0)
				printf("%-20s host before %7.1f MiB, lowest after %7.1f MiB, returned %7.1f MiB\n",
				       p, b / 1024, lo / 1024, (b - lo) / 1024)
		}
	}' | sort
echo "# host: allocated KiB of the guest RAM files over time"
cat "$mon"
rm -f "$mon"
exit $rc
