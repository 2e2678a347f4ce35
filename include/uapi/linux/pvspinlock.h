/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pvspinlock user-space ABI, version 1: the page of /dev/pvspinlock.
 *
 * A process maps the first page of /dev/pvspinlock read-only (PROT_READ,
 * MAP_SHARED; a writable or executable mapping is refused) and reads, for
 * each vCPU of this guest, whether the host has it preempted now. The
 * kernel rewrites the page from the facts pvhc has, every refresh_us
 * microseconds (/sys/kernel/pvspinlock/refresh_us) while the device is
 * open. It shows this guest's own vCPUs only, by their Linux CPU number,
 * and nothing of the host.
 *
 * The header is fixed; the per-vCPU states start at state_offset. A layout
 * change (a vCPU going offline or online, the source of the facts changing:
 * a pvhc backend added or removed) is done under a sequence count:
 * generation is odd while the kernel rewrites the page and even, and
 * different, once it is done. A reader that needs one consistent look
 * reads generation, then the states, then generation again, and retries on
 * an odd or changed value. A single state byte can be read at any time.
 *
 * Every state is advisory: a hint that lets a lock's waiter stop spinning
 * on a vCPU that does not run. Correctness must never depend on it.
 */
#ifndef _UAPI_LINUX_PVSPINLOCK_H
#define _UAPI_LINUX_PVSPINLOCK_H

#include <linux/types.h>

#define PVSPINLOCK_DEV_PATH	"/dev/pvspinlock"
#define PVSPINLOCK_MAGIC	0x4c535650U	/* "PVSL" */
#define PVSPINLOCK_ABI_VERSION	1U
#define PVSPINLOCK_PAGE_SIZE	4096U		/* what to map, at offset 0 */
#define PVSPINLOCK_STATE_OFFSET	64U
/* The vCPUs the page has room for; CPUs beyond it read as unknown. */
#define PVSPINLOCK_MAX_VCPUS	(PVSPINLOCK_PAGE_SIZE - PVSPINLOCK_STATE_OFFSET)

/* The state of one vCPU: one byte in state[cpu]. */
#define PVSPINLOCK_RUNNING	0	/* the host runs it (or did at the last look) */
#define PVSPINLOCK_PREEMPTED	1	/* the host has it runnable but not running */
#define PVSPINLOCK_UNKNOWN	2	/* no fact: no backend, or the host's answer was invalid */
#define PVSPINLOCK_OFFLINE	3	/* not an online CPU of this guest */

/* Flags in pvspinlock_page.flags. */
#define PVSPINLOCK_F_LIVE	(1U << 0)	/* a pvhc backend reports preempted vCPUs */

struct pvspinlock_page {
	__u32 magic;		/* PVSPINLOCK_MAGIC */
	__u32 version;		/* PVSPINLOCK_ABI_VERSION */
	__u32 generation;	/* odd while the layout changes */
	__u32 nr_vcpus;		/* entries of state[]: the guest's CPU ids */
	__u32 state_offset;	/* PVSPINLOCK_STATE_OFFSET, from the page */
	__u32 flags;		/* PVSPINLOCK_F_* */
	__u32 refresh_us;	/* the period of the refresh */
	__u32 reserved0;
	__u64 refreshes;	/* refreshes so far; changes while it is live */
	__u8 reserved[24];
	__u8 state[];		/* at state_offset: PVSPINLOCK_RUNNING.. */
};

#endif /* _UAPI_LINUX_PVSPINLOCK_H */
