// SPDX-License-Identifier: GPL-2.0
/*
 * The lock hint end to end: pvspinlock holders on vCPUs 0-2 (its
 * torture) write the hint into their vCPU records, and pvhostd, sampling
 * the vCPU threads (the lanes run --vcpu-poll-ms 5), sees it set, raises
 * the threads for it (lock_hint_seen) and gives their priority back
 * afterwards. Off (/sys/kernel/pvspinlock/lock_hint 0), the host sees no
 * hint at all.
 *
 * Guest side: /sys/kernel/pvspinlock/lock_hint{,_source}, debugfs
 * pvspinlock/lock_hint and pvhost/<device>/vcpus. Host side, through the
 * relay: pvhost-ctl vcpu status. The lanes load pvspinlock after pvhost,
 * so the test loads it and unloads it again.
 *
 * Without pvhostd, a relay or the feature (pvhostd without --qmp), the
 * tests skip.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wclobbered"	/* see pvhost_hostile.c */
#include "kselftest_harness.h"
#include "pv_lockhint.h"

#define RUN_S		6	/* seconds of lock holders */
#define TIMEOUT_S	300	/* an overloaded host's TCG guest is slow */
#define TRIES		100	/* bounded waits: of 50 ms */

/* The hint and lock_hint_seen of each record, as the guest maps them. */
static int guest_records(const char *dev, unsigned int *hint,
			 unsigned int *seen)
{
	char path[256], buf[4096], *line, *save;
	unsigned int cpu;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/kernel/debug/pvhost/%s/vcpus", dev);
	if (pv_read_all(path, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "cpu=%u ", &cpu) != 1 || cpu >= PV_LH_NR)
			continue;
		hint[cpu] = strtoul(pv_lh_field(line, " lock_hint="), NULL, 10);
		seen[cpu] = strtoul(pv_lh_field(line, " lock_hint_seen="), NULL, 10);
		n++;
	}
	return n;
}

static long long sum_of(const struct pv_lh_host *h, size_t off)
{
	long long s = 0;
	int i;

	for (i = 0; i < PV_LH_NR; i++)
		s += *(const long long *)((const char *)&h[i] + off);
	return s;
}

#define SUM(h, f)	sum_of(h, offsetof(struct pv_lh_host, f))

FIXTURE(lockhint) {
	char dev[64];
	int loaded;
};

FIXTURE_SETUP(lockhint)
{
	char src[32];

	self->dev[0] = '\0';
	self->loaded = 0;
	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_pvhost_device(self->dev, sizeof(self->dev)))
		TH_LOG("no device bound to pvhost");
	if (pv_read_line("/sys/kernel/pvhc/feature/lock_hint", src,
			 sizeof(src)) || strcmp(src, "pvhost"))
		SKIP(return, "the host does not offer the lock hint");
	self->loaded = pv_lh_load();
	ASSERT_LE(0, self->loaded) TH_LOG("cannot load pvspinlock");
	ASSERT_EQ(0, pv_read_line(PV_LH_SYSFS "/lock_hint_source", src,
				  sizeof(src)));
	ASSERT_STREQ("pvhost", src);
	ASSERT_EQ(0, pv_write_str(PV_LH_SYSFS "/lock_hint", "1"));
}

FIXTURE_TEARDOWN(lockhint)
{
	if (self->loaded >= 0 && !access(PV_LH_SYSFS, F_OK))
		pv_write_str(PV_LH_SYSFS "/lock_hint", "1");
	pv_lh_unload(self->loaded);
}

/*
 * Lock holders on three vCPUs: the host reads the hint set, acts on it and
 * says so in the records; afterwards every hint is clear and every raised
 * thread is back at its own priority.
 */
