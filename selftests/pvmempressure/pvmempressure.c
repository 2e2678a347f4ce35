// SPDX-License-Identifier: GPL-2.0
/*
 * pvmempressure: the host gauge, raised through pvhost-ctl, makes the guest
 * trim clean page cache (filled by reading a file on ext2 on brd), the grade
 * holds between its off and on thresholds and drops below off, trimming
 * stops at grade none, the guard backs off while the guest is short of
 * memory, bad sysfs and parameter input is rejected, and the module
 * unloads while steps run. Directions and counters only, never times.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* The harness's fork child in its wrapper: not clobbered (see pvhost_hostile.c). */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "pv_host.h"
#include "pv_sysfs.h"
#include "pv_pagecache.h"

#define DIR_	"/sys/kernel/pvmempressure/"

static long long rd(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), DIR_ "%s", name);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static int wr(const char *name, const char *v)
{
	char path[128];

	snprintf(path, sizeof(path), DIR_ "%s", name);
	return pv_write_str(path, v);
}

static int grade_is(const char *g)
{
	char buf[32];

	return !pv_read_line(DIR_ "grade", buf, sizeof(buf)) && !strcmp(buf, g);
}

static int host_pressure(const char *v)
{
	char args[64];

	snprintf(args, sizeof(args), "pressure set %s", v);
	return pv_host_ctl(NULL, 0, args);
}

/* Wait (bounded by the harness's timeout, not asserted) for @cond. */
#define WAIT_FOR(cond) do {				\
	int __i;					\
	for (__i = 0; __i < 400 && !(cond); __i++)	\
		usleep(50000);				\
} while (0)

FIXTURE(pvmp) {
	int dummy;
};

FIXTURE_SETUP(pvmp)
{
	int st;

	if (access(DIR_ "grade", R_OK))
		SKIP(return, "pvmempressure not loaded");
	st = host_pressure("0");
	if (st == 4 || st == 127)
		SKIP(return, "no pvhostd in this lane (no relay to set the gauge)");
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wr("min_avail_mib", "0"));
	ASSERT_EQ(0, wr("refault_limit", "1000000"));
	ASSERT_EQ(0, wr("interval_ms", "50"));
	WAIT_FOR(grade_is("none"));
	ASSERT_TRUE(grade_is("none"));
}

FIXTURE_TEARDOWN(pvmp)
{
	host_pressure("0");
	wr("min_avail_mib", "32");
	wr("refault_limit", "1024");
	wr("interval_ms", "250");
	wr("min_cache_mib", "8");
}

/* Gauge to 0.9: the guest trims and its page cache drops. */
TEST_F_TIMEOUT(pvmp, trims_under_pressure, 60)
{
	long long before, after, filled, trimmed0, steps0;

	if (pv_pc_setup())
		SKIP(return, "no brd and ext4 to hold a page cache (stock lanes only)");
	filled = pv_pc_fill();
	ASSERT_LT(0, filled);
	before = pv_pc_cache_kib();
	trimmed0 = rd("pages_trimmed");
	steps0 = rd("steps");

	ASSERT_EQ(0, host_pressure("0.9"));
	WAIT_FOR(grade_is("urgent"));
	ASSERT_TRUE(grade_is("urgent"));
	EXPECT_EQ(900, rd("gauge"));
	WAIT_FOR(rd("pages_trimmed") - trimmed0 >= (filled / 4) * 3 / 4);
	after = pv_pc_cache_kib();
	TH_LOG("cache %lld KiB -> %lld KiB, filled %lld KiB, trimmed %lld pages, returned %lld",
	       before, after, filled, rd("pages_trimmed") - trimmed0,
	       rd("pages_returned"));
	EXPECT_LT(steps0, rd("steps"));
	/* At least three quarters of what was read in went away. */
	EXPECT_LE((filled / 4) * 3 / 4, rd("pages_trimmed") - trimmed0);
	EXPECT_LE(after + filled * 3 / 4, before);
}

/* The grade holds between off and on, falls below off, and steps stop. */
TEST_F_TIMEOUT(pvmp, hysteresis_and_stop, 60)
{
	long long trans, steps;

	ASSERT_EQ(0, host_pressure("0.35"));
	WAIT_FOR(grade_is("trim"));
	ASSERT_TRUE(grade_is("trim"));
	trans = rd("transitions");

	/* 0.25: under trim_on (300), over trim_off (200): still trim. */
	ASSERT_EQ(0, host_pressure("0.25"));
	WAIT_FOR(rd("gauge") == 250);
	ASSERT_EQ(250, rd("gauge"));
	EXPECT_TRUE(grade_is("trim"));
	EXPECT_EQ(trans, rd("transitions"));

	/* 0.15: under trim_off: none, and no step after that. */
	ASSERT_EQ(0, host_pressure("0.15"));
	WAIT_FOR(grade_is("none"));
	ASSERT_TRUE(grade_is("none"));
	EXPECT_EQ(trans + 1, rd("transitions"));
	steps = rd("steps");
	usleep(500000);		/* ten intervals of 50 ms */
	EXPECT_EQ(steps, rd("steps"));
}

/* A guest short of memory backs off: backoffs rise, nothing is trimmed. */
TEST_F_TIMEOUT(pvmp, backs_off_when_guest_short, 60)
{
	long long b0, t0, c0;

	if (!pv_pc_setup())
		pv_pc_fill();
	/* No guest has 1 TiB available: the guard always says back off. */
	ASSERT_EQ(0, wr("min_avail_mib", "1048576"));
	b0 = rd("backoffs");
	t0 = rd("pages_trimmed");
	c0 = pv_pc_cache_kib();
	ASSERT_EQ(0, host_pressure("0.9"));
	WAIT_FOR(rd("backoffs") >= b0 + 5);
	EXPECT_LE(b0 + 5, rd("backoffs"));
	EXPECT_EQ(t0, rd("pages_trimmed"));
	/* The cache is still there (no one else trims it in the guest). */
	EXPECT_LE(c0 / 2, pv_pc_cache_kib());
}

/* Bad sysfs input is refused and changes nothing. */
TEST_F(pvmp, rejects_bad_input)
{
	long long on = rd("trim_on");

	EXPECT_NE(0, wr("trim_on", "abc"));
	EXPECT_NE(0, wr("trim_on", "-1"));
	EXPECT_NE(0, wr("trim_on", "1001"));
	EXPECT_NE(0, wr("trim_on", "0"));
	/* trim_off must stay below trim_on, trim_on below reclaim_on. */
	EXPECT_NE(0, wr("trim_off", "300"));
	EXPECT_NE(0, wr("trim_on", "600"));
	EXPECT_NE(0, wr("interval_ms", "0"));
	EXPECT_NE(0, wr("interval_ms", "10001"));
	EXPECT_NE(0, wr("trim_rate", "0"));
	EXPECT_NE(0, wr("urgent_rate", "4097"));
	EXPECT_NE(0, wr("urgent_rate", "1"));	/* below reclaim_rate */
	EXPECT_NE(0, wr("min_avail_mib", "99999999999"));
	EXPECT_EQ(on, rd("trim_on"));
	EXPECT_NE(0, wr("grade", "urgent"));
	/* A good value is taken. */
	EXPECT_EQ(0, wr("trim_on", "310"));
	EXPECT_EQ(310, rd("trim_on"));
	EXPECT_EQ(0, wr("trim_on", "300"));
}

TEST_HARNESS_MAIN
