// SPDX-License-Identifier: GPL-2.0
/*
 * pvmempressure: bad module parameters refuse the load; the module unloads
 * while trim steps run (at the highest rate and shortest interval) and
 * loads again.
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

static int run(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

static long long rd(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), DIR_ "%s", name);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

FIXTURE(unload) {
	const char *ko;
};

FIXTURE_SETUP(unload)
{
	self->ko = getenv("PV_MODULE_PATH");
	if (!self->ko || access(self->ko, R_OK))
		SKIP(return, "PV_MODULE_PATH names no module file");
	if (access(DIR_ "grade", R_OK))
		SKIP(return, "pvmempressure not loaded");
}

FIXTURE_TEARDOWN(unload)
{
	pv_host_ctl(NULL, 0, "pressure set 0");
	if (self->ko && access(DIR_ "grade", R_OK))
		run("insmod %s", self->ko);
}

TEST_F(unload, bad_params_refused)
{
	static const char * const bad[] = {
		"trim_on=700",			/* above reclaim_on */
		"trim_off=300",			/* not below trim_on */
		"urgent_on=1001",
		"interval_ms=0",
		"trim_rate=0",
		"filesystems=a,b,c,d,e,f,g,h,i",
	};
	char cmd[512];
	unsigned int i;

	ASSERT_EQ(0, run("rmmod pvmempressure", ""));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(cmd, sizeof(cmd), "insmod %s %s 2>/dev/null", self->ko, bad[i]);
		EXPECT_NE(0, system(cmd)) TH_LOG("%s was accepted", bad[i]);
		EXPECT_NE(0, access(DIR_ "grade", R_OK));
		if (!access(DIR_ "grade", R_OK))
			run("rmmod pvmempressure", "");
	}
	ASSERT_EQ(0, run("insmod %s", self->ko));
	EXPECT_EQ(0, access(DIR_ "grade", R_OK));
}

TEST_F_TIMEOUT(unload, unload_while_trimming, 90)
{
	long long steps;
	int st, i;

	st = pv_host_ctl(NULL, 0, "pressure set 0.95");
	if (st == 4 || st == 127)
		SKIP(return, "no pvhostd in this lane (no relay to set the gauge)");
	ASSERT_EQ(0, st);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, run("rmmod pvmempressure", ""));
		ASSERT_EQ(0, run("insmod %s interval_ms=10 urgent_rate=4096 min_avail_mib=0",
				 self->ko));
		if (!pv_pc_setup())
			pv_pc_fill();
		steps = rd("steps");
		/* Unload as soon as a step has run, with the cache full. */
		while (rd("steps") == steps)
			usleep(1000);
		EXPECT_LT(steps, rd("steps"));
		EXPECT_EQ(0, run("rmmod pvmempressure", ""));
		EXPECT_NE(0, access(DIR_ "grade", R_OK));
		ASSERT_EQ(0, run("insmod %s", self->ko));
	}
	EXPECT_EQ(0, access(DIR_ "grade", R_OK));
}

TEST_HARNESS_MAIN
