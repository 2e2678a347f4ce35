#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one test lane under QEMU TCG and print its results, one per line:
#   RESULT <TAB> pass|fail|skip <TAB> lane/name <TAB> reason
# Lanes: kunit, stock-6.1, stock-6.12, xen. The human log goes to stderr; a
# lane that cannot run (package, download, build, boot) fails with the reason.
set -o pipefail
PV_LANE=${1:?usage: run-lane.sh kunit|stock-6.1|stock-6.12|xen}
. "$(dirname "$0")/lib.sh"
lane=$PV_LANE
work=$PV_CACHE/lanes/$lane
# One run of a lane at a time: the work directory is the lane's.
pv_lock "lane-$lane"
rm -rf "$work" && mkdir -p "$work"

pvhostd_pid=
relay_pid=
netns=
netpeer_pid=
shm=/dev/shm/pvguest-$lane-$$
# Never leave a host daemon, relay or namespace behind, whatever ends the lane.
trap '[ -n "$pvhostd_pid" ] && kill "$pvhostd_pid" 2>/dev/null
	[ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null
	[ -n "$netpeer_pid" ] && kill "$netpeer_pid" 2>/dev/null
	[ -n "$netns" ] && ip netns del "$netns" 2>/dev/null
	rm -f "$shm" "$shm-m0" "$shm-m1"' EXIT
result() { printf 'RESULT\t%s\t%s/%s\t%s\n' "$1" "$lane" "$2" "$3"; }
fail_lane() {
	result fail "$1" "$2"
	pv_log "$1: $2"
	exit 0
}

pv_need_pkgs $PV_BASE_PKGS >&2 || fail_lane setup "missing host packages (see above)"
ksrc=$(pv_ksrc) || fail_lane setup "no kernel source"

# 1. The guest kernel and the tree to build modules against.
kmods=""
case $lane in
kunit)
	kbuild=$("$PV_ROOT/tests/qemu/kunit-kernel.sh") || fail_lane kernel "project kernel build failed"
	kimage=$kbuild/arch/x86/boot/bzImage
	krel=""
	kroot=""
	;;
stock-6.1 | stock-6.12 | xen)
	series=${lane#stock-}
	[ "$lane" = xen ] && series=6.1
	read -r krel kroot < <("$PV_ROOT/tests/qemu/stock-kernel.sh" "$series") ||
		fail_lane kernel "cannot fetch Debian's $series kernel"
	[ -n "$krel" ] || fail_lane kernel "cannot fetch Debian's $series kernel"
	kbuild=$kroot/usr/src/linux-headers-$krel
	kimage=$kroot/boot/vmlinuz-$krel
	kmods="virtio_pci virtio_net virtio_rng virtio_balloon virtio_console"
	# brd, ext4: a filesystem whose page cache pvmempressure's tests fill and trim.
	kmods="$kmods brd ext4"
	[ "$lane" = xen ] && kmods=""
	;;
*) fail_lane setup "unknown lane" ;;
esac
[ -r "$kimage" ] || fail_lane kernel "no kernel image at $kimage"

# 2. The modules, built W=1 in a copy of the tree (objects stay out of the checkout).
src=$work/src
mkdir -p "$src"
(cd "$PV_ROOT" && tar --exclude=.git --exclude='*.ko' --exclude='*.o' -cf - .) |
	(cd "$src" && tar -xf -)
