#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Daemon smoke test without QEMU: protocol, refusal, reconnect, control
# commands and hostile control clients, clean SIGTERM. Emits TAP.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/pvhostd-smoke.XXXXXX)
sock=$work/ivs.sock
# The test build: fault injection is what much of this drives.
daemon=$here/pvhostd-test
ctl() { "$here/pvctl" -c "$sock.ctl" "$@"; }
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# check DESC CMD...: one result; a failing CMD's output follows as comments.
check() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$d"
	else
		nok "$d"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
	fi
}
has() { ctl status | grep -qx "$1"; }

if ! command -v python3 > /dev/null; then
	echo "1..0 # SKIP python3 not installed"
	exit 0
fi
"$daemon" -s "$sock" -i 50 2> "$work/pvhostd.log" &
pid=$!
for _ in $(seq 50); do [ -S "$sock.ctl" ] && break; sleep 0.1; done
check "pvhostd --help exits 0" "$here/pvhostd" --help
check "bad option exits 2" bash -c "'$here/pvhostd' -s x -m 3M; [ \$? -eq 2 ]"
check "a second pvhostd on a live socket refuses to start" \
	bash -c "! '$daemon' -s '$sock' -c '$work/other.ctl'"
check "pvctl --version names the version" bash -c "'$here/pvctl' --version | grep -q '^pvctl '"
check "pvctl -t 0 and -t x refused: exit 2" \
	bash -c "'$here/pvctl' -t 0 -c '$sock.ctl' status; a=\$?; '$here/pvctl' -t x -c '$sock.ctl' status; b=\$?; [ \$a -eq 2 ] && [ \$b -eq 2 ]"
# A control socket that accepts and never answers: pvctl gives up.
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); time.sleep(30)' "$work/mute.sock" &
mute=$!
for _ in $(seq 50); do [ -S "$work/mute.sock" ] && break; sleep 0.1; done
check "pvctl -t 1 on a daemon that never answers: exit 2, says so" \
	bash -c "out=\$('$here/pvctl' -t 1 -c '$work/mute.sock' status 2>&1); [ \$? -eq 2 ] && echo \"\$out\" | grep -q 'no answer within 1 s'"
kill "$mute" 2>/dev/null
# The installed build has no fault injection: it refuses each such
# command, and serves the operator's.
rel=$work/rel.sock
"$here/pvhostd" -s "$rel" 2> "$work/pvhostd-rel.log" &
rpid=$!
for _ in $(seq 50); do [ -S "$rel.ctl" ] && break; sleep 0.1; done
check "installed build: hostile, entropy fault, clock rate refused (exit 1)" \
	bash -c "for c in 'hostile garbage' 'entropy fault zeros' 'clock rate 100'; do out=\$('$here/pvctl' -c '$rel.ctl' \$c); [ \$? -eq 1 ] && echo \"\$out\" | grep -q 'test build' || exit 1; done"
check "installed build: status says fault_injection=absent, hostile=off" \
	bash -c "'$here/pvctl' -c '$rel.ctl' status | grep -qx fault_injection=absent && '$here/pvctl' -c '$rel.ctl' status | grep -qx hostile=off"
check "installed build: pressure set still served" "$here/pvctl" -c "$rel.ctl" pressure set 0.5
check "test build: status says fault_injection=built-in" \
	bash -c "'$here/pvctl' -c '$sock.ctl' status | grep -qx fault_injection=built-in"
kill -TERM $rpid 2> /dev/null
wait $rpid
check "status: waiting, generation 0" bash -c "'$here/pvctl' -c '$sock.ctl' status | grep -qx generation=0"
check "raw client: connect sequence, region, refusal (generation 1)" \
	python3 "$here/tests/ivshmem-client.py" "$sock" 1
sleep 0.3
check "disconnected client cleaned up" has peer=none
check "refusal counted" has refused=1
check "reconnect gets generation 2" \
	python3 "$here/tests/ivshmem-client.py" "$sock" 2
check "pressure set 0.25" ctl pressure set 0.25
check "status shows level 16384, source command" \
	bash -c "'$here/pvctl' -c '$sock.ctl' status | grep -qx pressure_level=16384 && '$here/pvctl' -c '$sock.ctl' status | grep -qx pressure_source=command"
check "pressure auto" ctl pressure auto
check "status shows source auto" has pressure_source=auto
for f in zeros repeat replay none; do
	check "entropy fault $f" ctl entropy fault $f
done
check "status shows entropy_fault=none" has entropy_fault=none
check "clock status without a guest: peer=none" \
	bash -c "'$here/pvctl' -c '$sock.ctl' clock status | grep -qx peer=none"
check "clock rate without a guest: exit 1" \
	bash -c "'$here/pvctl' -c '$sock.ctl' clock rate 1000; [ \$? -eq 1 ]"
check "clock rate 0 refused: exit 1" \
	bash -c "'$here/pvctl' -c '$sock.ctl' clock rate 0; [ \$? -eq 1 ]"
