/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's own pvclock reader, the baseline pvclock is measured
 * against: arch/x86/kernel/pvclock.c's __pvclock_clocksource_read()
 * (without the watchdog touch, as pvclock_clocksource_read_nowd()) over
 * the same <asm/pvclock.h> helpers, on a record and a last_value of the
 * caller's. The debugfs benchmark and the instruction-count harness under
 * bench/pvclock both build this one copy.
 */
#ifndef _PVCLOCK_INTREE_H
#define _PVCLOCK_INTREE_H

#include <linux/atomic.h>
#include <asm/msr.h>
#include <asm/pvclock.h>

static __always_inline u64
pvclock_intree_read(const struct pvclock_vcpu_time_info *src,
		    atomic64_t *last_value)
{
	unsigned int version;
	u64 ret, last;
	u8 flags;

	do {
		version = pvclock_read_begin(src);
		ret = __pvclock_read_cycles(src, rdtsc_ordered());
		flags = src->flags;
	} while (pvclock_read_retry(src, version));

	if (flags & PVCLOCK_TSC_STABLE_BIT)
		return ret;

	/* The global high-water mark: a cmpxchg on every read that is ahead. */
	last = atomic64_read(last_value);
	do {
		if (ret <= last)
			return last;
	} while (!atomic64_try_cmpxchg(last_value, &last, ret));

	return ret;
}

#endif /* _PVCLOCK_INTREE_H */
