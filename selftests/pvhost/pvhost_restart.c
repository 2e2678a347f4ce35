// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost selftest: pvhostd killed with SIGKILL while this guest runs, and
 * started again (the lane runs it under a stand-in for systemd that keeps
 * its file descriptor store: pvhostd/tests/fdstore.py, asked through the
 * test relay with "pvhost-ctl supervisor kill9"). QEMU never connects
 * again, so the new daemon must take the session back from the store:
 * the guest sees a host restart (a new generation of the same region) and
 * every feature routed to pvhost before is routed to it again, without a
 * reboot (among them the gauge, entropy, the clock records, the preempted
 * flags and NUMA hints); the daemon holds as many descriptors as before, the store one
 * session's, and it counts the session taken back.
 *
 * Without a relay or a pvhostd, the test skips.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define FEATURES	"/sys/kernel/pvhc/feature"
#define MAX_FEAT	32

/* Longer than the driver's longest delay between header tries (4 s). */
#define BACK_TRIES	150	/* of 100 ms */

/* The pvhc features routed to pvhost now, as a bitmap of @names' slots. */
static unsigned long routed(char names[MAX_FEAT][32], int *nr)
{
	char path[300], buf[32];
	unsigned long set = 0;
	struct dirent *e;
	DIR *dir;
	int i;

	if (!*nr) {
		dir = opendir(FEATURES);
		if (!dir)
			return 0;
		while ((e = readdir(dir)) && *nr < MAX_FEAT)
			if (e->d_name[0] != '.')
				snprintf(names[(*nr)++], 32, "%.31s", e->d_name);
		closedir(dir);
	}
	for (i = 0; i < *nr; i++) {
		snprintf(path, sizeof(path), FEATURES "/%s", names[i]);
		if (!pv_read_line(path, buf, sizeof(buf)) &&
		    !strcmp(buf, "pvhost"))
			set |= 1UL << i;
	}
	return set;
}

/* Whether the host advertises @feature ("features=0x... a,b,c" of status). */
static int host_has(const char *feature)
{
	char out[4096], *line, *p, *save = NULL;

	if (pv_host_ctl(out, sizeof(out), "status"))
		return 0;
	line = strstr(out, "features=");
	if (!line)
		return 0;
	line[strcspn(line, "\n")] = '\0';
	p = strchr(line, ' ');
	for (p = p ? strtok_r(p + 1, ",", &save) : NULL; p;
	     p = strtok_r(NULL, ",", &save))
		if (!strcmp(p, feature))
			return 1;
	return 0;
}

static int feature_slot(char names[MAX_FEAT][32], int nr, const char *name)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

FIXTURE(restart) {
	char dev[64];
	char names[MAX_FEAT][32];
	int nr;
};

FIXTURE_SETUP(restart)
{
	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_host_ctl(NULL, 0, "supervisor pid"))
		TH_LOG("the lane's pvhostd runs under no fd-store supervisor");
	ASSERT_EQ(0, pv_pvhost_device(self->dev, sizeof(self->dev)))
		TH_LOG("no bound pvhost device");
}

FIXTURE_TEARDOWN(restart)
{
}

TEST_F(restart, kill9_guest_taken_back)
{
	static const char * const want[] = {
		"pressure", "entropy", "clock", "clock_pairing",
		"preempted", "numa_hint",	/* where the host advertises them */
	};
	long long gen0, rec0, hgen, fds0, fds1 = -1;
	unsigned long before, after = 0;
	char out[256];
	int i;

	/* settled: the backend in, the vCPU table read */
	for (i = 0; i < BACK_TRIES; i++) {
		pv_pvhost_dbg(self->dev, "read_pressure");
		before = routed(self->names, &self->nr);
		if (before && pv_host_value("vcpu status", "vcpus") > 0)
			break;
		usleep(100000);
	}
	ASSERT_NE(0UL, before) TH_LOG("nothing routed to pvhost");
	gen0 = pv_pvhost_generation(self->dev);
	rec0 = pv_pvhost_dbg(self->dev, "recoveries");
	fds0 = pv_host_value("status", "open_fds");
	ASSERT_LT(0, fds0);
	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor fds"));
	EXPECT_EQ(0, strncmp(out, "ok 12 ", 6)) TH_LOG("store: %s", out);

	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor kill9"))
		TH_LOG("supervisor kill9: %s", out);

	/* the host restarted: a new generation, the backend back */
	for (i = 0; i < BACK_TRIES; i++) {
		pv_pvhost_dbg(self->dev, "read_pressure");
		if (pv_pvhost_generation(self->dev) > gen0 &&
		    pv_pvhost_dbg(self->dev, "recoveries") > rec0) {
			after = routed(self->names, &self->nr);
			if (after == before)
				break;
		}
		usleep(100000);
	}
	EXPECT_LT(gen0, pv_pvhost_generation(self->dev));
	EXPECT_LT(rec0, pv_pvhost_dbg(self->dev, "recoveries"));
	EXPECT_EQ(before, after)
		TH_LOG("routed to pvhost: %#lx before, %#lx after", before, after);
	for (i = 0; i < self->nr; i++)
		if ((before ^ after) & 1UL << i)
			TH_LOG("feature %s not back on pvhost", self->names[i]);
	/*
	 * Among them, what the host serves: the gauge, entropy, the clock
	 * records, and the preempted flags and NUMA hints where advertised.
	 */
	for (i = 0; i < (int)ARRAY_SIZE(want); i++) {
		int slot = feature_slot(self->names, self->nr, want[i]);

		if (i >= 4 && !host_has(want[i]))
			continue;
		EXPECT_LE(0, slot) TH_LOG("no pvhc feature %s", want[i]);
		if (slot < 0)
			continue;
		EXPECT_TRUE(!!(before & after & 1UL << slot))
			TH_LOG("%s on pvhost: %s before, %s after", want[i],
			       before & 1UL << slot ? "yes" : "no",
			       after & 1UL << slot ? "yes" : "no");
	}
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));

	/* the new daemon: this session taken back, nothing doubled */
	hgen = pv_host_value("status", "generation");
	EXPECT_EQ(hgen, pv_pvhost_generation(self->dev));
	EXPECT_EQ(1, pv_host_value("status", "adopted"));
	EXPECT_EQ(0, pv_host_value("status", "adopt_refused"));
	EXPECT_EQ(1, pv_host_value("status", "sessions"));
	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor fds"));
	EXPECT_EQ(0, strncmp(out, "ok 12 ", 6)) TH_LOG("store: %s", out);
	/* as many descriptors as before, once QMP or the names answered */
	for (i = 0; i < BACK_TRIES; i++) {
		fds1 = pv_host_value("status", "open_fds");
		if (fds1 == fds0)
			break;
		usleep(100000);
	}
	EXPECT_EQ(fds0, fds1) TH_LOG("pvhostd holds %lld descriptors, %lld before",
				     fds1, fds0);
}

TEST_HARNESS_MAIN
