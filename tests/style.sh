#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch --strict on every C source and header of the project, one result
# per file, in the lane format of tests/qemu/run-lane.sh.
PV_LANE=style
. "$(dirname "$0")/qemu/lib.sh"
pv_need_pkgs $PV_BASE_PKGS >&2 || { printf 'RESULT\tfail\tstyle/setup\tmissing packages\n'; exit 0; }
ksrc=$(pv_ksrc) || { printf 'RESULT\tfail\tstyle/setup\tno kernel source\n'; exit 0; }
cd "$PV_ROOT" || exit 1
# A file checkpatch passed is not checked again while neither it, its
# options nor checkpatch itself (and its spelling list) changed: the verdict
# is kept under the hash of them all (the name too: checkpatch reads it).
# Failures are never kept.
cache=$PV_CACHE/style
mkdir -p "$cache"
tool=$(cat "$ksrc/scripts/checkpatch.pl" "$ksrc/scripts/spelling.txt" \
	"$ksrc/scripts/const_structs.checkpatch" 2>/dev/null | sha256sum | cut -c1-16)
git ls-files -co --exclude-standard -- '*.c' '*.h' | sort | while read -r f; do
	[ -f "$f" ] || continue
	# Version tests are allowed in compat/ and nowhere else.
	extra=
	case $f in compat/*) extra=,LINUX_VERSION_CODE ;; esac
	# Userspace has no __printf(); libFuzzer names its entry point.
	case $f in pvhostd/*) extra=$extra,PREFER_DEFINED_ATTRIBUTE_MACRO ;; esac
	case $f in */fuzz/*) extra=$extra,CAMELCASE ;; esac
	# A header-only user-space library: a pause per architecture.
	case $f in */lib/*.h) extra=$extra,ARCH_DEFINES,PREFER_DEFINED_ATTRIBUTE_MACRO ;; esac
	# Userspace stand-ins for kernel primitives (typedefs, volatile accesses).
	case $f in bench/*/shim/*|bench/*/count/*.c) extra=$extra,PREFER_DEFINED_ATTRIBUTE_MACRO,NEW_TYPEDEFS,VOLATILE,COMPLEX_MACRO,PREFER_KERNEL_TYPES,MACRO_ARG_REUSE,MACRO_ARG_UNUSED,IS_ENABLED_CONFIG,UNSPECIFIED_INT ;; esac
	key=$( (echo "$tool $extra $f"; cat "$f") | sha256sum | cut -c1-32)
	if [ -e "$cache/$key" ]; then
		printf 'RESULT\tpass\tstyle/%s\t\n' "$f"
		continue
	fi
	if out=$("$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES$extra -f "$f" 2>&1); then
		printf 'RESULT\tpass\tstyle/%s\t\n' "$f"
		: >"$cache/$key"
	else
		echo "$out" | grep -E ': (ERROR|WARNING|CHECK):' >&2
		printf 'RESULT\tfail\tstyle/%s\t%s\n' "$f" \
			"$(echo "$out" | grep -cE ': (ERROR|WARNING|CHECK):') checkpatch reports"
	fi
done
