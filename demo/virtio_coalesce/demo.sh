#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# virtio_coalesce: one knob from lowest latency (level 0) to highest
# throughput (level 100) on the guest's virtio-net: at each end, a ping to
# the host's end of the link and a bulk download from it, with the
# interrupts the NIC raised and the packets each one carried.
for d in /sys/kernel/virtio_coalesce/*/; do
	[ -f "$d/level" ] && break
done
v=${d%/}
ifc=${v##*/}
if ! [ -f "$v/level" ] || [ -z "$PV_NET" ]; then
	echo "no virtio-net interface with a peer (pv.net) in this guest: nothing to show"
	exit 0
fi
addr=${PV_NET%%,*}
peer=${PV_NET##*,}
ip link set "$ifc" up && ip addr replace "$addr" dev "$ifc" || exit 1
ping -c 1 -W 5 "$peer" >/dev/null 2>&1 || { echo "$peer does not answer"; exit 1; }
echo "$ifc ($(cat $v/mechanism)), host end $peer"
printf '%-6s %-14s %-22s %s\n' level "ping avg" "bulk 3 s" "interrupts, packets per interrupt"
for level in 0 100; do
	echo fixed >$v/mode && echo $level >$v/level || exit 1
	rtt=$(ping -c 20 -i 0.05 "$peer" 2>/dev/null | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	i0=$(cat $v/interrupts)
	p0=$(cat $v/packets)
	bytes=$({ timeout 3 nc "$peer" 19; } 2>/dev/null | wc -c)
	i=$(($(cat $v/interrupts) - i0))
	p=$(($(cat $v/packets) - p0))
	printf '%-6s %-14s %-22s %s, %s\n' "$level" "${rtt:-?} ms" \
		"$((bytes / 3 / 1024)) KiB/s" "$i" "$([ $i -gt 0 ] && echo $((p / i)) || echo -)"
done
echo off >$v/mode
echo "mode off: the device's own settings are back (state $(cat $v/state))"
