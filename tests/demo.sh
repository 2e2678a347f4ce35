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
		BEGIN { n = split(mods, m, " ") }
		{ sub(/\r+$/, "") }
		/^pvguest: state with every module loaded/ { cur = ""; show = 1; hdr = 0; next }
		/^pvguest: .* loaded$/ { cur = $2; done[cur] = 1; show = 1; hdr = 0; next }
		/^  / && show {
			if (!hdr)
				print cur == "" ? "-- sysfs with every module loaded" : "-- " cur " in sysfs"
			hdr = 1
			print
			next
		}
		{ show = 0 }
		/taints kernel|verification failed/ { next }
		{
			line = $0
			sub(/^\[ *[0-9.]+\] /, "", line)
			for (i = 1; i <= n; i++)
				if (!(m[i] in done) && index(line, m[i] ":") == 1 ||
				    !(m[i] in done) && index(line, m[i] " ") == 1) {
					print line
					break
				}
		}' "$console"
	awk -F'\t' '{ n[$2]++ } END { printf "-- tests in this guest: %d passed, %d failed, %d skipped\n", n["pass"], n["fail"], n["skip"] }' "$res"
	awk -F'\t' '$2 == "fail" { printf "   failed: %s %s\n", $3, $4 }' "$res"
	grep -q '	fail	' "$res" && rc=1
done
exit $rc
