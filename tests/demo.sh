#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build every module, boot guests under QEMU (Debian's stock
# 6.12 kernel with 4 vCPUs on 2 NUMA nodes, virtio devices and ivshmem; and
# the stock 6.1 kernel as a Xen PV dom0), load each module and show what it
# reports: what it logged as it loaded and its sysfs files. The modules'
# selftests run in the same guests; their verdict closes each section.
#   tests/demo.sh [LANE...]   (default: stock-6.12 xen)
PV_LANE=demo
. "$(dirname "$0")/qemu/lib.sh"
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(stock-6.12 xen)
res=$(mktemp)
trap 'rm -f "$res"' EXIT
mods=$(tr '\n' ' ' <"$PV_ROOT/tests/qemu/modules.list")
rc=0
for lane in "${lanes[@]}"; do
	pv_log "building and booting the $lane guest"
	bash "$PV_ROOT/tests/qemu/run-lane.sh" "$lane" >"$res"
	console=$PV_CACHE/lanes/$lane/console.log
	echo "======== $lane"
	if ! grep -q 'pvguest: lane' "$console" 2>/dev/null; then
		cat "$res"
		pv_log "the $lane guest did not start"
		rc=1
		continue
	fi
	grep -ao 'Linux version [^(]*' "$console" | head -1
	grep -a '^pvguest: lane' "$console"
	# Each module's log from its load up to the start of its selftests,
	# then what it shows in sysfs.
	awk -v mods="$mods" '
		BEGIN { n = split(mods, m, " "); for (i = 1; i <= n; i++) want[m[i]] = 1 }
		{ sub(/\r$/, "") }
		/^pvguest: .* loaded$/ { cur = $2; done[cur] = 1; print "-- " cur " in sysfs"; show = 1; next }
		/^  / && show { print; next }
		{ show = 0 }
		{
			line = $0; sub(/^\[ *[0-9.]+\] /, "", line)
			split(line, w, ":")
			if ((w[1] in want) && !(w[1] in done) && line !~ /taints kernel|verification failed/)
				print line
		}' "$console"
	awk -F'\t' '{ n[$2]++ } END { printf "-- tests in this guest: %d passed, %d failed, %d skipped\n", n["pass"], n["fail"], n["skip"] }' "$res"
	awk -F'\t' '$2 == "fail" { printf "   failed: %s %s\n", $3, $4 }' "$res"
	grep -q '	fail	' "$res" && rc=1
done
exit $rc
