#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the project kernel: Debian's linux-source with the
# fragments in tests/qemu/config. Cached outside the checkout, keyed by the
# fragments and the source version. Prints the build directory.
set -eo pipefail
PV_LANE=${PV_LANE:-kernel}
. "$(dirname "$0")/lib.sh"

frags=("$PV_ROOT"/tests/qemu/config/{base,kunit,debug}.config)
pv_need_pkgs $PV_BASE_PKGS >&2 || exit 1
pv_lock kunit-kernel
ksrc=$(pv_ksrc)
key=$( (cat "${frags[@]}"; cat "$ksrc/.pv-stamp"; gcc --version | head -1) |
	sha256sum | cut -c1-16)
out=$PV_CACHE/kernel/kunit-$key
if [ -e "$out/.pv-done" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out" && mkdir -p "$out"
pv_log "building kernel $key in $out (several minutes)"
cat "${frags[@]}" >"$out/.config"
log=$out/build.log
if ! make -C "$ksrc" O="$out" ARCH=x86_64 olddefconfig >"$log" 2>&1; then
	tail -20 "$log" >&2
	pv_die "kernel config failed"
fi
# Every requested option must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case $line in CONFIG_*=*) ;; *) continue ;; esac
	grep -qxF "$line" "$out/.config" || { pv_log "option lost: $line"; bad=1; }
done < <(cat "${frags[@]}")
[ $bad -eq 0 ] || pv_die "kernel config does not hold the requested options"
if ! make -C "$ksrc" O="$out" ARCH=x86_64 -j"$PV_JOBS" bzImage modules \
	>>"$log" 2>&1; then
	tail -30 "$log" >&2
	pv_die "kernel build failed (log: $log)"
fi
touch "$out/.pv-done"
echo "$out"
