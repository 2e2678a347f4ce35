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

#define DBG		"/sys/kernel/debug/pvhost"
#define PCI_DEVS	"/sys/bus/pci/devices"
#define FEATURES	"/sys/kernel/pvhc/feature"
#define MAX_FEAT	32

/* Longer than the driver's longest delay between header tries (4 s). */
#define BACK_TRIES	150	/* of 100 ms */

/* A "key=value" line of "pvctl @cmd", as a number; -1 if absent. */
static long long host_value(const char *cmd, const char *key)
{
	char out[4096], *p;
	size_t klen = strlen(key);

	if (pv_host_ctl(out, sizeof(out), cmd))
		return -1;
	for (p = strtok(out, "\n"); p; p = strtok(NULL, "\n"))
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return strtoll(p + klen + 1, NULL, 0);
	return -1;
}

static long long dbg(const char *dev, const char *name)
{
	char path[256], buf[64];
	int ret;

	snprintf(path, sizeof(path), DBG "/%s/%s", dev, name);
	ret = pv_read_line(path, buf, sizeof(buf));
	return ret ? ret : strtoll(buf, NULL, 10);
}

static long long dev_generation(const char *dev)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), PCI_DEVS "/%s/generation", dev);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

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
	int rc;

	if (!pv_want_host())
		SKIP(return, "no pvhostd in this lane");
	rc = pv_host_ctl(NULL, 0, "status");
	if (rc == 4 || rc == 127)
		SKIP(return, "no relay to the host (pvhost-ctl exit %d)", rc);
	ASSERT_EQ(0, rc) TH_LOG("pvhost-ctl status failed");
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
		dbg(self->dev, "read_pressure");
		before = routed(self->names, &self->nr);
		if (before && host_value("vcpu status", "vcpus") > 0)
			break;
		usleep(100000);
	}
	ASSERT_NE(0UL, before) TH_LOG("nothing routed to pvhost");
	gen0 = dev_generation(self->dev);
	rec0 = dbg(self->dev, "recoveries");
	fds0 = host_value("status", "open_fds");
	ASSERT_LT(0, fds0);
	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor fds"));
	EXPECT_EQ(0, strncmp(out, "ok 12 ", 6)) TH_LOG("store: %s", out);

	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor kill9"))
		TH_LOG("supervisor kill9: %s", out);

	/* the host restarted: a new generation, the backend back */
	for (i = 0; i < BACK_TRIES; i++) {
		dbg(self->dev, "read_pressure");
		if (dev_generation(self->dev) > gen0 &&
		    dbg(self->dev, "recoveries") > rec0) {
			after = routed(self->names, &self->nr);
			if (after == before)
				break;
		}
		usleep(100000);
	}
	EXPECT_LT(gen0, dev_generation(self->dev));
	EXPECT_LT(rec0, dbg(self->dev, "recoveries"));
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
	EXPECT_LE(0, dbg(self->dev, "read_pressure"));
	EXPECT_LE(0, dbg(self->dev, "read_entropy"));
	EXPECT_LE(0, dbg(self->dev, "mbox_ping"));

	/* the new daemon: this session taken back, nothing doubled */
	hgen = host_value("status", "generation");
	EXPECT_EQ(hgen, dev_generation(self->dev));
	EXPECT_EQ(1, host_value("status", "adopted"));
	EXPECT_EQ(0, host_value("status", "adopt_refused"));
	EXPECT_EQ(1, host_value("status", "sessions"));
	ASSERT_EQ(0, pv_host_ctl(out, sizeof(out), "supervisor fds"));
	EXPECT_EQ(0, strncmp(out, "ok 12 ", 6)) TH_LOG("store: %s", out);
	/* as many descriptors as before, once QMP or the names answered */
	for (i = 0; i < BACK_TRIES; i++) {
		fds1 = host_value("status", "open_fds");
		if (fds1 == fds0)
			break;
		usleep(100000);
	}
	EXPECT_EQ(fds0, fds1) TH_LOG("pvhostd holds %lld descriptors, %lld before",
				     fds1, fds0);
}

TEST_HARNESS_MAIN
