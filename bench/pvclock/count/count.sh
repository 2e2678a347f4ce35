#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per read of pvclock's reader and the in-tree reader, from
# the module's own sources built for userspace (harness.c), counted with
# valgrind --tool=callgrind: the same count whatever the machine's load.
# Then, as a cross-check on real hardware, ns per read with the real TSC.
#   bench/pvclock/count/count.sh [READS] [THREADS]   (100000, nproc)
# Not a test: it reports. Valgrind runs threads one at a time, so the
# N-thread counts show the instructions, not the cost of a contended line.
set -e
cd "$(dirname "$0")"
reads=${1:-100000}
nth=${2:-$(nproc)}
command -v valgrind >/dev/null || { echo "count.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 4; }
make -s harness

count() {	# READER STABLE THREADS -> instructions per read
	local out
	out=$(mktemp)
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect='read_*' ./harness count "$1" "$2" "$3" "$reads" \
		>/dev/null 2>&1
	awk -v n=$(($3 * reads)) '/^summary:/ { printf "%.2f", $2 / n }' "$out"
	rm -f "$out"
}

echo "instructions per read (callgrind; TSC stepped 30 ns a read; guard quantum 1000 ns)"
printf '%-9s %7s %9s %9s %7s\n' record threads pvclock in-tree ratio
for stable in 1 0; do
	for t in 1 "$nth"; do
		p=$(count pvclock "$stable" "$t")
		i=$(count in-tree "$stable" "$t")
		printf '%-9s %7s %9s %9s %7.3f\n' \
			"$([ "$stable" = 1 ] && echo stable || echo unstable)" "$t" \
			"$p" "$i" "$(echo "$p / $i" | bc -l)"
	done
done
echo
echo "ns per read on this machine's TSC, threads pinned, median of 9 rounds (load-dependent: ratios only)"
./harness time 9 2000000
