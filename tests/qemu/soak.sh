#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# pv-soak CYCLES: load every project module in order and unload them all in
# reverse, CYCLES times; between load and unload read every file of each
# module's sysfs directory and parameters, write each writable one back
# with the value it held, and write it a value it must refuse. Prints TAP,
# one result per module and one per cycle that failed. The lane's kmemleak
# scans and console check after it are the leak and report verdicts.
cycles=${1:-100}
mods=$(cat /etc/pv/modules)
fails=0
bad_cycle=0

# poke DIR: read each file, write writable ones back and then garbage.
poke() {
	find "$1" -type f 2>/dev/null | while read -r f; do
		v=$(cat "$f" 2>/dev/null) || continue
		[ -w "$f" ] || continue
		# Back what it held (a file may refuse its own value, e.g. a
		# trigger: only a crash or a report is a failure here).
		printf '%s\n' "$v" >"$f" 2>/dev/null
		printf '%s\n' "not a value \377" >"$f" 2>/dev/null &&
			echo "$f" >>/tmp/soak.garbage
	done
}
: >/tmp/soak.garbage

echo "TAP version 13"
i=0
while [ $i -lt "$cycles" ]; do
	i=$((i + 1))
	loaded=
	for m in $mods; do
		params=$(cat "/etc/pv/params.$m" 2>/dev/null)
		if ! insmod "/pv/modules/$m.ko" $params 2>/tmp/soak.err; then
			echo "# cycle $i: load $m: $(cat /tmp/soak.err)"
			bad_cycle=$((bad_cycle + 1))
			break
		fi
		loaded="$m $loaded"
		poke "/sys/kernel/$m"
		poke "/sys/module/$m/parameters"
	done
	for m in $loaded; do
		if ! rmmod "$m" 2>/tmp/soak.err; then
			echo "# cycle $i: unload $m: $(cat /tmp/soak.err)"
			bad_cycle=$((bad_cycle + 1))
		fi
	done
	[ $bad_cycle -gt 0 ] && break
done
n=0
for m in $mods; do
	n=$((n + 1))
	if [ $bad_cycle -eq 0 ]; then
		echo "ok $n - $m: $cycles load/unload cycles with its sysfs read and written"
	else
		echo "not ok $n - $m: load/unload cycles stopped at cycle $i"
	fi
	n=$((n + 1))
	took=$(grep -E "^/sys/(kernel|module)/$m/" /tmp/soak.garbage | sort -u)
	if [ -z "$took" ]; then
		echo "ok $n - $m: every writable file refuses garbage"
	else
		echo "not ok $n - $m: took garbage: $(echo $took)"
	fi
done
echo "1..$n"
