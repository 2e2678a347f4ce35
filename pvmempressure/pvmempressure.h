/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvmempressure - the guest policy for the host memory-pressure gauge.
 *
 * The policy logic (grades, hysteresis, step budget, the guard) is pure and
 * lives in policy.c so KUnit can drive it with fake gauges and fake guest
 * state; core.c wires it to pvhc, the page cache and sysfs.
 */
#ifndef _PVMEMPRESSURE_H
#define _PVMEMPRESSURE_H

#include <linux/types.h>

/* Grades: none, trim, reclaim, urgent. */
#define PVMP_NR_GRADES		4
#define PVMP_GAUGE_MAX		1000	/* the gauge in permille */
#define PVMP_RATE_MAX_MIB	4096	/* MiB/s per grade */
#define PVMP_INTERVAL_MIN_MS	10
#define PVMP_INTERVAL_MAX_MS	10000
#define PVMP_STEP_MAX_PAGES	65536	/* 256 MiB of 4 KiB pages per step */

struct pvmp_params {
	u32 on[PVMP_NR_GRADES - 1];	/* permille: enter grade i+1 at >= on[i] */
	u32 off[PVMP_NR_GRADES - 1];	/* permille: leave grade i+1 below off[i] */
	u32 rate_mib[PVMP_NR_GRADES - 1];	/* MiB/s trimmed in grade i+1 */
	u32 interval_ms;		/* time between steps */
	u32 min_avail_mib;		/* guard: back off below this MemAvailable */
	u32 refault_limit;		/* guard: back off above this many refaults a step */
	u32 min_cache_mib;		/* floor: never trim the page cache below this */
};

/* What the guard says about a step. */
enum pvmp_verdict {
	PVMP_GO,		/* trim up to the budget */
	PVMP_FLOOR,		/* cache at or below its floor: nothing to do */
	PVMP_BACKOFF_AVAIL,	/* the guest is short of memory itself */
	PVMP_BACKOFF_REFAULT,	/* the guest is refaulting what was trimmed */
};

/* The guest's own state, sampled once per step. */
struct pvmp_guest {
	unsigned long avail_pages;	/* si_mem_available() */
	unsigned long cache_pages;	/* file pages */
	unsigned long refaults;		/* file refaults since the last step */
};

int pvmp_params_validate(const struct pvmp_params *p);
u32 pvmp_gauge_permille(u32 level);
unsigned int pvmp_grade_next(const struct pvmp_params *p, unsigned int grade,
			     u32 gauge);
unsigned long pvmp_step_budget(const struct pvmp_params *p, unsigned int grade,
			       unsigned int page_shift);
enum pvmp_verdict pvmp_guard(const struct pvmp_params *p,
			     const struct pvmp_guest *g, unsigned int page_shift);

#endif /* _PVMEMPRESSURE_H */
