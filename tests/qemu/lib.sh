# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the QEMU lanes. Sourced, not run.

PV_ROOT=${PV_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PV_CACHE=${PV_CACHE:-/var/cache/pvguest}
PV_KSRC_VER=${PV_KSRC_VER:-6.12}
PV_JOBS=${PV_JOBS:-$(nproc)}

# Host packages every lane needs; lanes add their own.
PV_BASE_PKGS="build-essential flex bison bc libelf-dev libssl-dev dwarves sparse cpio
kmod xz-utils zstd python3 qemu-system-x86 busybox-static linux-source-$PV_KSRC_VER
libjson-c-dev libnuma-dev libsystemd-dev"

pv_log() { printf '[%s] %s\n' "${PV_LANE:-pvguest}" "$*" >&2; }
pv_die() { pv_log "error: $*"; exit 1; }

# pv_need_pkgs PKG... : install what is missing (as root) or name the exact command.
pv_need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		pv_log "missing packages; run as root:"
		pv_log "  apt-get install -y --no-install-recommends ${missing[*]}"
		return 1
	fi
	pv_log "installing ${missing[*]}"
	# Lanes run side by side: one installer at a time, and apt waits for
	# dpkg's lock rather than failing on it.
	mkdir -p "$PV_CACHE"
	if ! flock "$PV_CACHE/.lock-apt" sh -c '
		apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
			install -y -q --no-install-recommends "$@" >/dev/null' sh "${missing[@]}"; then
		pv_log "apt-get install ${missing[*]} failed"
		return 1
	fi
}

# Serialise cache writers (two lanes started at once, or CI beside a developer).
pv_lock() { mkdir -p "$PV_CACHE"; exec 9>"$PV_CACHE/.lock-$1"; flock 9; }
pv_unlock() { flock -u 9; }

# pv_ksrc: print the path of the unpacked linux-source tree (unpacked once).
pv_ksrc() {
	local tarball=/usr/src/linux-source-$PV_KSRC_VER.tar.xz
	local stamp dir=$PV_CACHE/src/linux-source-$PV_KSRC_VER
	[ -r "$tarball" ] || pv_die "$tarball missing (package linux-source-$PV_KSRC_VER)"
	stamp=$(stat -c '%s-%Y' "$tarball")
	if [ "$(cat "$dir/.pv-stamp" 2>/dev/null)" != "$stamp" ]; then
		pv_log "unpacking $tarball"
		rm -rf "$dir" && mkdir -p "$PV_CACHE/src" &&
			tar -xJf "$tarball" -C "$PV_CACHE/src" &&
			echo "$stamp" >"$dir/.pv-stamp" || pv_die "cannot unpack $tarball"
	fi
	echo "$dir"
}

# pv_apt_fetch PKG DEST: download PKG with apt-get and unpack it into DEST once.
pv_apt_fetch() {
	local pkg=$1 dest=$2 tmp
	[ -e "$dest/.pv-done" ] && return 0
	tmp=$(mktemp -d)
	if ! (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1); then
		apt-get update -q >/dev/null 2>&1
		(cd "$tmp" && apt-get download -q "$pkg" >/dev/null) ||
			{ rm -rf "$tmp"; pv_log "apt-get download $pkg failed"; return 1; }
	fi
	rm -rf "$dest" && mkdir -p "$dest" &&
		dpkg -x "$tmp"/*.deb "$dest" && touch "$dest/.pv-done"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}
