#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Plot the virtio_coalesce benchmark's table (the output of
# bench/run.sh virtio_coalesce) with gnuplot (Debian: gnuplot-nox).
#   bash bench/virtio_coalesce/plot.sh BENCH-OUTPUT OUT.png
# Not executable on purpose: the lane copies executables here into the guest.
set -eo pipefail
in=${1:?usage: plot.sh BENCH-OUTPUT OUT.png}
out=${2:?usage: plot.sh BENCH-OUTPUT OUT.png}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot missing (apt-get install gnuplot-nox)" >&2; exit 2; }
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
# setting Mbit/s xoff irq/s xoff p50 xoff p99 xoff irq/pkt
awk '{ sub(/^# /, "") }
	$1 ~ /^(off|0|25|50|75|100|adaptive|target[0-9]+)$/ && NF == 10 { print }' "$in" >"$dat"
[ -s "$dat" ] || { echo "plot.sh: no table in $in" >&2; exit 1; }
gnuplot <<GP
set terminal pngcairo size 1000,600 noenhanced
set output "$out"
set title "virtio_coalesce, QEMU TCG guest: ratio to mode off in the same run (medians)"
set style data linespoints
set xtics rotate by -30
set ylabel "ratio to off"
set logscale y
set grid
plot "$dat" using 0:3:xtic(1) title "bulk throughput", \
     "" using 0:5 title "interrupts/s", \
     "" using 0:7 title "request/response p50", \
     "" using 0:9 title "request/response p99"
GP
echo "$out"