# build NAME LOG CMD...: a build that fails stops the lane; a warning fails NAME.
build() {
	local name=$1 log=$2
	shift 2
	if ! "$@" >"$log" 2>&1; then
		tail -30 "$log" >&2
		fail_lane "$name" "build failed (log: $log)"
	elif grep -E 'warning:|error:' "$log" >&2; then
		result fail "$name" "warnings (above)"
	else
		result pass "$name" ""
	fi
}
# shared KEY NAME LOG DIR CMD...: build() DIR (a folder of $src) with CMD,
# once per suite run: tests/run.sh names a folder, PV_SHARED, where the
# first lane that needs KEY leaves DIR built and its verdict, and the lanes
# after it take both (the selftests and pvhostd are the same for every
# kernel; the xen lane's kernel is stock-6.1's). Without PV_SHARED, as for
# one lane on its own, every build is the lane's.
shared() {
	local key=$1 name=$2 log=$3 dir=$4 store
	shift 4
	if [ -z "$PV_SHARED" ]; then
		build "$name" "$log" "$@"
		return
	fi
	store=$PV_SHARED/$key
	# Lanes run side by side too: the second waits for the first's build.
	exec 8>"$store.lock"
	flock 8
	if [ -f "$store.verdict" ]; then
		pv_log "$name: built earlier in this run ($(cat "$store.verdict"))"
		(cd "$store" && tar -cf - .) | (cd "$src/$dir" && tar -xf -)
		cp "$store.log" "$log"
		case $(cat "$store.verdict") in
		pass) result pass "$name" "" ;;
		warn) result fail "$name" "warnings (log: $log)" ;;
		*) fail_lane "$name" "build failed (log: $log)" ;;
		esac
		flock -u 8
		return
	fi
	echo fail >"$store.verdict.new"
	build "$name" "$log" "$@"
	if grep -qE 'warning:|error:' "$log"; then echo warn; else echo pass; fi >"$store.verdict.new"
	mkdir -p "$store" && (cd "$src/$dir" && tar -cf - .) | (cd "$store" && tar -xf -)
	cp "$log" "$store.log"
	mv "$store.verdict.new" "$store.verdict"
	flock -u 8
}
pv_log "building modules against $kbuild"
shared "modules-$(basename "$(readlink -f "$kbuild")")" "build W=1" "$work/build.log" . \
	make -C "$kbuild" M="$src" W=1 -j"$PV_JOBS" modules
shared selftests "selftests build" "$work/selftests.log" selftests \
	make -C "$src/selftests" KSRC="$ksrc"
# PV_BENCH=<module>: run that module's benchmark (bench/<module>/) instead of its selftests.
[ -n "$PV_BENCH" ] && build "bench build" "$work/bench.log" make -C "$src/bench"
# PV_DEMO=1: the modules' demo scenarios (demo/<module>/) instead of tests;
# PV_DEMO=shell: then a shell on this terminal.
[ -n "$PV_DEMO" ] && build "demo build" "$work/demo.log" make -C "$src/demo"

# 3. The initramfs.
# pvrng's selftests run rngtest and dieharder on /dev/hwrng in one lane.
case $lane${PV_DEMO:+-demo} in
stock-6.12)
	pv_need_pkgs rng-tools5 dieharder >&2 || fail_lane setup "missing rng-tools5, dieharder"
	export PV_GUEST_TOOLS="rngtest dieharder"
	;;
esac
"$PV_ROOT/tests/qemu/initramfs.sh" "$work/initrd.cpio" "$src" "$kroot" "$krel" "$kmods" ||
	fail_lane initramfs "cannot build the initramfs"

# 4. Boot.
console=$work/console.log
results=$work/results.log
: >"$console"
: >"$results"
cmdline="console=ttyS0 panic=-1 panic_on_warn=1 oops=panic loglevel=7 rdinit=/init pv.lane=$lane${PV_BENCH:+ pv.bench=$PV_BENCH}${PV_ONLY:+ pv.only=$PV_ONLY}${PV_DEMO:+ pv.demo=$PV_DEMO}"
# The hostile host against a busy guest (selftests/system/hostile_busy)
# takes a minute: one lane, the kernel users run, runs it.
[ "$lane" = stock-6.12 ] && cmdline="$cmdline pv.hostile_busy=1"
qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot -accel tcg,thread=multi
	-chardev "file,id=con,path=$console" -serial chardev:con)
# The shell: the console on this terminal (and still in the log); Ctrl-A X
# ends QEMU, Ctrl-A C switches to its monitor.
[ "$PV_DEMO" = shell ] &&
	qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot -accel tcg,thread=multi
		-chardev "stdio,id=con,mux=on,signal=off,logfile=$console"
		-serial chardev:con -mon chardev=con,mode=readline)
