#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host lane: the host daemon's unit tests (plain C, TAP) and a short
# fuzzing run of its guest-request and control parsers, in the lane format
# of tests/qemu/run-lane.sh.
PV_LANE=host
. "$(dirname "$0")/qemu/lib.sh"
result() { printf 'RESULT\t%s\thost/%s\t%s\n' "$1" "$2" "$3"; }
[ -f "$PV_ROOT/pvhostd/Makefile" ] || exit 0
pv_need_pkgs build-essential clang libclang-rt-14-dev python3 libjson-c-dev libsystemd-dev >&2 ||
	{ result fail setup "missing packages"; exit 0; }
work=$PV_CACHE/lanes/host
pv_lock lane-host
rm -rf "$work" && mkdir -p "$work"
cp -r "$PV_ROOT/pvhostd" "$PV_ROOT/include" "$work/"
# run NAME TARGET: one make target whose TAP becomes this lane's results.
run() {
	local name=$1 target=$2 rc
	make -s -C "$work/pvhostd" "$target" >"$work/$name.log" 2>&1
	rc=$?
	{
		echo "PVTAP: BEGIN $name"
		sed 's/^/PVTAP: /' "$work/$name.log"
		echo "PVTAP: END $name rc=$rc"
	} >"$work/$name.tap"
	[ $rc -eq 0 ] || tail -20 "$work/$name.log" >&2
	python3 "$PV_ROOT/tests/qemu/tap.py" host "$work/$name.tap"
}
run pvhostd check
# The fuzzer speaks no TAP: its verdict is its exit status.
if grep -q '^fuzz-short:' "$work/pvhostd/Makefile"; then
	if make -s -C "$work/pvhostd" fuzz-short >"$work/fuzz.log" 2>&1; then
		result pass "fuzz-short" ""
	else
		tail -30 "$work/fuzz.log" >&2
		result fail "fuzz-short" "crash or sanitizer report (log: $work/fuzz.log)"
	fi
fi
