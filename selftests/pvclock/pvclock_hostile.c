// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock selftests against a hostile host, with pvclock as the system
 * clock: pvhostd (through the test relay, pvhost-ctl) publishes records
 * 277 years ahead (hostile clock-leap: what one rewritten calibration
 * exchange once produced) or 30 s ahead (hostile clock-ahead, a lie the
 * ABI allows) for a few seconds, then the truth again. The guest's
 * CLOCK_MONOTONIC must neither leap nor stand still longer than the limit
 * stated in Documentation/pvclock.rst (2 s), pvclock must count what it
 * refused and lower its rating, and the guest must stay alive (the lane
 * fails on any soft lockup, RCU stall or WARN on the console).
 *
 * The reference is the TSC, read by the test itself on one CPU and scaled
 * with the rate the records gave before the lie (rate_khz; the lies keep
 * the rate): CLOCK_MONOTONIC and the TSC advance together unless the
 * clocksource leaps or stands still. (Not the thread's CPU time: with an
 * unstable TSC, as under TCG, sched_clock() follows the clocksource.)
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

/*
 * The harness's TEST_F wrapper keeps "child" across setjmp(); gcc warns
 * that it might be clobbered. It is not (only written before the longjmp()
 * can happen), as selftests/pvhost/pvhost_hostile.c explains.
 */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define PVC		"/sys/kernel/pvclock"
#define CS		"/sys/devices/system/clocksource/clocksource0"
#define SEC		1000000000LL
#define LIE_NS		(3 * SEC)	/* how long the host lies */
#define AFTER_NS	(5 * SEC)	/* watched after the lie ends */
/* Stated in Documentation/pvclock.rst: no step and no stall beyond 2 s. */
#define STEP_LIMIT_NS	(2 * SEC)
/* Slack for a vCPU the host stalls or the guest preempts (TCG). */
#define SLACK_NS	(3 * SEC)

static long long pvc_num(const char *name)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), PVC "/%s", name);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static long long clk_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

struct watch {
	long long khz;		/* TSC ticks per millisecond */
	long long worst_step;	/* largest lead of MONOTONIC over the TSC */
	long long worst_stall;	/* most TSC time with MONOTONIC unchanged */
	long long back;		/* MONOTONIC went back */
	long long reads;
};

static long long tsc_ns(const struct watch *w, unsigned long long ticks)
{
	return (long long)(ticks / w->khz * 1000000ULL +
			   ticks % w->khz * 1000000ULL / w->khz);
}

/* Busy-read CLOCK_MONOTONIC against the TSC for @ns of TSC time. */
static void watch_for(struct watch *w, long long ns)
{
	unsigned long long t0 = __rdtsc(), t, pt = t0, since = t0;
	long long m, pm = clk_ns(CLOCK_MONOTONIC), d;

	do {
		m = clk_ns(CLOCK_MONOTONIC);
		t = __rdtsc();
		w->reads++;
		if (m < pm)
			w->back++;
		d = (m - pm) - tsc_ns(w, t - pt);
		if (d > w->worst_step)
			w->worst_step = d;
		if (m != pm)
			since = t;
		else if (tsc_ns(w, t - since) > w->worst_stall)
			w->worst_stall = tsc_ns(w, t - since);
		pm = m;
		pt = t;
	} while (tsc_ns(w, t - t0) < ns);
}

FIXTURE(hostile) {
	char prev[64];
	int rating;
};

FIXTURE_SETUP(hostile)
{
	char src[32] = "";

	self->rating = 0;
	if (pv_read_line(PVC "/source", src, sizeof(src)) || strcmp(src, "pvhost"))
		SKIP(return, "the hostile clock modes need the pvhost source (source %s)",
		     src);
	if (!pv_host_require(_metadata, NULL, 0, "clock status"))
		return;
	self->rating = pvc_num("rating");
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", self->prev,
				  sizeof(self->prev)));
	ASSERT_EQ(0, pv_write_str(CS "/current_clocksource", "pvclock"));
}

FIXTURE_TEARDOWN(hostile)
{
	char buf[16];

	if (!self->rating)
		return;
	pv_host_ctl(NULL, 0, "hostile off");
	if (self->prev[0])
		pv_write_str(CS "/current_clocksource", self->prev);
	snprintf(buf, sizeof(buf), "%d", self->rating);
	pv_write_str(PVC "/rating", buf);
}

/* One lie for LIE_NS, then the truth, watched throughout. */
static void lie(struct __test_metadata *_metadata, const char *mode)
{
	long long leaps0 = pvc_num("leaps"), invalid0 = pvc_num("invalid");
	long long m0, m1;
	struct watch w = { 0 };
	char args[64];
	cpu_set_t set;
	int i;

	ASSERT_LE(0, leaps0);
	/* One CPU: under TCG the vCPUs' TSCs disagree. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	w.khz = pvc_num("rate_khz");
	ASSERT_LT(0, w.khz);
	snprintf(args, sizeof(args), "hostile %s", mode);
	m0 = clk_ns(CLOCK_MONOTONIC);
	ASSERT_EQ(0, pv_host_ctl(NULL, 0, args));
	watch_for(&w, LIE_NS);
	ASSERT_EQ(0, pv_host_ctl(NULL, 0, "hostile off"));
	watch_for(&w, AFTER_NS);
	m1 = clk_ns(CLOCK_MONOTONIC);
	TH_LOG("%s: %lld reads, largest lead %lld ns, longest stall %lld ns",
	       mode, w.reads, w.worst_step, w.worst_stall);
	TH_LOG("%s: %lld leaps, %lld rebases, rating %lld", mode,
	       pvc_num("leaps") - leaps0, pvc_num("rebases"), pvc_num("rating"));
	EXPECT_EQ(0, w.back);
	EXPECT_LT(w.worst_step, STEP_LIMIT_NS + SLACK_NS);
	EXPECT_LT(w.worst_stall, STEP_LIMIT_NS + SLACK_NS);
	/* The whole test took seconds, not years. */
	EXPECT_LT(m1 - m0, 120 * SEC);
	EXPECT_LT(leaps0, pvc_num("leaps"));
	EXPECT_LT(invalid0, pvc_num("invalid"));
	/* The health check (once a second) lowers the rating. */
	for (i = 0; i < 30 && pvc_num("rating") != 1; i++)
		usleep(100000);
	EXPECT_EQ(1, pvc_num("rating"));
	/* Alive: a sleep ends, and takes its time. */
	m0 = clk_ns(CLOCK_MONOTONIC);
	usleep(200000);
	m1 = clk_ns(CLOCK_MONOTONIC);
	EXPECT_GE(m1 - m0, 200000000LL);
	EXPECT_LT(m1 - m0, 60 * SEC);
}

TEST_F(hostile, clock_leap)
{
	lie(_metadata, "clock-leap");
}

TEST_F(hostile, clock_ahead)
{
	lie(_metadata, "clock-ahead");
}

TEST_HARNESS_MAIN
