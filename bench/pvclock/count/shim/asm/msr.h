/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdtsc_ordered(): the harness's TSC. Real (lfence; rdtsc) when timing;
 * a counter stepped per read when counting instructions, so that every
 * run takes the same branches. Both readers call this one function.
 */
#ifndef _SHIM_ASM_MSR_H
#define _SHIM_ASM_MSR_H

#include <linux/types.h>
#include <linux/compiler.h>

extern u64 harness_fake_tsc;	/* 0: the real TSC */
extern u64 harness_fake_step;

static __always_inline u64 rdtsc_ordered(void)
{
	u32 lo, hi;

	if (harness_fake_tsc) {
		harness_fake_tsc += harness_fake_step;
		return harness_fake_tsc;
	}
	__asm__ __volatile__("lfence; rdtsc" : "=a" (lo), "=d" (hi) : : "memory");
	return ((u64)hi << 32) | lo;
}

#endif