# pvhost_setup NVCPUS: the host channel, where the tree has pvhostd:
# pvhostd on this lane's own socket (QEMU connects to it with
# ivshmem-doorbell), QMP for QEMU's vCPU thread ids, guest NUMA node N's
# RAM as the shared file $shm-mN, and the test relay through which the
# guest's pvhost-ctl runs pvctl here. Sets pvhost_qemu and pvhost_append.
pvhost_qemu=()
pvhost_append=
pvhost_setup() {
	[ -f "$src/pvhostd/Makefile" ] || return 0
	# The test build: the selftests drive its fault injection.
	shared pvhostd "pvhostd build" "$work/pvhostd-build.log" pvhostd \
		make -C "$src/pvhostd" all pvhostd-test
	sock=$work/pvhost.sock
	qmp=$work/qmp.sock
	# The vCPU threads: over QMP, or (stock-6.1) by their names with no
	# monitor, as beside libvirt. The benchmarks ping the mailbox back to
	# back, faster than the default doorbell budget.
	local vcpu_src=(--qmp "$qmp")
	[ "$lane" = stock-6.1 ] && vcpu_src=(--vcpu-names)
	# Under a stand-in for systemd's fd store (pvhostd/tests/fdstore.py),
	# which the guest's pvhost_restart asks through the relay to kill and
	# restart it; pvhostd_pid is the supervisor's, which stops pvhostd
	# on SIGTERM and exits 0 only if it exited cleanly and never died
	# unasked.
	supervisor=$work/pvhostd.sup
	python3 "$src/pvhostd/tests/fdstore.py" "$supervisor" \
		"$src/pvhostd/pvhostd-test" -s "$sock" -n "$1" -i 200 "${vcpu_src[@]}" \
		--vcpu-poll-ms 5 --boost-max-ms 3000 --doorbell-rate 20000 \
		--memdev "0=$shm-m0" --memdev "1=$shm-m1" >"$work/pvhostd.log" 2>&1 &
	pvhostd_pid=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || fail_lane pvhostd "pvhostd did not start: $(tail -3 "$work/pvhostd.log")"
	pvhost_qemu=(-chardev "socket,id=ivs,path=$sock"
		-device ivshmem-doorbell,chardev=ivs,vectors=5
		-qmp "unix:$qmp,server=on,wait=off" -name "pvguest-$lane,debug-threads=on")
	pvhost_append=" pv.pvhost=1"
	relay=$work/hostctl.sock
	python3 "$PV_ROOT/tests/qemu/hostctl.py" "$relay" "$src/pvhostd/pvctl" "$sock.ctl" \
		"$supervisor" 2>"$work/hostctl.log" &
	relay_pid=$!
	for _ in $(seq 50); do [ -S "$relay" ] && break; sleep 0.1; done
	[ -S "$relay" ] || fail_lane hostctl "relay did not start: $(tail -3 "$work/hostctl.log")"
	pvhost_qemu+=(-device virtio-serial-pci
		-chardev "socket,id=hctl,path=$relay"
		-device virtserialport,chardev=hctl,name=org.pvguest.hostctl)
}
case $lane in
kunit)
	# The debug kernel's guest runs about 10 minutes on an idle machine.
	timeout=${PV_TIMEOUT:-1500}
	# The debug kernel meets the real host: the same pvhostd, relay,
	# vCPUs and NUMA nodes as the stock lanes (the host tests know that
	# layout), with the debug kernel's larger memory.
	pvhost_setup 4
	qemu+=(-machine q35 -cpu max -smp 4,sockets=2,cores=2,threads=1 -m 2G
		-chardev "file,id=res,path=$results" -serial chardev:res
		-object "memory-backend-file,id=m0,size=1G,mem-path=$shm-m0,share=on"
		-object "memory-backend-file,id=m1,size=1G,mem-path=$shm-m1,share=on"
		-numa node,nodeid=0,cpus=0-1,memdev=m0
		-numa node,nodeid=1,cpus=2-3,memdev=m1
		"${pvhost_qemu[@]}"
		-kernel "$kimage" -initrd "$work/initrd.cpio"
		-append "$cmdline pv.soak=${PV_SOAK:-3} pv.results=ttyS1 pv.expect_hypervisor=other pv.expect_guest_type=hvm pv.expect_backend=none$pvhost_append")
	;;