TEST_F_TIMEOUT(lockhint, host_sees_and_honours_the_hint, TIMEOUT_S)
{
	struct pv_lh_host h0[PV_LH_NR], h1[PV_LH_NR], h2[PV_LH_NR];
	unsigned int hint[PV_LH_NR], seen[PV_LH_NR], seen1[PV_LH_NR];
	long long g0, g1, samples, held, honoured;
	int i, runs, tries;

	ASSERT_EQ(0, pv_host_ctl(NULL, 0, "vcpu lock-hint-max 20"));
	ASSERT_EQ(PV_LH_NR, pv_lh_host_read(h0));
	g0 = pv_lh_guest_hinted();
	runs = pv_lh_torture(RUN_S, 50);
	ASSERT_LT(0, runs);
	g1 = pv_lh_guest_hinted();
	ASSERT_EQ(PV_LH_NR, guest_records(self->dev, hint, seen));
	ASSERT_EQ(PV_LH_NR, pv_lh_host_read(h1));
	ASSERT_EQ(PV_LH_NR, guest_records(self->dev, hint, seen1));
	samples = SUM(h1, hint_samples) - SUM(h0, hint_samples);
	held = SUM(h1, hint_preempted) - SUM(h0, hint_preempted);
	honoured = SUM(h1, seen) - SUM(h0, seen);
	TH_LOG("%d torture runs, %lld sections hinted", runs, g1 - g0);
	TH_LOG("host: %lld samples read the hint set, %lld of them preempted",
	       samples, held);
	TH_LOG("host: %lld honoured, %lld raises, %lld refused, %lld errors",
	       honoured, SUM(h1, raises) - SUM(h0, raises),
	       SUM(h1, refused) - SUM(h0, refused),
	       SUM(h1, errors) - SUM(h0, errors));
	EXPECT_LT(0, g1 - g0);
	EXPECT_LT(0, samples);
	EXPECT_LT(0, honoured);
	EXPECT_EQ(0, SUM(h1, invalid) - SUM(h0, invalid));
	for (i = 0; i < PV_LH_NR; i++) {
		/* the record holds what pvhostd counted: host between two reads */
		EXPECT_LE(seen[i], (unsigned int)h1[i].seen) TH_LOG("vCPU %d", i);
		EXPECT_GE(seen1[i], (unsigned int)h1[i].seen) TH_LOG("vCPU %d", i);
		EXPECT_EQ(0U, hint[i]) TH_LOG("vCPU %d holds no lock now", i);
	}
	/* No lock held: within a few samples nothing is raised any more. */
	for (tries = 0; tries < TRIES; tries++) {
		ASSERT_EQ(PV_LH_NR, pv_lh_host_read(h2));
		if (!SUM(h2, raised))
			break;
		usleep(50000);
	}
	EXPECT_EQ(0, SUM(h2, raised));
	for (i = 0; i < PV_LH_NR; i++)
		EXPECT_EQ(h0[i].nice, h2[i].nice) TH_LOG("vCPU %d nice", i);
}

/* Off: the locks write no hint, so the host reads none. */
TEST_F_TIMEOUT(lockhint, off_means_no_hint, TIMEOUT_S)
{
	struct pv_lh_host h0[PV_LH_NR], h1[PV_LH_NR];
	long long g0, g1;
	char v[8];

	ASSERT_EQ(0, pv_write_str(PV_LH_SYSFS "/lock_hint", "off"));
	ASSERT_EQ(0, pv_read_line(PV_LH_SYSFS "/lock_hint", v, sizeof(v)));
	ASSERT_STREQ("0", v);
	ASSERT_EQ(PV_LH_NR, pv_lh_host_read(h0));
	g0 = pv_lh_guest_hinted();
	ASSERT_LT(0, pv_lh_torture(RUN_S / 2, 50));
	g1 = pv_lh_guest_hinted();
	ASSERT_EQ(PV_LH_NR, pv_lh_host_read(h1));
	EXPECT_EQ(g0, g1);
	EXPECT_EQ(SUM(h0, hint_samples), SUM(h1, hint_samples));
	EXPECT_LT(SUM(h0, samples), SUM(h1, samples)) TH_LOG("the host sampled");
	ASSERT_EQ(0, pv_write_str(PV_LH_SYSFS "/lock_hint", "on"));
	ASSERT_EQ(0, pv_read_line(PV_LH_SYSFS "/lock_hint", v, sizeof(v)));
	ASSERT_STREQ("1", v);
}

/* The switch takes whole words only. */
TEST_F(lockhint, switch_rejects_bad_input)
{
	/* (an empty write never reaches the attribute: not one of them) */
	static const char *const bad[] = { "2", "-1", "maybe", "yes please",
					   "1 1", "0x1", "\n" };
	char v[8];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, pv_write_str(PV_LH_SYSFS "/lock_hint", bad[i]))
			TH_LOG("input %d", (int)i);
	ASSERT_EQ(0, pv_read_line(PV_LH_SYSFS "/lock_hint", v, sizeof(v)));
	EXPECT_STREQ("1", v);
}

TEST_HARNESS_MAIN
