#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job: build every module for Debian's stock kernel, boot a guest
# (4 vCPUs, 2 NUMA nodes, virtio devices, ivshmem) under QEMU, load each
# module and show what it reports: its log lines and its sysfs files.
#   tests/demo.sh [stock-6.1|stock-6.12|xen]   (default stock-6.12)
lane=${1:-stock-6.12}
PV_LANE=demo
. "$(dirname "$0")/qemu/lib.sh"
res=$(mktemp)
trap 'rm -f "$res"' EXIT
pv_log "building and booting the $lane guest"
bash "$PV_ROOT/tests/qemu/run-lane.sh" "$lane" >"$res"
console=$PV_CACHE/lanes/$lane/console.log
[ -s "$console" ] || { cat "$res"; pv_die "the guest did not start"; }
mods=$(tr '\n' '|' <"$PV_ROOT/tests/qemu/modules.order")
mods=${mods%|}
echo "== guest"
grep -a -m1 'Linux version' "$console" | sed 's/^\[[^]]*\] //'
grep -a '^pvguest: lane' "$console"
echo "== what the modules said"
grep -aE "^\[ *[0-9.]+\] ($mods): " "$console" | sed 's/^\[[^]]*\] //'
echo "== what the modules show in sysfs"
grep -a -E '^pvguest: .* loaded|^  ' "$console"
echo "== tests run in the same guest"
awk -F'\t' '{ n[$2]++ } END { printf "%d passed, %d failed, %d skipped\n", n["pass"], n["fail"], n["skip"] }' "$res"
awk -F'\t' '$2 == "fail" { printf "  failed: %s %s\n", $3, $4 }' "$res"
! grep -q '	fail	' "$res"
