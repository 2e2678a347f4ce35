#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a lane's guest under QEMU TCG (stock ones with pvhostd), run the benchmarks
# of one module (bench/MODULE/*) in it and print their tables.
#   bench/run.sh MODULE [stock-6.12|stock-6.1|xen]
# The lane's selftests are not run (PV_BENCH); the lane's own checks are
# printed too (boot, build, kernel log), since a figure from a guest that
# misbehaved is no figure.
set -o pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
module=${1:?usage: bench/run.sh MODULE [stock-6.12|stock-6.1|xen]}
lane=${2:-stock-6.12}
[ -d "$here/bench/$module" ] || { echo "bench/run.sh: no bench/$module" >&2; exit 2; }
. "$here/tests/qemu/lib.sh"
out=$(PV_BENCH=$module PV_TIMEOUT=${PV_TIMEOUT:-600} bash "$here/tests/qemu/run-lane.sh" "$lane")
echo "$out" | grep -E '^RESULT' | cut -f2,3 | sed 's/^/# lane: /'
res=$PV_CACHE/lanes/$lane/results.log
awk '/^PVTAP: BEGIN bench\//{on=1; next} /^PVTAP: END bench\//{on=0} on && sub(/^PVTAP: # /, "")' "$res"
echo "$out" | grep -qE '^RESULT	fail' && exit 1
exit 0
