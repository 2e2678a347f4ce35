// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit for the pvmempressure policy: grading and hysteresis against fake
 * gauge sequences (steady, flapping, stuck, out of range), the step budget
 * and the guard against fake guest states. No host backend is involved.
 */
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/pvhc.h>

#include "pvmempressure.h"

static const struct pvmp_params pvmp_defaults = {
	.on = { 300, 600, 850 },
	.off = { 200, 500, 750 },
	.rate_mib = { 16, 64, 256 },
	.interval_ms = 250,
	.min_avail_mib = 32,
	.refault_limit = 1024,
	.min_cache_mib = 8,
};

static void pvmp_validate_test(struct kunit *test)
{
	struct pvmp_params p = pvmp_defaults;

	KUNIT_EXPECT_EQ(test, 0, pvmp_params_validate(&p));
	p.off[0] = p.on[0];		/* no hysteresis */
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p = pvmp_defaults;
	p.on[1] = p.on[0];		/* grades not rising */
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p = pvmp_defaults;
	p.on[2] = PVMP_GAUGE_MAX + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p = pvmp_defaults;
	p.rate_mib[0] = 0;
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p = pvmp_defaults;
	p.rate_mib[2] = 1;		/* urgent slower than reclaim */
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p = pvmp_defaults;
	p.interval_ms = PVMP_INTERVAL_MIN_MS - 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
	p.interval_ms = PVMP_INTERVAL_MAX_MS + 1;
	KUNIT_EXPECT_EQ(test, -EINVAL, pvmp_params_validate(&p));
}

static void pvmp_gauge_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0U, pvmp_gauge_permille(0));
	KUNIT_EXPECT_EQ(test, 500U, pvmp_gauge_permille(PVHC_PRESSURE_ONE / 2));
	KUNIT_EXPECT_EQ(test, 1000U, pvmp_gauge_permille(PVHC_PRESSURE_ONE));
	/* Out of range is clamped to 1.0, never wraps. */
	KUNIT_EXPECT_EQ(test, 1000U, pvmp_gauge_permille(PVHC_PRESSURE_ONE + 1));
	KUNIT_EXPECT_EQ(test, 1000U, pvmp_gauge_permille(U32_MAX));
}

static void pvmp_grade_rise_test(struct kunit *test)
{
	const struct pvmp_params *p = &pvmp_defaults;

	KUNIT_EXPECT_EQ(test, 0U, pvmp_grade_next(p, 0, 299));
	KUNIT_EXPECT_EQ(test, 1U, pvmp_grade_next(p, 0, 300));
	KUNIT_EXPECT_EQ(test, 2U, pvmp_grade_next(p, 0, 600));
	/* A jump straight to the top skips the grades between. */
	KUNIT_EXPECT_EQ(test, 3U, pvmp_grade_next(p, 0, 1000));
	KUNIT_EXPECT_EQ(test, 3U, pvmp_grade_next(p, 1, 850));
	/* A grade out of range is taken as the top one. */
	KUNIT_EXPECT_EQ(test, 3U, pvmp_grade_next(p, 99, 900));
}

static void pvmp_grade_fall_test(struct kunit *test)
{
	const struct pvmp_params *p = &pvmp_defaults;

	/* Between off and on a grade holds. */
	KUNIT_EXPECT_EQ(test, 3U, pvmp_grade_next(p, 3, 750));
	KUNIT_EXPECT_EQ(test, 2U, pvmp_grade_next(p, 3, 749));
	KUNIT_EXPECT_EQ(test, 1U, pvmp_grade_next(p, 2, 499));
	KUNIT_EXPECT_EQ(test, 1U, pvmp_grade_next(p, 1, 200));
	KUNIT_EXPECT_EQ(test, 0U, pvmp_grade_next(p, 1, 199));
	KUNIT_EXPECT_EQ(test, 0U, pvmp_grade_next(p, 3, 0));
}

/* A gauge flapping across an on threshold moves the grade once. */
static void pvmp_flap_test(struct kunit *test)
{
	const struct pvmp_params *p = &pvmp_defaults;
	unsigned int grade = 0, moves = 0, next, i;

	for (i = 0; i < 1000; i++) {
		next = pvmp_grade_next(p, grade, (i & 1) ? 310 : 290);
		moves += next != grade;
		grade = next;
	}
	KUNIT_EXPECT_EQ(test, 1U, moves);
	KUNIT_EXPECT_EQ(test, 1U, grade);

	/* Flapping across both thresholds does move it, every time. */
	grade = 0;
	moves = 0;
	for (i = 0; i < 10; i++) {
		next = pvmp_grade_next(p, grade, (i & 1) ? 100 : 400);
		moves += next != grade;
		grade = next;
	}
	KUNIT_EXPECT_EQ(test, 10U, moves);
}

