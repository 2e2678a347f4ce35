#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: style, then every QEMU lane. Prints each result as
# TAP, the skips with their reasons, and closes with "N passed, N failed".
#   tests/run.sh [LANE...]   (default: style host kunit stock-6.1 stock-6.12 xen)
PV_LANE=check
. "$(dirname "$0")/qemu/lib.sh"
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=(style host kunit stock-6.1 stock-6.12 xen)

all=$(mktemp)
trap 'rm -f "$all"' EXIT
start=$(date +%s)
for lane in "${lanes[@]}"; do
	t0=$(date +%s)
	pv_log "lane $lane"
	if [ "$lane" = style ] || [ "$lane" = host ]; then
		bash "$PV_ROOT/tests/$lane.sh"
	else
		bash "$PV_ROOT/tests/qemu/run-lane.sh" "$lane"
	fi | grep -a '^RESULT' | tee -a "$all" >/dev/null
	if [ "$lane" = host ] && [ ! -f "$PV_ROOT/pvhostd/Makefile" ]; then
		: # no host tools in this tree
	elif ! grep -q "	$lane/" "$all"; then
		printf 'RESULT\tfail\t%s/lane\tlane produced no result\n' "$lane" >>"$all"
	fi
	pv_log "lane $lane: $(grep -c "	pass	$lane/" "$all") passed," \
		"$(grep -c "	fail	$lane/" "$all") failed in $(($(date +%s) - t0)) s"
done

echo "TAP version 13"
n=0
while IFS=$'\t' read -r _ status name reason; do
	n=$((n + 1))
	case $status in
	pass) echo "ok $n - $name" ;;
	skip) echo "ok $n - $name # SKIP $reason" ;;
	*) echo "not ok $n - $name${reason:+ # $reason}" ;;
	esac
done <"$all"
echo "1..$n"
passed=$(grep -c '	pass	' "$all")
failed=$(grep -c '	fail	' "$all")
skipped=$(grep -c '	skip	' "$all")
if [ "$skipped" -gt 0 ]; then
	echo "# skipped:"
	awk -F'\t' '$2 == "skip" { printf "#   %s: %s\n", $3, $4 }' "$all"
fi
if [ "$failed" -gt 0 ]; then
	echo "# failed:"
	awk -F'\t' '$2 == "fail" { printf "#   %s: %s\n", $3, $4 }' "$all"
fi
echo "# total time $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
