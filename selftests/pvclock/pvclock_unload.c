// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock selftest, run after pvclock_clock: remove the module while
 * pvclock is the system clock. The kernel must switch to another
 * clocksource, time must go on, and the module must load again; the
 * kernel then gives the system clock back to it because the administrator
 * chose it (the choice written to current_clocksource outlives the
 * module).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
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

TEST_F(unload, while_selected)
{
	char cur[64];
	long long t0, t1;
	int fd;

	ASSERT_EQ(0, pv_write_str(CS "/current_clocksource", "pvclock"));
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	ASSERT_STREQ("pvclock", cur);
	t0 = mono_ns();
	ASSERT_EQ(0, syscall(SYS_delete_module, "pvclock", O_NONBLOCK))
		TH_LOG("rmmod pvclock: %s", strerror(errno));
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	EXPECT_STRNE("pvclock", cur);
	t1 = mono_ns();
	EXPECT_GE(t1, t0);
	TH_LOG("pvclock removed: the kernel switched to %s", cur);

	fd = open(self->ko, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0))
		TH_LOG("reloading %s: %s", self->ko, strerror(errno));
	close(fd);
	/*
	 * The kernel keeps the administrator's choice (the name written to
	 * current_clocksource) and takes pvclock back once it registers:
	 * the choice survives the unload, and nothing else selects it.
	 */
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", cur, sizeof(cur)));
	EXPECT_STREQ("pvclock", cur);
	EXPECT_GE(mono_ns(), t1);
}

TEST_HARNESS_MAIN