check "a guest's clock: records, pairing, simulated rate change (generation 3)" \
	python3 "$here/tests/clock-client.py" "$sock" "$here/pvctl"
for m in header garbage relayout gauge-range gauge-stuck ring-back ring-past \
	mailbox-silent mailbox-malformed flood vcpu-stuck; do
	check "hostile $m without a guest" ctl hostile $m
done
check "status shows hostile=vcpu-stuck" has hostile=vcpu-stuck
check "hostile off" ctl hostile off
check "status shows hostile=off, 12 changes" bash -c "'$here/pvctl' -c '$sock.ctl' status | grep -qx hostile=off && '$here/pvctl' -c '$sock.ctl' status | grep -qx hostile_changes=12"
check "hostile modes against a guest: damage on the tick, repaired by off" \
	python3 "$here/tests/hostile-client.py" "$sock" "$here/pvctl"
check "hostile bogus: exit 1" bash -c "'$here/pvctl' -c '$sock.ctl' hostile bogus; [ \$? -eq 1 ]"
check "unknown command: exit 1" bash -c "'$here/pvctl' -c '$sock.ctl' reboot; [ \$? -eq 1 ]"
check "vcpu status without --qmp: qmp=off, peer=none" \
	bash -c "'$here/pvctl' -c '$sock.ctl' vcpu status | grep -qx qmp=off && '$here/pvctl' -c '$sock.ctl' vcpu status | grep -qx peer=none"
check "vcpu bogus: exit 1" bash -c "'$here/pvctl' -c '$sock.ctl' vcpu bogus; [ \$? -eq 1 ]"
check "bad --vcpu-poll-ms exits 2" bash -c "'$here/pvhostd' -s x --qmp y --vcpu-poll-ms 1; [ \$? -eq 2 ]"
check "bad --lock-hint-max-ms exits 2" bash -c "'$here/pvhostd' -s x --qmp y --lock-hint-max-ms 10001; [ \$? -eq 2 ]"
# The vCPU service against a fake QEMU (tests/vcpu-client.py): one
# pvhostd per mode, as each ends with the daemon's exit.
vcpu_run() {
	local mode=$1 vs=$work/vcpu-$1.sock vpid
	"$daemon" -s "$vs" -n 4 --qmp "$work/qmp-$mode.sock" --boost-max-ms 200 \
		--lock-hint-max-ms 300 \
		2> "$work/pvhostd-vcpu-$mode.log" &
	vpid=$!
	for _ in $(seq 50); do [ -S "$vs.ctl" ] && break; sleep 0.1; done
	timeout 60 python3 "$here/tests/vcpu-client.py" "$vs" "$work/qmp-$mode.sock" \
		"$here/pvctl" $vpid "$mode" > "$work/vcpu-$mode.tap" 2>&1
	local rc=$?
	sed 's/^/# /' "$work/vcpu-$mode.tap"
	kill -TERM $vpid 2> /dev/null
	wait $vpid
	return $rc
}
# A guest ringing in a loop gets its budget and no more.
flood_run() {
	local fs=$work/flood.sock fpid rc
	"$daemon" -s "$fs" --doorbell-rate 50 2> "$work/pvhostd-flood.log" &
	fpid=$!
	for _ in $(seq 50); do [ -S "$fs.ctl" ] && break; sleep 0.1; done
	timeout 60 python3 "$here/tests/flood-client.py" "$fs" "$here/pvctl" 50 \
		> "$work/flood.tap" 2>&1
	rc=$?
	sed 's/^/# /' "$work/flood.tap"
	kill -TERM $fpid 2> /dev/null
	wait $fpid
	[ "$(grep -c 'throttled' "$work/pvhostd-flood.log")" -le 2 ] || rc=1
	return $rc
}
check "doorbell budget: a flooding guest throttled, the daemon still answers" flood_run
check "bad --doorbell-rate exits 2" bash -c "'$daemon' -s x --doorbell-rate 0; [ \$? -eq 2 ]"
# The table from the threads' names, with no monitor (beside libvirt).
names_run() {
	local vs=$work/names.sock vpid rc
	"$daemon" -s "$vs" -n 8 --vcpu-names 2> "$work/pvhostd-names.log" &
	vpid=$!
	for _ in $(seq 50); do [ -S "$vs.ctl" ] && break; sleep 0.1; done
	timeout 60 python3 "$here/tests/names-client.py" "$vs" "$here/pvctl" \
		> "$work/names.tap" 2>&1
	rc=$?
	sed 's/^/# /' "$work/names.tap"
	kill -TERM $vpid 2> /dev/null
	wait $vpid
	grep -q 'two threads claim one vCPU' "$work/pvhostd-names.log" || rc=1
	return $rc
}
check "vCPU threads by name: table, hotplug rescan, a duplicate refused, boost" names_run
check "--qmp and --vcpu-names together: exit 2" \
	bash -c "'$daemon' -s x --qmp y --vcpu-names; [ \$? -eq 2 ]"