/* A gauge stuck at 1.0 holds the top grade; it never goes beyond. */
static void pvmp_stuck_test(struct kunit *test)
{
	const struct pvmp_params *p = &pvmp_defaults;
	unsigned int grade = 0, i;

	for (i = 0; i < 100; i++)
		grade = pvmp_grade_next(p, grade, pvmp_gauge_permille(U32_MAX));
	KUNIT_EXPECT_EQ(test, 3U, grade);
	/* And the step stays bounded however long it lasts. */
	KUNIT_EXPECT_LE(test, pvmp_step_budget(p, grade, 12),
			(unsigned long)PVMP_STEP_MAX_PAGES);
}

static void pvmp_budget_test(struct kunit *test)
{
	struct pvmp_params p = pvmp_defaults;

	KUNIT_EXPECT_EQ(test, 0UL, pvmp_step_budget(&p, 0, 12));
	/* 16 MiB/s for 250 ms: 4 MiB, 1024 pages of 4 KiB. */
	KUNIT_EXPECT_EQ(test, 1024UL, pvmp_step_budget(&p, 1, 12));
	KUNIT_EXPECT_EQ(test, 4096UL, pvmp_step_budget(&p, 2, 12));
	KUNIT_EXPECT_EQ(test, 16384UL, pvmp_step_budget(&p, 3, 12));
	p.rate_mib[2] = PVMP_RATE_MAX_MIB;
	p.interval_ms = PVMP_INTERVAL_MAX_MS;
	KUNIT_EXPECT_EQ(test, (unsigned long)PVMP_STEP_MAX_PAGES,
			pvmp_step_budget(&p, 3, 12));
	p.rate_mib[0] = 1;
	p.interval_ms = PVMP_INTERVAL_MIN_MS;
	KUNIT_EXPECT_EQ(test, 2UL, pvmp_step_budget(&p, 1, 12));
	KUNIT_EXPECT_EQ(test, 0UL, pvmp_step_budget(&p, 4, 12));
}

static void pvmp_guard_test(struct kunit *test)
{
	const struct pvmp_params *p = &pvmp_defaults;
	struct pvmp_guest g = {
		.avail_pages = 256 << 8,	/* 256 MiB */
		.cache_pages = 128 << 8,
		.refaults = 0,
	};

	KUNIT_EXPECT_EQ(test, PVMP_GO, pvmp_guard(p, &g, 12));
	g.refaults = 1025;
	KUNIT_EXPECT_EQ(test, PVMP_BACKOFF_REFAULT, pvmp_guard(p, &g, 12));
	g.refaults = 1024;
	KUNIT_EXPECT_EQ(test, PVMP_GO, pvmp_guard(p, &g, 12));
	/* Short of memory wins over everything else. */
	g.avail_pages = (32 << 8) - 1;
	g.refaults = 5000;
	g.cache_pages = 0;
	KUNIT_EXPECT_EQ(test, PVMP_BACKOFF_AVAIL, pvmp_guard(p, &g, 12));
	g.avail_pages = 32 << 8;
	g.refaults = 0;
	KUNIT_EXPECT_EQ(test, PVMP_FLOOR, pvmp_guard(p, &g, 12));
	g.cache_pages = (8 << 8) + (1 << 8);
	KUNIT_EXPECT_EQ(test, PVMP_GO, pvmp_guard(p, &g, 12));
}

static struct kunit_case pvmp_policy_cases[] = {
	KUNIT_CASE(pvmp_validate_test),
	KUNIT_CASE(pvmp_gauge_test),
	KUNIT_CASE(pvmp_grade_rise_test),
	KUNIT_CASE(pvmp_grade_fall_test),
	KUNIT_CASE(pvmp_flap_test),
	KUNIT_CASE(pvmp_stuck_test),
	KUNIT_CASE(pvmp_budget_test),
	KUNIT_CASE(pvmp_guard_test),
	{}
};

static struct kunit_suite pvmp_policy_suite = {
	.name = "pvmempressure_policy",
	.test_cases = pvmp_policy_cases,
};

kunit_test_suite(pvmp_policy_suite);

MODULE_DESCRIPTION("KUnit tests for the pvmempressure policy");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
