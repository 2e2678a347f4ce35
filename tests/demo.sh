#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build every module, boot a guest under QEMU (Debian's stock
# 6.12 kernel, 4 vCPUs on 2 NUMA nodes, virtio-net to a peer on the host,
# pvhostd on the host channel), load every module and run each one's demo
# scenario (demo/<module>/demo.sh): what the host does, what the guest
# shows for it. No tests run; make check runs them.
#   tests/demo.sh [LANE...]   (default: stock-6.12; xen adds the Xen dom0)
#   tests/demo.sh --shell     the same guest, then a shell on this terminal
PV_LANE=demo
. "$(dirname "$0")/qemu/lib.sh"
if [ "$1" = --shell ]; then
	pv_log "building and booting the stock-6.12 guest; Ctrl-A X ends it"
	PV_DEMO=shell exec bash "$PV_ROOT/tests/qemu/run-lane.sh" stock-6.12
fi
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(stock-6.12)
res=$(mktemp)
trap 'rm -f "$res"' EXIT
mods=$(tr '\n' ' ' <"$PV_ROOT/tests/qemu/modules.list")
rc=0
for lane in "${lanes[@]}"; do
	pv_log "building and booting the $lane guest"
	start=$(date +%s)
	PV_DEMO=1 bash "$PV_ROOT/tests/qemu/run-lane.sh" "$lane" >"$res"
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
	# What each module logged as it loaded, then each one's scenario.
	echo "-- what the modules logged as they loaded"
	awk -v mods="$mods" '
		BEGIN { n = split(mods, m, " ") }
		{ sub(/\r+$/, "") }
		/^pvguest: .* loaded$/ { done[$2] = 1; next }
		/^pvdemo: [^ ]/ { print ""; print "== " $2; next }
		/^pvdemo:   / { sub(/^pvdemo:   /, "   "); print; next }
		/taints kernel|verification failed/ { next }
		/^\[ *[0-9.]+\] / {
			line = $0
			sub(/^\[ *[0-9.]+\] /, "", line)
			for (i = 1; i <= n; i++)
				if (!(m[i] in done) && (index(line, m[i] ":") == 1 ||
							index(line, m[i] " ") == 1)) {
					print "   " line
					break
				}
		}' "$console"
	echo
	awk -F'\t' '{ n[$2]++ } END { printf "-- %d steps passed, %d failed (%d s)\n", n["pass"], n["fail"], '"$(($(date +%s) - start))"' }' "$res"
	awk -F'\t' '$2 == "fail" { printf "   failed: %s %s\n", $3, $4 }' "$res"
	grep -q '	fail	' "$res" && rc=1
done
exit $rc
