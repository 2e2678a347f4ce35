#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the test guests (busybox sh). Loads the kernel's own modules the
# lane needs, then each project module in order, runs that module's selftests
# and KUnit suites, unloads everything and powers off. Results go out framed
# for tests/qemu/tap.py on the results channel; the console keeps the log.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug

# pv.KEY=VALUE on the kernel command line become PV_KEY=VALUE.
for arg in $(cat /proc/cmdline); do
	case $arg in
	pv.*=*)
		key=${arg%%=*}
		key=$(echo "${key#pv.}" | tr 'a-z.-' 'A-Z__')
		export "PV_$key=${arg#*=}"
		;;
	esac
done

RES=/dev/console
[ -n "$PV_RESULTS" ] && [ -c "/dev/$PV_RESULTS" ] && RES=/dev/$PV_RESULTS
stty -F "$RES" raw -echo 2>/dev/null

step=0
out() { echo "PVTAP: $*" >"$RES"; }
# section NAME CMD...: run CMD, its stdout framed as one document.
section() {
	name=$1
	shift
	out "BEGIN $name"
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$@" >/tmp/section.out 2>/tmp/section.err
	rc=$?
	sed 's/^/PVTAP: /' /tmp/section.out >"$RES"
	sed 's/^/# /' /tmp/section.err
	out "END $name rc=$rc"
	echo "pvguest: $name took $(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime) s"
	return $rc
}
# guest steps: one framed document of their own, closed at the end.
ok() { step=$((step + 1)); gsteps="$gsteps
ok $step - $*"; }
notok() { step=$((step + 1)); gsteps="$gsteps
not ok $step - $*"; }

echo "pvguest: lane $PV_LANE, kernel $(uname -r), $(nproc) cpus"

# The kernel's own modules this lane needs, in dependency order.
if [ -s /etc/pv/kmods ]; then
	while read -r ko; do
		insmod "$ko" || notok "kernel module $(basename "$ko") loads"
	done </etc/pv/kmods
fi

# The test relay to the host's pvctl, where the lane runs a pvhostd.
if [ "$PV_PVHOST" = 1 ]; then
	if pvhost-ctl status >/tmp/relay.out 2>&1; then
		ok "host relay answers (pvhost-ctl status)"
	else
		notok "host relay answers (pvhost-ctl status)"
		sed 's/^/# /' /tmp/relay.out
	fi
fi

loaded=""
while read -r mod; do
	[ -n "$mod" ] || continue
	params=$(cat "/etc/pv/params.$mod" 2>/dev/null)
	if insmod "/pv/modules/$mod.ko" $params; then
		ok "load $mod"
		loaded="$mod $loaded"
	else
		notok "load $mod"
		dmesg | tail -20
		continue
	fi
	echo "pvguest: $mod loaded"
	find /sys/kernel/"$mod" -type f 2>/dev/null | sort | while read -r f; do
		echo "  ${f#/sys/kernel/}: $(cat "$f" 2>&1)"
	done
	# pv.demo=1: every module loaded, then the scenarios below; no tests.
	[ -n "$PV_DEMO" ] && continue
	for t in /pv/bench/"$mod"/*; do
		[ "$PV_BENCH" = "$mod" ] && [ -x "$t" ] || continue
		section "bench/$mod/$(basename "$t")" "$t"
	done
	for t in /pv/selftests/"$mod"/*; do
		[ -z "$PV_BENCH" ] && [ -x "$t" ] || continue
		[ -z "$PV_ONLY" ] || [ "$PV_ONLY" = "$mod" ] || continue
		PV_MODULE_PATH="/pv/modules/$mod.ko" \
			section "selftests/$mod/$(basename "$t")" "$t"
	done
	for t in /pv/kunit/"$mod"_*.ko /pv/kunit/"$mod"-*.ko; do
		[ -f "$t" ] || continue
		tm=$(basename "$t" .ko)
		ls /sys/kernel/debug/kunit >/tmp/suites.before 2>/dev/null
		if insmod "$t"; then
			ok "load $tm"
		else
			notok "load $tm"
			continue
		fi
		for s in $(ls /sys/kernel/debug/kunit 2>/dev/null); do
			grep -qx "$s" /tmp/suites.before && continue
			section "kunit/$s" cat "/sys/kernel/debug/kunit/$s/results"
		done
		if rmmod "$tm"; then ok "unload $tm"; else notok "unload $tm"; fi
	done
done </etc/pv/modules

# System selftests (selftests/system/): across modules, with every one loaded.
for t in /pv/selftests/system/*; do
	[ -z "$PV_BENCH" ] && [ -z "$PV_DEMO" ] && [ -x "$t" ] || continue
	[ -z "$PV_ONLY" ] || [ "$PV_ONLY" = system ] || continue
	PV_MODULE_DIR=/pv/modules section "selftests/system/$(basename "$t")" "$t"
done

# The demo: each loaded module's scenario (demo/<module>/demo.sh), in
# load order, its lines on the console behind "pvdemo: <module>".
if [ -n "$PV_DEMO" ]; then
	export PATH="$PATH:/pv/demo/bin"
	for mod in $(cat /etc/pv/modules); do
		t=/pv/demo/$mod/demo.sh
		[ -x "$t" ] && grep -q "^$mod " /proc/modules || continue
		echo "pvdemo: $mod"
		"$t" >/tmp/demo.out 2>&1
		rc=$?
		sed "s/^/pvdemo:   /" /tmp/demo.out
		if [ $rc -eq 0 ]; then
			ok "demo $mod"
		else
			notok "demo $mod (exit $rc)"
		fi
	done
	# pv.demo=shell: a shell on the console, every module still loaded.
	if [ "$PV_DEMO" = shell ]; then
		echo "pvguest: a shell with every module loaded; pvhost-ctl runs pvctl on the host; exit to power off"
		setsid cttyhack sh -l
	fi
fi

echo "pvguest: state with every module loaded"
for mod in $loaded; do
	find /sys/kernel/"$mod" -type f 2>/dev/null | sort | while read -r f; do
		echo "  ${f#/sys/kernel/}: $(cat "$f" 2>&1)"
	done
done

for mod in $loaded; do
	if rmmod "$mod"; then ok "unload $mod"; else notok "unload $mod"; fi
done

# The soak (pv.soak=CYCLES): every module loaded and unloaded CYCLES
# times, its sysfs read and written in between; the kmemleak scans below
# then look at what the cycles left behind.
if [ -n "$PV_SOAK" ] && [ -z "$PV_BENCH" ] && [ -z "$PV_DEMO" ]; then
	section soak pv-soak "$PV_SOAK"
fi

# Free page reporting races the device reset that power-off does on 6.12
# (a WARN in virtballoon_free_page_report): stop it first, by unloading.
if grep -q '^virtio_balloon ' /proc/modules; then
	if rmmod virtio_balloon; then
		ok "unload virtio_balloon before power-off"
	else
		notok "unload virtio_balloon before power-off"
	fi
fi

if [ -w /sys/kernel/debug/kmemleak ]; then
	# Two scans: kmemleak reports an object only once it was seen unreferenced twice.
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
fi
out "BEGIN guest"
out "TAP version 13"
echo "$gsteps" | sed '/^$/d; s/^/PVTAP: /' >"$RES"
out "1..$step"
out "END guest rc=0"
echo "pvguest: done"
sync
poweroff -f
