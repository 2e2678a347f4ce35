#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The harness lane: the suite's own parts tested before the suite trusts
# them (the TAP/KTAP reader and the manifest check, the guest's relay
# client), in the lane format of tests/qemu/run-lane.sh.
PV_LANE=harness
. "$(dirname "$0")/qemu/lib.sh"
result() { printf 'RESULT\t%s\tharness/%s\t%s\n' "$1" "$2" "$3"; }
pv_need_pkgs python3 busybox-static >&2 || { result fail setup "missing packages"; exit 0; }

log=$(mktemp)
trap 'rm -rf "$log" "$fake"' EXIT
if python3 "$PV_ROOT/tests/qemu/test_tap.py" >"$log" 2>&1; then
	result pass "tap.py unit tests" ""
else
	cat "$log" >&2
	result fail "tap.py unit tests" "$(grep -cE '^(FAIL|ERROR):' "$log") failing (above)"
fi

# Every KUnit suite and selftest in the tree is in the manifest.
missing=
for s in $(cd "$PV_ROOT" && grep -rh --include='*.c' -A2 'static struct kunit_suite' . |
	   sed -n 's/.*\.name = "\([a-z0-9_]*\)".*/\1/p'); do
	grep -qE "^kunit/$s[[:space:]]" "$PV_ROOT/tests/qemu/expect" || missing="$missing kunit/$s"
done
for f in "$PV_ROOT"/selftests/*/*.c; do
	m=$(basename "$(dirname "$f")")
	[ "$m" = include ] && continue
	t=selftests/$m/$(basename "$f" .c)
	grep -qE "^$t[[:space:]]" "$PV_ROOT/tests/qemu/expect" || missing="$missing $t"
done
if [ -z "$missing" ]; then
	result pass "every suite and selftest is in tests/qemu/expect" ""
else
	result fail "every suite and selftest is in tests/qemu/expect" "missing:$missing"
fi

# pvhost-ctl, the guest's relay client, run here under busybox sh with a
# fake sysfs: no relay is a skip only where the lane runs no pvhostd.
fake=$(mktemp -d)
bb=/bin/busybox
mkdir -p "$fake/bin"
sed "s#/sys/class/virtio-ports#$fake/ports#g" "$PV_ROOT/tests/qemu/pvhost-ctl" >"$fake/pvhost-ctl"
relay() { PATH=$fake/bin:/usr/bin:/bin PV_PVHOST=$1 "$bb" sh "$fake/pvhost-ctl" status >/dev/null 2>&1; echo $?; }
rc=$(relay 0)
[ "$rc" = 4 ] && result pass "pvhost-ctl: no relay, no pvhostd: exit 4 (skip)" "" ||
	result fail "pvhost-ctl: no relay, no pvhostd: exit 4 (skip)" "exit $rc"
rc=$(relay 1)
[ "$rc" = 5 ] && result pass "pvhost-ctl: no relay though the lane runs pvhostd: exit 5 (fail)" "" ||
	result fail "pvhost-ctl: no relay though the lane runs pvhostd: exit 5 (fail)" "exit $rc"
