// SPDX-License-Identifier: GPL-2.0
/*
 * pvmempressure policy: the gauge to a grade with hysteresis, a grade to a
 * bounded step, and the guard that stops the guest from hurting itself.
 * No state of its own: core.c holds it and KUnit feeds it fakes.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/pvhc.h>
#include <kunit/visibility.h>

#include "pvmempressure.h"

/**
 * pvmp_params_validate - check a full parameter set
 * @p: the parameters
 *
 * Thresholds rise with the grade (on[i] < on[i+1], off[i] <= off[i+1]),
 * each grade leaves below where it enters (off[i] < on[i]), and every
 * value is in range.
 *
 * Return: 0, or -EINVAL.
 */
int pvmp_params_validate(const struct pvmp_params *p)
{
	int i;

	for (i = 0; i < PVMP_NR_GRADES - 1; i++) {
		if (p->on[i] == 0 || p->on[i] > PVMP_GAUGE_MAX)
			return -EINVAL;
		if (p->off[i] >= p->on[i])
			return -EINVAL;
		if (i && (p->on[i] <= p->on[i - 1] || p->off[i] < p->off[i - 1]))
			return -EINVAL;
		if (p->rate_mib[i] == 0 || p->rate_mib[i] > PVMP_RATE_MAX_MIB)
			return -EINVAL;
		if (i && p->rate_mib[i] < p->rate_mib[i - 1])
			return -EINVAL;
	}
	if (p->interval_ms < PVMP_INTERVAL_MIN_MS ||
	    p->interval_ms > PVMP_INTERVAL_MAX_MS)
		return -EINVAL;
	if (p->min_avail_mib > (1U << 20) || p->min_cache_mib > (1U << 20))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvmp_params_validate);

/**
 * pvmp_gauge_permille - a pvhc gauge level in permille, clamped
 * @level: 0..PVHC_PRESSURE_ONE as pvhc validated it
 *
 * Return: 0..PVMP_GAUGE_MAX; a level above 1.0 reads as 1.0.
 */
u32 pvmp_gauge_permille(u32 level)
{
	level = min_t(u32, level, PVHC_PRESSURE_ONE);
	return (u32)div_u64((u64)level * PVMP_GAUGE_MAX + PVHC_PRESSURE_ONE / 2,
			    PVHC_PRESSURE_ONE);
}
EXPORT_SYMBOL_IF_KUNIT(pvmp_gauge_permille);

/**
 * pvmp_grade_next - the grade after a gauge reading
 * @p: validated parameters
 * @grade: the current grade, 0..PVMP_NR_GRADES - 1
 * @gauge: the gauge in permille
 *
 * A grade is entered at its on threshold and left only below its off
 * threshold, so a gauge that flaps between the two does not move it.
 *
 * Return: the new grade.
 */
unsigned int pvmp_grade_next(const struct pvmp_params *p, unsigned int grade,
			     u32 gauge)
{
	if (grade >= PVMP_NR_GRADES)
		grade = PVMP_NR_GRADES - 1;
	while (grade < PVMP_NR_GRADES - 1 && gauge >= p->on[grade])
		grade++;
	while (grade > 0 && gauge < p->off[grade - 1])
		grade--;
	return grade;
}
EXPORT_SYMBOL_IF_KUNIT(pvmp_grade_next);

/**
 * pvmp_step_budget - pages one step may trim in a grade
 * @p: validated parameters
 * @grade: the grade
 * @page_shift: PAGE_SHIFT (a parameter so KUnit can use fixed pages)
 *
 * Return: rate * interval in pages, at least 1 and at most
 * PVMP_STEP_MAX_PAGES; 0 in grade 0.
 */
unsigned long pvmp_step_budget(const struct pvmp_params *p, unsigned int grade,
			       unsigned int page_shift)
{
	u64 bytes;

	if (grade == 0 || grade >= PVMP_NR_GRADES)
		return 0;
	bytes = div_u64((u64)p->rate_mib[grade - 1] * p->interval_ms << 20, 1000);
	return clamp_t(u64, bytes >> page_shift, 1, PVMP_STEP_MAX_PAGES);
}
EXPORT_SYMBOL_IF_KUNIT(pvmp_step_budget);

/**
 * pvmp_guard - whether a step may trim
 * @p: validated parameters
 * @g: the guest's state for this step
 * @page_shift: PAGE_SHIFT
 *
 * The guest's own distress wins over the host's: a guest short of memory
 * (MemAvailable under min_avail_mib) or refaulting the file pages it lost
 * (more than refault_limit since the last step) backs off. A cache at its
 * floor is no back-off, just nothing left to give.
 *
 * Return: the verdict.
 */
enum pvmp_verdict pvmp_guard(const struct pvmp_params *p,
			     const struct pvmp_guest *g, unsigned int page_shift)
{
	unsigned int mib_shift = 20 - page_shift;

	if ((g->avail_pages >> mib_shift) < p->min_avail_mib)
		return PVMP_BACKOFF_AVAIL;
	if (g->refaults > p->refault_limit)
		return PVMP_BACKOFF_REFAULT;
	if ((g->cache_pages >> mib_shift) <= p->min_cache_mib)
		return PVMP_FLOOR;
	return PVMP_GO;
}
EXPORT_SYMBOL_IF_KUNIT(pvmp_guard);
