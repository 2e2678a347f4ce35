#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End-to-end: pvhostd serving a stock Debian guest under QEMU TCG.
#   tests/e2e.sh [KERNEL]
# Boots guest A (which holds for a while), tries a second QEMU on the same
# socket (must be refused while A stays unaffected), then boots guest B
# after A left (must get generation + 1). Emits TAP.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
kernel=${1:-/var/cache/pvguest/stock/6.12.117+deb12-amd64/boot/vmlinuz-6.12.117+deb12-amd64}
work=$(mktemp -d /tmp/pvhostd-e2e.XXXXXX)
sock=$work/ivs.sock
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

mkinitramfs() {
	mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
	cp /bin/busybox "$work/root/bin/busybox"
	cp "$here/tests/guest-init.sh" "$work/root/init"
	(cd "$work/root" && find . | cpio -o -H newc --quiet) | gzip > "$work/initrd.gz"
}

qemu() {
	timeout 300 qemu-system-x86_64 -nodefaults -nographic -no-reboot \
		-machine q35 -cpu max -m 512M \
		-chardev socket,id=ivs,path="$sock" \
		-device ivshmem-doorbell,chardev=ivs,vectors=5 \
		-kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 rdinit=/init panic=-1 quiet $1" \
		-serial stdio
}

guest_ok() {
	grep -q '^1\.\.' "$1" && ! grep -q '^not ok' "$1" && grep -q '^ok' "$1"
}

mkinitramfs
"$here/pvhostd-test" -s "$sock" -i 200 2> "$work/pvhostd.log" &
pid=$!
sleep 0.5
qemu pvhold=40 > "$work/a.log" 2>&1 &
qa=$!
for _ in $(seq 120); do grep -q 'holding' "$work/a.log" && break; sleep 1; done
check "guest A reached its hold" grep -q holding "$work/a.log"
gen_a=$("$here/pvctl" -c "$sock.ctl" status | sed -n 's/^generation=//p')
timeout 20 qemu-system-x86_64 -nodefaults -nographic -machine q35 -m 128M \
	-chardev socket,id=ivs,path="$sock" \
	-device ivshmem-doorbell,chardev=ivs,vectors=5 -S > "$work/second.log" 2>&1
rc=$?
check "second QEMU refused (exit $rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
check "second QEMU says why" grep -q 'server sent version -16' "$work/second.log"
sed 's/^/# second: /' "$work/second.log"
"$here/pvctl" -c "$sock.ctl" status > "$work/status-a.txt"
check "refusal counted" grep -q '^refused=1$' "$work/status-a.txt"
check "guest A still connected" grep -q '^peer=1$' "$work/status-a.txt"
check "pvctl pressure set 0.5" bash -c "'$here/pvctl' -c '$sock.ctl' pressure set 0.5 > /dev/null"
check "pvctl entropy fault zeros" bash -c "'$here/pvctl' -c '$sock.ctl' entropy fault zeros > /dev/null"
"$here/pvctl" -c "$sock.ctl" pressure set 2 > "$work/bad.txt"
check "pvctl: bad level is an error reply, exit 1" [ $? -eq 1 ]
check "pvctl: error reply says why" grep -q '^error: level' "$work/bad.txt"
wait $qa
sed 's/^/# A: /' "$work/a.log" | grep -E '^# A: (ok|not ok|1\.\.|#)'
check "guest A: all guest checks pass, incl. after the refusal" guest_ok "$work/a.log"
sleep 0.5
check "guest A cleaned up" bash -c "'$here/pvctl' -c '$sock.ctl' status | grep -q '^peer=none$'"
"$here/pvctl" -c "$sock.ctl" entropy fault none > /dev/null
"$here/pvctl" -c "$sock.ctl" pressure auto > /dev/null
qemu "" > "$work/b.log" 2>&1
check "guest B: all guest checks pass" guest_ok "$work/b.log"
gen_b=$(sed -n 's/^generation=//p' < <("$here/pvctl" -c "$sock.ctl" status))
check "generation bumped for B ($gen_a -> $gen_b)" [ "$gen_b" -eq $((gen_a + 1)) ]
kill -TERM $pid
wait $pid
check "pvhostd exits 0 on SIGTERM" [ $? -eq 0 ]
check "sockets removed" [ ! -e "$sock" -a ! -e "$sock.ctl" ]
"$here/pvhostd-test" -s "$sock" 2>> "$work/pvhostd.log" &
pid=$!
sleep 0.5
check "restarted pvhostd: protocol and region checked by a raw client" \
	python3 "$here/tests/ivshmem-client.py" "$sock" $((gen_b + 1))
kill -TERM $pid
wait $pid
sed 's/^/# pvhostd: /' "$work/pvhostd.log"
echo "1..$n"
echo "# e2e: $((n - fails)) passed, $fails failed (logs in $work)"
[ $fails -eq 0 ]
