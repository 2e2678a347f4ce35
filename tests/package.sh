#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The package lane: builds the Debian packages pvguest-dkms and pvhostd
# (make deb, in a copy of the tree under the lane's work directory), runs
# lintian on them, builds and installs the DKMS package's sources against
# Debian's cached 6.1 and 6.12 headers (DKMS trees inside the work
# directory: nothing is installed on the host), verifies the installed
# systemd unit, and runs the packaged daemon as the unit would: an
# unprivileged user with CAP_SYS_NICE only. Lane format of
# tests/qemu/run-lane.sh; about 5 minutes on 2 cores, most of it the two
# DKMS builds.
PV_LANE=package
. "$(dirname "$0")/qemu/lib.sh"
result() { printf 'RESULT\t%s\tpackage/%s\t%s\n' "$1" "$2" "$3"; }
pv_need_pkgs build-essential debhelper dh-dkms dkms lintian fakeroot \
	systemd libjson-c-dev libsystemd-dev util-linux kmod dwarves strace python3 >&2 ||
	{ result fail setup "missing packages"; exit 0; }

# The cached Debian kernels (fetched once, shared with the stock lanes).
declare -A krel kroot
for s in 6.1 6.12; do
	read -r krel[$s] kroot[$s] < <(bash "$PV_ROOT/tests/qemu/stock-kernel.sh" "$s")
done

work=$PV_CACHE/lanes/package
pv_lock lane-package
rm -rf "$work" && mkdir -p "$work"
version=$(cat "$PV_ROOT/VERSION")

# Packages: built in a copy of the tree, the host lane runs the unit tests.
if DEB_BUILD_OPTIONS=nocheck make -C "$PV_ROOT" deb DEBDIR="$work/deb" \
		>"$work/build.log" 2>&1 &&
	[ -f "$work/deb/pvguest-dkms_${version}_all.deb" ] &&
	[ -f "$work/deb/pvhostd_${version}_amd64.deb" ]; then
	result pass build ""
else
	tail -30 "$work/build.log" >&2
	result fail build "dpkg-buildpackage failed (log: $work/build.log)"
	exit 0
fi
dpkg -x "$work/deb/pvguest-dkms_${version}_all.deb" "$work/dkms-pkg"
dpkg -x "$work/deb/pvhostd_${version}_amd64.deb" "$work/root"

# Debian's flags reached the compiler and the linker, with no warning.
if grep -q -- '-D_FORTIFY_SOURCE=.* -c -o main.o main.c' "$work/build.log" &&
	grep -q -- '-Wl,-z,now .*-o pvhostd ' "$work/build.log" &&
	! grep -q -- '-Werror ' "$work/build.log" &&
	! grep -q 'warning:' "$work/build.log"; then
	result pass flags ""
else
	result fail flags "CPPFLAGS/LDFLAGS not used, -Werror forced or a warning (log: $work/build.log)"
fi

# One version: VERSION, debian/changelog and what the daemon says.
clver=$(dpkg-parsechangelog -l "$PV_ROOT/debian/changelog" -SVersion)
dver=$("$work/root/usr/sbin/pvhostd" --version)
if [ "$clver" = "$version" ] && [ "$(echo "$dver" | cut -d' ' -f1-2)" = "pvhostd $version" ]; then
	result pass version ""
else
	result fail version "VERSION $version, changelog $clver, pvhostd --version '$dver'"
fi

# make install DESTDIR=X puts the modules under X, never in the host's
# /lib/modules: a dry run (-n -i; the recursive make it still runs fails on a
# KDIR that does not exist), the DKMS checks below build the modules.
dry=$(make -s -n -i -o modules -C "$PV_ROOT" install DESTDIR="$work/destdir" \
	KDIR=/nonexistent 2>/dev/null | tr -d '\\\n')
if grep -q "INSTALL_MOD_PATH=$work/destdir *modules_install" <<<"$dry" &&
	grep -q "depmod -b $work/destdir" <<<"$dry"; then
	result pass install-destdir ""
else
	result fail install-destdir "make install ignores DESTDIR: $dry"
fi

# lintian: any tag, even informational, fails (overrides carry reasons).
lintian -I --pedantic "$work/deb/pvguest_${version}_amd64.changes" \
	>"$work/lintian.log" 2>"$work/lintian.err"
if grep -qE '^[EWIPX]: ' "$work/lintian.log"; then
	cat "$work/lintian.log" >&2
	result fail lintian "$(grep -cE '^[EWIPX]: ' "$work/lintian.log") tags (log: $work/lintian.log)"