if [ "$(id -u)" -eq 0 ]; then
	check "vCPU service: QMP table, preempted flags, boosts and reverts" vcpu_run good
	check "vCPU service: a monitor naming foreign threads is refused" vcpu_run hostile
else
	ok "vCPU service # SKIP boosting needs root"
fi
# Restart: pvhostd killed with SIGKILL under a stand-in for systemd's fd
# store (tests/fdstore.py) takes its guest back (tests/restart-client.py).
restart_run() {
	local rs=$work/restart.sock sup=$work/restart.sup spid rc
	python3 "$here/tests/fdstore.py" "$sup" "$daemon" -s "$rs" -n 4 \
		--qmp "$work/qmp-restart.sock" --boost-max-ms 10000 -i 50 \
		2> "$work/pvhostd-restart.log" &
	spid=$!
	for _ in $(seq 50); do [ -S "$rs.ctl" ] && break; sleep 0.1; done
	timeout 120 python3 "$here/tests/restart-client.py" "$rs" \
		"$work/qmp-restart.sock" "$here/pvctl" "$sup" > "$work/restart.tap" 2>&1
	rc=$?
	sed 's/^/# /' "$work/restart.tap"
	kill -TERM $spid 2> /dev/null
	wait $spid || rc=1
	# a SIGTERM ends the session and leaves the store empty
	grep -q 'stopped (exit 0, 0 restarts on failure); 0 fds left in the store' "$work/pvhostd-restart.log" || rc=1
	return $rc
}
if [ "$(id -u)" -eq 0 ]; then
	check "restart: SIGKILL, the guest taken back, nothing leaked; a foreign state refused" restart_run
else
	ok "restart # SKIP boosting needs root"
fi
# Who may connect: the sockets' modes, and a peer refused by its
# credentials whatever the mode let through. One pvhostd per setting.
perm_daemon() {
	"$here/pvhostd" -s "$work/perm/p.sock" "$@" 2>> "$work/pvhostd-perm.log" &
	ppid=$!
	for _ in $(seq 50); do [ -S "$work/perm/p.sock.ctl" ] && break; sleep 0.1; done
}
perm_stop() { kill -TERM $ppid 2> /dev/null; wait $ppid; }
if [ "$(id -u)" -eq 0 ] && command -v setpriv > /dev/null; then
	mkdir -p "$work/perm" && chmod 0711 "$work" "$work/perm"
	install -m 0755 "$here/pvctl" "$work/perm/pvctl"
	ps=$work/perm/p.sock
	perm_daemon
	check "default modes: guest socket 0660, control socket 0600" \
		bash -c "[ \"\$(stat -c %a '$ps' '$ps.ctl' | tr '\n' ' ')\" = '660 600 ' ]"
	check "another user cannot reach the control socket (mode)" \
		bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups '$work/perm/pvctl' -t 2 -c '$ps.ctl' status"
	perm_stop
	perm_daemon --socket-mode 0666 --control-mode 0666
	check "--socket-mode/--control-mode 0666 applied" \
		bash -c "[ \"\$(stat -c %a '$ps' '$ps.ctl' | tr '\n' ' ')\" = '666 666 ' ]"
	check "another user let in by the mode is refused by its credentials" \
		bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups '$work/perm/pvctl' -t 2 -c '$ps.ctl' status"
	check "the guest socket refuses it too, without a session" \
		bash -c "setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
sys.exit(1 if s.recv(8) else 0)' '$ps'"
	check "both counted (peers_refused=2, sessions=0), and logged" \
		bash -c "'$here/pvctl' -c '$ps.ctl' status | grep -qx peers_refused=2 && '$here/pvctl' -c '$ps.ctl' status | grep -qx sessions=0 && grep -q 'control socket: refused pid' '$work/pvhostd-perm.log'"
	perm_stop
	perm_daemon --control-mode 0660 --control-group 65534
	check "--control-group: the socket's group, and a member of it is served" \
		bash -c "[ \"\$(stat -c %g '$ps.ctl')\" = 65534 ] && setpriv --reuid=65534 --regid=65534 --clear-groups '$work/perm/pvctl' -c '$ps.ctl' status | grep -qx peers_refused=0"
	perm_stop
	check "bad --socket-mode, --control-group: exit 2" \
		bash -c "'$here/pvhostd' -s x --socket-mode 0668; a=\$?; '$here/pvhostd' -s x --control-group no-such-group-here; b=\$?; [ \$a -eq 2 ] && [ \$b -eq 2 ]"
else
	ok "socket permissions # SKIP needs root and setpriv"
fi
check "hostile control clients survived" python3 "$here/tests/ctl-abuse.py" "$sock.ctl"
check "still alive" kill -0 $pid
kill -TERM $pid
wait $pid
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "SIGTERM: sockets removed" [ ! -e "$sock" -a ! -e "$sock.ctl" ]
# 3 after the clock client, 4 for the hostile client, 5 for its header repaired
check "generation persisted" grep -qx 5 "$sock.generation"
echo "1..$n"
echo "# smoke: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ] && rm -rf "$work"
[ $fails -eq 0 ]
