#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# pvnuma on a real two-socket KVM host: a guest placed badly on purpose,
# a memory-bound workload in it before and after the hints.
#   bash bench/pvnuma/two-socket.sh [MIB]      (as root, from the tree)
#
# The guest: 4 vCPUs and two NUMA nodes (vCPUs 0-1 on node 0, 2-3 on
# node 1), each node's RAM a shared file that pvhostd serves (--memdev).
# QEMU is started under "numactl --cpunodebind=0 --membind=1": every vCPU
# thread runs on host node 0 and all the guest's RAM is allocated (and
# prefaulted) on host node 1. In the guest, pvnuma is loaded with
# auto_hints=0, and a STREAM-like triad (pvnuma_bench stream, three arrays
# of MIB MiB, default 512) runs on guest node 0's CPUs and memory
# (pvnumactl run --no-hint -N 0 -m 0): "before". Then one hint per guest
# node (pvnumactl hint add NODE CPUS), waited for until the host applied
# them, and the triad again: "after". On the host, numastat -p of QEMU at
# each point gives the share of the guest's memory on the host node where
# guest node 0's vCPUs run (pvctl numa status), the "local share".
#
# Needs: /dev/kvm, two host NUMA nodes, the running kernel's image
# readable and its headers (the guest boots the host's own kernel),
# qemu-system-x86, busybox-static, numactl, libnuma-dev, libjson-c-dev,
# build-essential. It builds the modules in the tree for the running
# kernel, pvhostd, and static pvnumactl and pvnuma_bench in a work
# directory, which it names and keeps.
#
# Not run by the project: its machines have one NUMA node and no usable
# KVM (Documentation/pvnuma.rst, "Benchmark").
# (Not executable: the test initramfs copies bench/pvnuma's executables.)
set -eo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
mib=${1:-512}
krel=$(uname -r)
kimage=/boot/vmlinuz-$krel
die() {
	echo "two-socket.sh: $*" >&2
	exit 1
}
case $mib in '' | *[!0-9]*) die "MIB: a number of MiB per array" ;; esac
[ -w /dev/kvm ] || die "no /dev/kvm (or not root)"
[ -d /sys/devices/system/node/node1 ] || die "one host NUMA node: this needs two"
[ -r "$kimage" ] || die "cannot read $kimage"
[ -d "/lib/modules/$krel/build" ] || die "no headers for $krel (linux-headers-$krel)"
for t in qemu-system-x86_64 numactl numastat busybox cpio gzip gcc make; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
node_mib=$((3 * mib + 768))
work=$(mktemp -d /tmp/pvnuma-2s.XXXXXX)
shm=/dev/shm/pvnuma-2s-$$
pvhostd_pid=
qemu_pid=
watch_pid=
trap '[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	[ -n "$pvhostd_pid" ] && kill "$pvhostd_pid" 2>/dev/null
	rm -f "$shm-m0" "$shm-m1"' EXIT
echo "# work directory: $work"

# 1. Build.
make -C "$here" KDIR="/lib/modules/$krel/build" modules >"$work/build.log" 2>&1 ||
	die "module build failed ($work/build.log)"
make -C "$here/pvhostd" pvhostd pvctl >>"$work/build.log" 2>&1 ||
	die "pvhostd build failed ($work/build.log)"
make -C "$here/tools/pvnumactl" OUT="$work" LDFLAGS="-static -Wl,--no-warnings" \
	>>"$work/build.log" 2>&1 || die "pvnumactl build failed ($work/build.log)"
gcc -O2 -Wall -D_GNU_SOURCE -static -I"$here/selftests/include" \
	-o "$work/pvnuma_bench" "$here/bench/pvnuma/pvnuma_bench.c" -lm \
	>>"$work/build.log" 2>&1 || die "pvnuma_bench build failed ($work/build.log)"

# 2. The guest's initramfs: busybox, pvhc, pvhost, pvnuma, the two tools.
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,pv}
cp "$(command -v busybox)" "$root/bin/busybox"
for m in pvhc pvhost pvnuma; do
	cp "$here/$m/$m.ko" "$root/pv/" || die "$m.ko was not built"
done
cp "$work/pvnumactl" "$work/pvnuma_bench" "$root/bin/"
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "PVNUMA2S: \$*"; }
insmod /pv/pvhc.ko && insmod /pv/pvhost.ko && insmod /pv/pvnuma.ko auto_hints=0 ||
	say "error: the modules did not load"
sleep 2
pvnumactl status
say "before \$(pvnumactl run --no-hint -N 0 -m 0 -- pvnuma_bench stream $mib 10)"
say "sample before"
sleep 10
for n in 0 1; do
	pvnumactl hint add \$n \$(cat /sys/devices/system/node/node\$n/cpulist)
