#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: every lane. Prints each result as TAP, the skips
# with their reasons, the time of each lane, and closes with
# "N passed, N failed, N skipped".
#   tests/run.sh [LANE...]   (default: every lane)
# Lanes that boot no guest (style, harness, host, package) run beside the guest
# lanes, which run one after the other: two cores are what a TCG guest uses.
# The Xen lane, a short guest with two vCPUs whose tests time nothing, runs
# beside them too, while the first guest lane builds and boots.
PV_LANE=check
. "$(dirname "$0")/qemu/lib.sh"
HOST_LANES="style harness host package"
GUEST_LANES="kunit stock-6.1 stock-6.12 xen"
BESIDE_LANES="$HOST_LANES xen"
lanes=("$@")
[ ${#lanes[@]} -gt 0 ] || lanes=($HOST_LANES $GUEST_LANES)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# What one guest lane builds that another would build the same, it builds
# for both (tests/qemu/run-lane.sh, shared()).
export PV_SHARED=$tmp/shared
mkdir -p "$PV_SHARED"
start=$(date +%s)

# run_lane LANE: its RESULT lines into $tmp/LANE.res, its time into $tmp/LANE.time.
run_lane() {
	local lane=$1 t0
	t0=$(date +%s)
	pv_log "lane $lane"
	case " $HOST_LANES " in
	*" $lane "*) bash "$PV_ROOT/tests/$lane.sh" ;;
	*) bash "$PV_ROOT/tests/qemu/run-lane.sh" "$lane" ;;
	esac | grep -a '^RESULT' >"$tmp/$lane.res"
	if ! grep -q "	$lane/" "$tmp/$lane.res"; then
		printf 'RESULT\tfail\t%s/lane\tlane produced no result\n' "$lane" >>"$tmp/$lane.res"
	fi
	echo $(($(date +%s) - t0)) >"$tmp/$lane.time"
	pv_log "lane $lane: $(grep -c "	pass	" "$tmp/$lane.res") passed," \
		"$(grep -c "	fail	" "$tmp/$lane.res") failed in $(cat "$tmp/$lane.time") s"
}

pids=()
for lane in "${lanes[@]}"; do
	case " $BESIDE_LANES " in
	*" $lane "*) run_lane "$lane" & pids+=($!) ;;
	esac
done
for lane in "${lanes[@]}"; do
	case " $BESIDE_LANES " in
	*" $lane "*) ;;
	*) run_lane "$lane" ;;
	esac
done
for pid in "${pids[@]}"; do
	wait "$pid"
done

all=$tmp/all
for lane in "${lanes[@]}"; do
	cat "$tmp/$lane.res" 2>/dev/null ||
		printf 'RESULT\tfail\t%s/lane\tlane did not run\n' "$lane"
done >"$all"

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
echo "# lane times (s):$(for lane in "${lanes[@]}"; do
	printf ' %s %s' "$lane" "$(cat "$tmp/$lane.time" 2>/dev/null || echo -)"; done)"
echo "# total time $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