elif [ -s "$work/lintian.log" ] || grep -v 'root privileges' "$work/lintian.err" | grep -q .; then
	cat "$work/lintian.log" "$work/lintian.err" >&2
	result fail lintian "lintian did not run cleanly (log: $work/lintian.err)"
else
	result pass lintian ""
fi

# dkms.conf names every module the top-level Kbuild builds, in its order.
src=$work/dkms-pkg/usr/src/pvguest-$version
want=$(sed -n 's|^obj-m += \([^ ]*\)/$|\1|p' "$PV_ROOT/Kbuild" | while read -r dir; do
	awk -v d="$dir" '/KBUILD_EXTMOD\),m,/ && $NF ~ /\.o$/ {
		sub(/\.o$/, "", $NF); print d "/" $NF; exit }' "$PV_ROOT/$dir/Kbuild"
done)
have=$(bash -c '. "$1"; for i in "${!BUILT_MODULE_NAME[@]}"; do
	echo "${BUILT_MODULE_LOCATION[i]%/}/${BUILT_MODULE_NAME[i]}"; done' _ "$src/dkms.conf")
if [ -n "$want" ] && [ "$want" = "$have" ] &&
	grep -q "^PACKAGE_VERSION=\"$version\"$" "$src/dkms.conf"; then
	result pass dkms-conf ""
else
	result fail dkms-conf "dkms.conf lists '$(echo $have)', Kbuild builds '$(echo $want)'"
fi

# dkms add, build and install of the packaged sources, per kernel. The
# install tree is a scratch lib/modules; sign_file names no program, so
# that dkms neither signs nor makes a key under /var/lib/dkms.
export sign_file=/nonexistent
dk=(--dkmstree "$work/dkms" --sourcetree "$work/dkms-pkg/usr/src"
	--installtree "$work/modroot/lib/modules")
mkdir -p "$work/dkms"
dkms add -m pvguest -v "$version" "${dk[@]}" >"$work/dkms-add.log" 2>&1 ||
	cat "$work/dkms-add.log" >&2
for s in 6.1 6.12; do
	r=${krel[$s]}
	log=$work/dkms-$s.log
	if [ -z "$r" ]; then
		result fail "dkms-$s" "no cached Debian $s kernel (tests/qemu/stock-kernel.sh $s)"
		continue
	fi
	mkdir -p "$work/modroot/lib/modules/$r"
	t0=$(date +%s)
	dkms install -m pvguest -v "$version" -k "$r" -j "$PV_JOBS" --no-depmod \
		--kernelsourcedir "${kroot[$s]}/usr/src/linux-headers-$r" \
		"${dk[@]}" >"$log" 2>&1
	rc=$?
	pv_log "dkms build+install for $r: rc $rc in $(($(date +%s) - t0)) s"
	bad=
	for m in $have; do
		ko=$work/modroot/lib/modules/$r/updates/dkms/${m##*/}.ko
		[ "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$r" ] ||
			bad+=" ${m##*/}"
	done
	if [ $rc -eq 0 ] && [ -z "$bad" ] &&
		depmod -b "$work/modroot" "$r" 2>/dev/null &&
		grep -q '^updates/dkms/pvhost.ko: updates/dkms/pvhc.ko' \
			"$work/modroot/lib/modules/$r/modules.dep"; then
		result pass "dkms-$s" ""
	else
		tail -20 "$log" "$work/dkms/pvguest/$version/build/make.log" >&2 2>/dev/null
		result fail "dkms-$s" "rc $rc, missing or wrong vermagic:${bad:- none} (log: $log)"
	fi
done

# The installed unit, in a root made of the package and the host's own
# systemd units and mkdir: verify prints nothing when the unit is clean.
sroot=$work/root
cp -an /lib/systemd/system/. "$sroot/lib/systemd/system/" 2>/dev/null
mkdir -p "$sroot/bin" && cp -n /bin/mkdir "$sroot/bin/"
MANPATH=$sroot/usr/share/man systemd-analyze verify --root="$sroot" \
	pvhostd@lane.service >"$work/verify.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$work/verify.log" ]; then
	result pass unit-verify ""
else
	cat "$work/verify.log" >&2
	result fail unit-verify "systemd-analyze verify: rc $rc, $(wc -l <"$work/verify.log") lines (log: $work/verify.log)"
fi
# Its sandbox, as systemd rates it (0 best, 10 worst): at most 2.0.
systemd-analyze security --offline=yes --root="$sroot" --threshold=20 \
	pvhostd@lane.service >"$work/security.log" 2>&1
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$work/security.log")
pv_log "systemd-analyze security: exposure ${exposure:-?}"
if [ $rc -eq 0 ] && [ -n "$exposure" ]; then
	result pass unit-security "exposure $exposure"
else
	result fail unit-security "exposure ${exposure:-unknown} above 2.0 (log: $work/security.log)"
fi

# The packaged daemon as the unit runs it: user nobody, CAP_SYS_NICE the
# only capability, no new privileges. Under strace, it serves a guest
# session (the host lane's ivshmem and clock clients play QEMU and the
# guest) and pvctl, and stops cleanly on SIGTERM; every system call it made
# must pass the unit's SystemCallFilter.
run=$work/run
mkdir -p "$run" && chown nobody:nogroup "$run"
strace -f -qq -o "$work/strace.log" setpriv --reuid=nobody --regid=nogroup \
	--clear-groups --no-new-privs --inh-caps=-all,+sys_nice \
	--ambient-caps=-all,+sys_nice --bounding-set=-all,+sys_nice -- \
	"$sroot/usr/sbin/pvhostd" -s "$run/ivs.sock" -g "$run/generation" \
	>"$work/daemon.log" 2>&1 &
spid=$!
for _ in $(seq 100); do [ -S "$run/ivs.sock.ctl" ] && break; sleep 0.1; done
pid=$(pgrep -P "$spid" | head -1)
caps=$(sed -n 's/^CapEff:\t//p' "/proc/$pid/status" 2>/dev/null)
st=0
python3 "$PV_ROOT/pvhostd/tests/ivshmem-client.py" "$run/ivs.sock" 1 \
	>>"$work/daemon.log" 2>&1 || st=1
python3 "$PV_ROOT/pvhostd/tests/clock-client.py" "$run/ivs.sock" \
	"$sroot/usr/sbin/pvctl" >>"$work/daemon.log" 2>&1 || st=$((st | 2))
"$sroot/usr/sbin/pvctl" -c "$run/ivs.sock.ctl" status >"$work/status.log" 2>&1 ||
	st=$((st | 4))
kill -TERM "$pid" 2>/dev/null
wait "$spid"
rc=$?
# CAP_SYS_NICE is bit 23.
if [ "$caps" = 0000000000800000 ] && [ $st -eq 0 ] && [ $rc -eq 0 ]; then
	result pass daemon-unprivileged ""
else
	cat "$work/daemon.log" >&2
	result fail daemon-unprivileged "CapEff ${caps:-none}, clients/pvctl failed (mask $st), exit $rc (log: $work/daemon.log)"
fi
# The system calls after pvhostd's execve, against the unit's filter.
awk '/execve\("[^"]*\/usr\/sbin\/pvhostd"/ { on = 1; next }
	on && match($0, /^[0-9]+ +[a-z0-9_]+\(/) {
		sub(/^[0-9]+ +/, ""); sub(/\(.*/, ""); print }' "$work/strace.log" |
	sort -u >"$work/syscalls.txt"
systemd-analyze syscall-filter >"$work/filter-sets.txt" 2>/dev/null
denied=$(python3 - "$work/filter-sets.txt" "$sroot/lib/systemd/system/pvhostd@.service" \
		"$work/syscalls.txt" <<'PY'
import sys
sets, cur = {}, None
for line in open(sys.argv[1]):
    w = line.split()
    if line.startswith('@'):
        cur = sets.setdefault(w[0], set())
    elif cur is not None and w and not w[0].startswith('#'):
        cur.add(w[0])
def names(word):
    if not word.startswith('@'):
        return {word}
    return set().union(*(names(x) for x in sets.get(word, ())))
allowed = None
for line in open(sys.argv[2]):
    if not line.startswith('SystemCallFilter='):
        continue
    val = line.split('=', 1)[1].strip()
    deny = val.startswith('~')
    calls = set().union(*(names(w) for w in val.lstrip('~').split()))
    if allowed is None:
        allowed = calls if not deny else None
    elif deny:
        allowed -= calls
    else:
        allowed |= calls
used = [l.strip() for l in open(sys.argv[3]) if l.strip()]
print(' '.join(u for u in used if allowed is None or u not in allowed)
      if used else 'none-traced')
PY
)
n=$(wc -l <"$work/syscalls.txt")
pv_log "pvhostd made $n distinct system calls${denied:+; outside the filter: $denied}"
if [ "$n" -gt 10 ] && [ -z "$denied" ]; then
	result pass unit-syscalls ""
else
	result fail unit-syscalls "$n system calls traced, outside SystemCallFilter: ${denied:-none}"
fi