done
i=0
while grep -qE 'user .*status=(pending|unsent)' /sys/kernel/pvnuma/hints && [ \$i -lt 600 ]; do
	sleep 1
	i=\$((i + 1))
done
cat /sys/kernel/pvnuma/hints
pvnumactl status
say "after \$(pvnumactl run --no-hint -N 0 -m 0 -- pvnuma_bench stream $mib 10)"
say "sample after"
sleep 10
say done
poweroff -f
EOF
chmod 0755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# 3. pvhostd, then QEMU placed badly: vCPUs on host node 0, RAM on node 1.
sock=$work/pvhost.sock
"$here/pvhostd/pvhostd" -s "$sock" -n 4 --qmp "$work/qmp.sock" \
	--memdev "0=$shm-m0" --memdev "1=$shm-m1" >"$work/pvhostd.log" 2>&1 &
pvhostd_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || die "pvhostd did not start ($work/pvhostd.log)"
console=$work/console.log
: >"$console"
numactl --cpunodebind=0 --membind=1 qemu-system-x86_64 -nodefaults -nographic \
	-no-reboot -accel kvm -cpu host -machine q35 \
	-smp 4,sockets=2,cores=2,threads=1 -m $((2 * node_mib))M \
	-object "memory-backend-file,id=m0,size=${node_mib}M,mem-path=$shm-m0,share=on,prealloc=on" \
	-object "memory-backend-file,id=m1,size=${node_mib}M,mem-path=$shm-m1,share=on,prealloc=on" \
	-numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2-3,memdev=m1 \
	-chardev "socket,id=ivs,path=$sock" -device ivshmem-doorbell,chardev=ivs,vectors=5 \
	-qmp "unix:$work/qmp.sock,server=on,wait=off" -name pvnuma-2s,debug-threads=on \
	-chardev "file,id=con,path=$console" -serial chardev:con \
	-kernel "$kimage" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 panic=-1 rdinit=/init" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!

# 4. numastat -p of QEMU and pvhostd's view when the guest says so.
sample() {
	numastat -p "$qemu_pid" >"$work/numastat-$1.txt" 2>&1
	"$here/pvhostd/pvctl" -c "$sock.ctl" numa status >"$work/pvctl-$1.txt" 2>&1
}
(
	tail -n +1 -F "$console" 2>/dev/null | while read -r line; do
		case $line in
		*"PVNUMA2S: sample before"*) sample before ;;
		*"PVNUMA2S: sample after"*) sample after ;;
		esac
	done
) &
watch_pid=$!
timeout 1800 tail --pid="$qemu_pid" -f /dev/null || die "the guest ran 30 minutes"
wait "$qemu_pid" || true
qemu_pid=
kill "$watch_pid" 2>/dev/null || true
watch_pid=
grep -q 'PVNUMA2S: done' "$console" || die "the guest did not finish ($console)"

# 5. The report.
# The host node of guest node 0's vCPUs (vcpu0), by pvctl; else what
# numactl gave QEMU (0).
vnode() {
	local n
	n=$(sed -n 's/^vcpu0 .*host_node=\([0-9]*\).*/\1/p' "$work/pvctl-$1.txt")
	echo "${n:-0}"
}
# numastat -p's Total row: MiB per host node, and the share on node $2.
share() {
	awk -v local="$2" '/^Total/ {
		for (i = 2; i < NF; i++) { t += $i; if (i - 2 == local) l = $i }
		if (t > 0) printf("%.0f%% of %.0f MiB on host node %d", 100 * l / t, t, local)
	}' "$work/numastat-$1.txt"
}
echo "# pvnuma two-socket benchmark, $(date -u +%FT%TZ), kernel $krel, arrays $mib MiB"
for p in before after; do
	bw=$(sed -n "s/.*PVNUMA2S: $p triad \([0-9]*\) MB\/s.*/\1/p" "$console")
	v=$(vnode "$p")
	printf '%-7s triad %8s MB/s; guest node 0 vCPUs on host node %s; QEMU memory: %s (local share)\n' \
		"$p" "${bw:-?}" "$v" "$(share "$p" "$v")"
done
b=$(sed -n 's/.*PVNUMA2S: before triad \([0-9]*\) MB\/s.*/\1/p' "$console")
a=$(sed -n 's/.*PVNUMA2S: after triad \([0-9]*\) MB\/s.*/\1/p' "$console")
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt 0 ] &&
	echo "after/before bandwidth: $(awk -v a="$a" -v b="$b" 'BEGIN { printf("%.2f", a / b) }')"
echo "# numastat -p and pvctl numa status at each point: $work/{numastat,pvctl}-*.txt"