stock-*)
	timeout=${PV_TIMEOUT:-900}
	pvhost_setup 4
	# The guest network: QEMU runs in a network namespace of the lane's own
	# with a tap whose host end, 10.99.0.1, is served by netpeer.py (the
	# guest is 10.99.0.2, pv.net); a monitor socket of its own lets the
	# peer unplug the device (its root port makes it hot-pluggable).
	net_qemu=(-netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0)
	net_append=
	netns=pvguest-$lane-$$
	if ip netns add "$netns" && ip -n "$netns" link set lo up &&
	   ip -n "$netns" tuntap add dev pvtap0 mode tap &&
	   ip -n "$netns" addr add 10.99.0.1/24 dev pvtap0 &&
	   ip -n "$netns" link set pvtap0 up; then
		ip netns exec "$netns" python3 "$PV_ROOT/tests/qemu/netpeer.py" 10.99.0.1 \
			"$work/monitor.sock" 2>"$work/netpeer.log" &
		netpeer_pid=$!
		net_qemu=(-device pcie-root-port,id=netport,chassis=9,slot=9
			-netdev tap,id=n0,ifname=pvtap0,script=no,downscript=no
			-device virtio-net-pci,id=vnet0,bus=netport,netdev=n0
			-monitor "unix:$work/monitor.sock,server=on,wait=off")
		net_append=" pv.net=10.99.0.2/24,10.99.0.1"
		qemu=(ip netns exec "$netns" "${qemu[@]}")
	else
		pv_log "no network namespace: the guest's virtio-net has no peer"
		ip netns del "$netns" 2>/dev/null
		netns=
	fi
	qemu+=(-machine q35 -cpu max -smp 4,sockets=2,cores=2,threads=1 -m 1G
		-chardev "file,id=res,path=$results" -serial chardev:res
		-object "memory-backend-file,id=m0,size=512M,mem-path=$shm-m0,share=on"
		-object "memory-backend-file,id=m1,size=512M,mem-path=$shm-m1,share=on"
		-numa node,nodeid=0,cpus=0-1,memdev=m0
		-numa node,nodeid=1,cpus=2-3,memdev=m1
		"${net_qemu[@]}"
		-device virtio-rng-pci
		-device virtio-balloon-pci,free-page-reporting=on
		-object "memory-backend-file,id=ivshm,mem-path=$shm,size=1M,share=on"
		-device ivshmem-plain,memdev=ivshm
		"${pvhost_qemu[@]}"
		-kernel "$kimage" -initrd "$work/initrd.cpio"
		-append "$cmdline pv.results=ttyS1 pv.expect_hypervisor=other pv.expect_guest_type=hvm pv.expect_backend=none$pvhost_append$net_append")
	;;
xen)
	timeout=${PV_TIMEOUT:-600}
	xenroot=$PV_CACHE/deb/xen-hypervisor
	pv_apt_fetch xen-hypervisor-4.17-amd64 "$xenroot" ||
		fail_lane kernel "cannot fetch xen-hypervisor-4.17-amd64"
	xengz=$(ls "$xenroot"/boot/xen-4.17*-amd64.gz 2>/dev/null | head -1)
	[ -n "$xengz" ] || fail_lane kernel "no Xen image in xen-hypervisor-4.17-amd64"
	gunzip -c "$xengz" >"$work/xen"
	# Multiboot modules: commas separate them, so no commas in the arguments.
	qemu+=(-machine pc -cpu Nehalem -smp 2 -m 2G
		-chardev "file,id=res,path=$results" -serial chardev:res
		-kernel "$work/xen"
		-append "console=com1 com1=115200,8n1 dom0_mem=1024M dom0_max_vcpus=2 loglvl=all guest_loglvl=all"
		-initrd "$kimage ${cmdline/console=ttyS0/console=hvc0 earlyprintk=xen} pv.results=ttyS1 pv.expect_hypervisor=xen pv.expect_guest_type=pv pv.expect_backend=xen,$work/initrd.cpio")
	;;
