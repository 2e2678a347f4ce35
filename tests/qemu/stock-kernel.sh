#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's unmodified kernel image and matching headers for a series
# (6.1 or 6.12) into the cache, without installing them on the host.
# Prints "RELEASE ROOT": the kernel release and the unpacked tree, which holds
# boot/vmlinuz-RELEASE, lib/modules/RELEASE and usr/src/linux-headers-RELEASE.
set -eo pipefail
PV_LANE=${PV_LANE:-stock}
. "$(dirname "$0")/lib.sh"

series=${1:?usage: stock-kernel.sh 6.1|6.12}
pv_need_pkgs $PV_BASE_PKGS >&2 || exit 1
[ -n "$(apt-cache policy linux-image-amd64 2>/dev/null | grep Candidate)" ] ||
	apt-get update -q >/dev/null 2>&1 || true

case $series in
6.1)
	image=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)
	;;
6.12)
	image=$(apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		sort -V | tail -1)
	;;
*) pv_die "unknown series $series" ;;
esac
[ -n "$image" ] || pv_die "no Debian kernel package found for $series (apt-get update?)"
release=${image#linux-image-}
release=${release%-unsigned}
headers=linux-headers-$release
common=$(apt-cache depends "$headers" | sed -n 's/.*Depends: \(linux-headers-.*-common\)$/\1/p' | head -1)
kbuild=$(apt-cache depends "$headers" | sed -n 's/.*Depends: \(linux-kbuild-.*\)$/\1/p' | head -1)
[ -n "$common" ] && [ -n "$kbuild" ] || pv_die "cannot resolve the headers of $release"

root=$PV_CACHE/stock/$release
pv_lock stock-$series
if [ ! -e "$root/.pv-done" ]; then
	pv_log "fetching $image $headers $common $kbuild"
	for p in "$image" "$headers" "$common" "$kbuild"; do
		pv_apt_fetch "$p" "$PV_CACHE/deb/$p" || pv_die "cannot fetch $p"
	done
	rm -rf "$root" && mkdir -p "$root"
	for p in "$image" "$headers" "$common" "$kbuild"; do
		cp -a "$PV_CACHE/deb/$p/." "$root/"
	done
	# The header tree names its -common half by absolute path; point it here.
	sed -i "s|/usr/src/|$root/usr/src/|" "$root/usr/src/linux-headers-$release/Makefile"
	# Debian 6.12 ships xz-compressed modules; busybox insmod wants plain ones.
	find "$root/lib/modules/$release" -name '*.ko.xz' -exec xz -d {} +
	find "$root/lib/modules/$release" -name '*.ko.zst' -exec zstd -q --rm -d {} +
	depmod -b "$root" "$release" || pv_die "depmod failed for $release"
	touch "$root/.pv-done"
fi
echo "$release $root"
