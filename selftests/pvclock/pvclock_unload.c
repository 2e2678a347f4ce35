// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock selftest, run after pvclock_clock: unloading while pvclock is
 * the system clock. The clocksource's owner pins the module while the
 * kernel reads it: rmmod must fail cleanly (EWOULDBLOCK) and leave time
 * going on. Once another clocksource is selected, the module unloads and
 * loads again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_module.h"
#include "pv_sysfs.h"

#define CS	"/sys/devices/system/clocksource/clocksource0"

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

FIXTURE(unload) {
	char prev[64];
	const char *ko;
};

FIXTURE_SETUP(unload)
{
	char src[32] = "", reg[8] = "";

	self->ko = getenv("PV_MODULE_PATH");
	pv_read_line("/sys/kernel/pvclock/source", src, sizeof(src));
	pv_read_line("/sys/kernel/pvclock/clocksource", reg, sizeof(reg));
	if (strcmp(reg, "1"))
		SKIP(return, "no clock source: pvhc serves no clock records (source %s)",
		     src);
	if (!self->ko)
		SKIP(return, "PV_MODULE_PATH not set: cannot reload the module");
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", self->prev,
				  sizeof(self->prev)));
}

FIXTURE_TEARDOWN(unload)
{
	char cur[64];

	/* Whatever failed, leave the kernel on the clocksource it had. */
	if (self->prev[0] && !pv_read_line(CS "/current_clocksource", cur,
					   sizeof(cur)) &&
	    strcmp(cur, self->prev) && strcmp(self->prev, "pvclock"))
		pv_write_str(CS "/current_clocksource", self->prev);
}

/* Another clocksource than pvclock: tsc if the kernel offers it. */
static int other_clocksource(char *buf, size_t len)
{
	char avail[256], *tok, *save = NULL;

	if (pv_read_line(CS "/available_clocksource", avail, sizeof(avail)))
		return -1;
	if (strstr(avail, "tsc ") || strstr(avail, "tsc\n")) {
		snprintf(buf, len, "tsc");
		return 0;
	}
	for (tok = strtok_r(avail, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "pvclock")) {
			snprintf(buf, len, "%s", tok);
			return 0;
		}
	}
	return -1;
}

TEST_F(unload, refused_while_selected)
{
	char cur[64], other[64];
	long long t0, t1;
	int ret;

	ASSERT_EQ(0, pv_write_str(CS "/current_clocksource", "pvclock"));
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	ASSERT_STREQ("pvclock", cur);
	t0 = mono_ns();
	ret = pv_module_unload("pvclock");
	ASSERT_NE(0, ret) TH_LOG("rmmod pvclock succeeded while it was the system clock");
	EXPECT_EQ(-EWOULDBLOCK, ret) TH_LOG("rmmod pvclock: %s", strerror(-ret));
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	EXPECT_STREQ("pvclock", cur);
	t1 = mono_ns();
	EXPECT_GE(t1, t0);

	/* Another clocksource selected, the module unloads. */
	ASSERT_EQ(0, other_clocksource(other, sizeof(other)));
	ASSERT_EQ(0, pv_write_str(CS "/current_clocksource", other));
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	ASSERT_STREQ(other, cur);
	ret = pv_module_unload("pvclock");
	ASSERT_EQ(0, ret) TH_LOG("rmmod pvclock on %s: %s", other, strerror(-ret));
	EXPECT_GE(mono_ns(), t1);
	TH_LOG("pvclock refused to unload while selected, unloaded on %s", other);

	ret = pv_module_load(self->ko, "");
	ASSERT_EQ(0, ret) TH_LOG("reloading %s: %s", self->ko, strerror(-ret));
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvclock/clocksource", cur,
				  sizeof(cur)));
	EXPECT_STREQ("1", cur);
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	EXPECT_STREQ(other, cur);
}

TEST_HARNESS_MAIN