esac

pv_log "booting ($timeout s at most)"
start=$(date +%s)
# A kernel that dies before the guest's init has run (no module of ours is
# loaded yet) is booted once more; the first console is kept and the
# retry is logged.
for attempt in 1 2; do
	if [ "$PV_DEMO" = shell ]; then
		"${qemu[@]}" 2>"$work/qemu.log"
		rc=$?
		break
	fi
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null >"$work/qemu.log" 2>&1
	rc=$?
	if [ $attempt -eq 2 ] || [ $rc -eq 124 ] || [ $rc -eq 137 ] ||
	   grep -q 'pvguest: lane' "$console"; then
		break
	fi
	cp "$console" "$work/console-boot1.log"
	pv_log "the kernel stopped before the guest's init ran (qemu exit $rc; $work/console-boot1.log): booting once more"
	grep -aE 'BUG:|KASAN|Kernel panic|Oops' "$console" | head -5 >&2
	: >"$console"
	: >"$results"
done
rm -f "$shm" "$shm-m0" "$shm-m1"
if [ -n "$pvhostd_pid" ]; then
	"$src/pvhostd/pvctl" -c "$sock.ctl" status >"$work/pvhostd-status.txt" 2>&1
	"$src/pvhostd/pvctl" -c "$sock.ctl" vcpu status >>"$work/pvhostd-status.txt" 2>&1
	kill -TERM "$pvhostd_pid"
	if wait "$pvhostd_pid"; then
		result pass "pvhostd clean exit" ""
	else
		result fail "pvhostd clean exit" "pvhostd died or failed (log: $work/pvhostd.log)"
		tail -20 "$work/pvhostd.log" >&2
	fi
	pvhostd_pid=
fi
if [ -n "$relay_pid" ]; then
	kill "$relay_pid" 2>/dev/null
	wait "$relay_pid" 2>/dev/null
	relay_pid=
fi
if [ -n "$netpeer_pid" ]; then
	kill "$netpeer_pid" 2>/dev/null
	wait "$netpeer_pid" 2>/dev/null
	netpeer_pid=
fi
pv_log "guest ran $(($(date +%s) - start)) s, qemu exit $rc"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	result fail boot "guest hung: killed after $timeout s"
	pv_log "console tail:"
	tail -40 "$console" >&2
elif ! grep -q 'pvguest: done' "$console"; then
	result fail boot "guest stopped before the end (qemu exit $rc)"
	cat "$work/qemu.log" >&2
	pv_log "console tail:"
	tail -40 "$console" >&2
else
	result pass boot ""
fi

# 5. Results, from the results channel (the guest's second serial port).
# Every section the manifest expects must have reported (not in bench runs).
if [ -n "$PV_BENCH" ] || [ -n "$PV_DEMO" ]; then
	python3 "$PV_ROOT/tests/qemu/tap.py" "$lane" "$results"
else
	python3 "$PV_ROOT/tests/qemu/tap.py" --expect "$PV_ROOT/tests/qemu/expect" \
		--only "${PV_ONLY:-}" "$lane" "$results"
fi

# 6. Any kernel report fails the lane, whatever the tests said.
bad='(WARNING:|BUG:|BUG |KASAN|UBSAN|Oops|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|unreferenced object|suspicious RCU usage|general protection fault|Call Trace:|INFO: task .* blocked|soft lockup|hard LOCKUP)'
if grep -aE "$bad" "$console" >"$work/reports.txt"; then
	result fail "kernel log" "$(head -1 "$work/reports.txt" | tr -d '\r\t' | cut -c1-160)"
	pv_log "kernel reports:"
	grep -aE -B2 -A25 "$bad" "$console" | head -80 >&2
else
	result pass "kernel log" ""
fi
