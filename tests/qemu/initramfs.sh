#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a test initramfs.
#   initramfs.sh OUT.cpio[.gz] MODDIR [KROOT KREL "kmod ..."]
# MODDIR holds the project's built tree (module folders with .ko files and
# selftests/ binaries); KROOT/KREL name a stock kernel's unpacked modules,
# from which the listed kernel modules and their dependencies are taken.
set -eo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 moddir=$2 kroot=$3 krel=$4 kmods=$5
[ -n "$out" ] && [ -d "$moddir" ] || pv_die "usage: initramfs.sh OUT MODDIR [KROOT KREL KMODS]"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc/pv,proc,sys,dev,tmp,pv/modules,pv/kunit,pv/selftests,lib/kmods}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$PV_ROOT/tests/qemu/init.sh" "$root/init"
install -m 0755 "$PV_ROOT/tests/qemu/pvhost-ctl" "$root/bin/pvhost-ctl"
install -m 0755 "$PV_ROOT/tests/qemu/soak.sh" "$root/bin/pv-soak"

# Kernel modules, dependencies first, each once.
: >"$root/etc/pv/kmods"
for m in $kmods; do
	modprobe -d "$kroot" -S "$krel" --show-depends "$m" ||
		pv_die "kernel module $m not found in $krel"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
	cp "$ko" "$root/lib/kmods/"
	echo "/lib/kmods/$(basename "$ko")" >>"$root/etc/pv/kmods"
done

# Project modules in load order: the shim first, then the features.
: >"$root/etc/pv/modules"
for mod in $(cat "$PV_ROOT/tests/qemu/modules.list"); do
	ko=$(find "$moddir" -name "$mod.ko" -not -path '*/selftests/*' | head -1)
	# A listed module that did not build must not pass by being absent.
	[ -n "$ko" ] || pv_die "$mod.ko (tests/qemu/modules.list) was not built"
	cp "$ko" "$root/pv/modules/"
	echo "$mod" >>"$root/etc/pv/modules"
	find "$moddir" \( -name "${mod}_test.ko" -o -name "${mod}_*_test.ko" \) \
		-exec cp {} "$root/pv/kunit/" \;
	if [ -d "$moddir/bench/$mod" ]; then
		mkdir -p "$root/pv/bench/$mod"
		find "$moddir/bench/$mod" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$root/pv/bench/$mod/" \;
	fi
	if [ -d "$moddir/demo/$mod" ]; then
		mkdir -p "$root/pv/demo/$mod" "$root/pv/demo/bin"
		install -m 0755 "$moddir/demo/$mod/demo.sh" "$root/pv/demo/$mod/"
		find "$moddir/demo/$mod" -maxdepth 1 -type f -perm -u+x ! -name '*.sh' \
			-exec cp {} "$root/pv/demo/bin/" \;
	fi
	if [ -d "$moddir/selftests/$mod" ]; then
		mkdir -p "$root/pv/selftests/$mod"
		find "$moddir/selftests/$mod" -maxdepth 1 -type f -perm -u+x \
			-exec cp {} "$root/pv/selftests/$mod/" \;
	fi
done
[ -s "$root/etc/pv/modules" ] || pv_die "no project module built in $moddir"
# Selftests across modules, run once every module is loaded.
if [ -d "$moddir/selftests/system" ]; then
	mkdir -p "$root/pv/selftests/system"
	find "$moddir/selftests/system" -maxdepth 1 -type f -perm -u+x \
		-exec cp {} "$root/pv/selftests/system/" \;
fi
# The project's user tools, static (selftests/bin: pvnumactl), on the PATH.
if [ -d "$moddir/selftests/bin" ]; then
	find "$moddir/selftests/bin" -maxdepth 1 -type f -perm -u+x \
		-exec cp {} "$root/bin/" \;
fi

# Host programs some tests run in the guest (PV_GUEST_TOOLS, e.g. rngtest
# for pvrng), with the shared libraries they load, at the same paths.
for tool in $PV_GUEST_TOOLS; do
	bin=$(command -v "$tool") || pv_die "guest tool $tool is not installed"
	cp "$bin" "$root/bin/"
	ldd "$bin" | awk '$(NF-1) ~ /^\// { print $(NF-1) } $1 ~ /^\// { print $1 }' |
		sort -u | while read -r lib; do
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
done
# Uncompressed unless OUT ends in .gz: under TCG, and more under the debug
# kernel, unpacking a compressed initramfs costs seconds of the boot.
case $out in
*.gz) (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out" ;;
*) (cd "$root" && find . | cpio -o -H newc --quiet) >"$out" ;;
esac
