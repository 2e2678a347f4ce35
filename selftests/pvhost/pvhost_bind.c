// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost selftests of what the driver binds and what it logs.
 *
 * Binding: of the ivshmem devices (1af4:1110), pvhost binds only one whose
 * BAR 2 holds a pvhost header (the magic, read here through the device's
 * sysfs resource2 where no driver claimed it). Another ivshmem user's
 * device (the stock lanes' blank ivshmem-plain) stays unbound, none of its
 * BARs is claimed by pvhost in /proc/iomem, the driver logs nothing about
 * it above debug level, and a bind request for it fails with ENODEV.
 *
 * Logging: under a host that keeps laying its region out again (pvhostd's
 * hostile relayout mode, through pvhost-ctl), the recovery messages stay
 * within the driver's budget (PVHOST_LOG_BURST per 300 s) and the rest is
 * counted in debugfs log_suppressed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define PCI_DEVS	"/sys/bus/pci/devices"
#define DRIVER		"/sys/bus/pci/drivers/pvhost"
#define PVHOST_MAGIC	0x53485650U	/* "PVHS", include/uapi/linux/pvhost.h */
/* The driver's budget of recovery messages (pvhost/pci.c). */
#define LOG_BURST	10
#define MAX_DEVS	16

struct ivshmem {
	char bdf[64];
	char driver[64];	/* "" when unbound */
	int magic_ok;		/* -1: resource2 could not be read */
	unsigned long long bar[3][2];	/* start, end */
};

static int read_hex(const char *dir, const char *file, unsigned int *v)
{
	char path[PATH_MAX], buf[32];

	snprintf(path, sizeof(path), "%.300s/%.32s", dir, file);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	*v = strtoul(buf, NULL, 16);
	return 0;
}

/* The first word of BAR 2, through sysfs; -1 if it cannot be mapped. */
static int region_is_pvhost(const char *dir)
{
	char path[PATH_MAX];
	unsigned int magic;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%.300s/resource2", dir);
	fd = open(path, O_RDONLY | O_SYNC);
	if (fd < 0)
		return -1;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	memcpy(&magic, p, sizeof(magic));
	munmap(p, 4096);
	return magic == PVHOST_MAGIC;
}

static int find_ivshmem(struct ivshmem *d, int max)
{
	char dir[PATH_MAX], link[PATH_MAX], path[PATH_MAX], *base;
	unsigned int vendor, device;
	struct dirent *de;
	ssize_t n;
	int nr = 0, i;
	DIR *dd;
	FILE *f;

	dd = opendir(PCI_DEVS);
	if (!dd)
		return -errno;
	while ((de = readdir(dd)) && nr < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVS "/%.255s", de->d_name);
		if (read_hex(dir, "vendor", &vendor) || read_hex(dir, "device", &device) ||
		    vendor != 0x1af4 || device != 0x1110)
			continue;
		memset(&d[nr], 0, sizeof(d[nr]));
		snprintf(d[nr].bdf, sizeof(d[nr].bdf), "%.63s", de->d_name);
		snprintf(path, sizeof(path), "%.300s/driver", dir);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			base = strrchr(link, '/');
			snprintf(d[nr].driver, sizeof(d[nr].driver), "%.63s",
				 base ? base + 1 : link);
		}
		d[nr].magic_ok = region_is_pvhost(dir);
		snprintf(path, sizeof(path), "%.300s/resource", dir);
		f = fopen(path, "r");
		for (i = 0; f && i < 3; i++)
			if (fscanf(f, "%llx %llx %*x", &d[nr].bar[i][0], &d[nr].bar[i][1]) != 2)
				break;
		if (f)
			fclose(f);
		nr++;
	}
	closedir(dd);
	return nr;
}

/* Whether /proc/iomem has a "pvhost" range inside [start, end]. */
static int iomem_claimed(unsigned long long start, unsigned long long end)
{
	unsigned long long s, e;
	char line[256];
	int found = 0;
	FILE *f;

	if (!start && !end)
		return 0;
	f = fopen("/proc/iomem", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " %llx-%llx", &s, &e) == 2 && strstr(line, ": pvhost") &&
		    s >= start && e <= end)
			found = 1;
	fclose(f);
	return found;
}

/* Kernel log records from @fd (/dev/kmsg) that contain @what. */
static int kmsg_count(int fd, const char *what)
{
	char rec[2048];
	int count = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten: the next one */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, what))
			count++;
	}
	return count;
}

static int kmsg_open_end(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static int kmsg_open_start(void)
{
	return open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
}

TEST(only_pvhost_regions_bound)
{
	struct ivshmem d[MAX_DEVS];
	char prefix[96];
	int nr, i, others = 0, ours = 0, fd, ret;

	nr = find_ivshmem(d, MAX_DEVS);
	ASSERT_LE(0, nr);
	for (i = 0; i < nr; i++) {
		TH_LOG("%s: driver %s, pvhost header %d", d[i].bdf,
		       d[i].driver[0] ? d[i].driver : "(none)", d[i].magic_ok);
		/*
		 * A region a driver claimed cannot be mapped from userspace
		 * (IO_STRICT_DEVMEM): pvhost's, whose header it validated.
		 */
		if (d[i].magic_ok < 0)
			ASSERT_STREQ("pvhost", d[i].driver)
				TH_LOG("%s: resource2 cannot be mapped", d[i].bdf);
		if (d[i].magic_ok) {
			ours++;
			continue;
		}
		others++;
		EXPECT_STRNE("pvhost", d[i].driver)
			TH_LOG("%s holds no pvhost header but pvhost bound it", d[i].bdf);
		EXPECT_EQ(0, iomem_claimed(d[i].bar[0][0], d[i].bar[0][1]));
		EXPECT_EQ(0, iomem_claimed(d[i].bar[2][0], d[i].bar[2][1]));
		/* Turned down quietly: no line above debug level names it. */
		fd = kmsg_open_start();
		ASSERT_LE(0, fd);
		snprintf(prefix, sizeof(prefix), "pvhost %s:", d[i].bdf);
		EXPECT_EQ(0, kmsg_count(fd, prefix))
			TH_LOG("the driver logged about %s", d[i].bdf);
		close(fd);
		/* Asked to bind it: ENODEV, and it stays free. */
		ret = pv_write_str(DRIVER "/bind", d[i].bdf);
		EXPECT_EQ(-ENODEV, ret) TH_LOG("bind %s: %d", d[i].bdf, ret);
	}
	/* The region pvhostd serves, where the lane runs one. */
	if (pv_want_host())
		EXPECT_EQ(0, pv_pvhost_device(prefix, sizeof(prefix)));
	nr = find_ivshmem(d, MAX_DEVS);
	for (i = 0; i < nr; i++)
		if (d[i].magic_ok == 0)
			EXPECT_STREQ("", d[i].driver)
				TH_LOG("%s bound after the bind request", d[i].bdf);
	if (!others)
		SKIP(return, "no ivshmem device of another user in this lane (%d of pvhost's)",
		     ours);
}

static int routed(void)
{
	char buf[32];

	return !pv_read_line("/sys/kernel/pvhc/feature/pressure", buf, sizeof(buf)) &&
	       !strcmp(buf, "pvhost");
}

/* The driver's recovery messages (pvhost/pci.c), by their text. */
static const char *const recovery_msgs[] = {
	"host restarted or stopping", "host back", "invalid header",
	"not used:", "registration failed",
};

/*
 * Records from @fd naming @prefix that are recovery messages; the notes of
 * how many were dropped in @notes.
 */
static int recovery_lines(int fd, const char *prefix, int *notes)
{
	char rec[2048];
	unsigned int i;
	int count = 0;
	ssize_t n;

	*notes = 0;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (!strstr(rec, prefix))
			continue;
		if (strstr(rec, "recovery messages suppressed")) {
			(*notes)++;
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(recovery_msgs); i++)
			if (strstr(rec, recovery_msgs[i])) {
				count++;
				break;
			}
	}
	return count;
}

/*
 * A host flapping long enough to exceed the budget: every stop and every
 * recovery is a message the driver wants to print; it prints at most
 * LOG_BURST of them (the budget's period, 300 s, is longer than the test,
 * which comes first among pvhost's) and counts the rest.
 */
FIXTURE(flap) {
	int unused;
};

FIXTURE_SETUP(flap)
{
}

FIXTURE_TEARDOWN(flap)
{
	/* Whatever failed, the host behaves for the next test. */
	if (pv_want_host())
		pv_host_ctl(NULL, 0, "hostile off");
}

TEST_F_TIMEOUT(flap, recovery_logs_bounded, 180)
{
	long long stops0, rec0, sup0, events = 0, sup;
	char dev[64], prefix[96];
	int fd, printed, notes, i;

	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_pvhost_device(dev, sizeof(dev)));
	sup0 = pv_pvhost_dbg(dev, "log_suppressed");
	ASSERT_LE(0, sup0) TH_LOG("no debugfs log_suppressed");
	stops0 = pv_pvhost_dbg(dev, "host_stops");
	rec0 = pv_pvhost_dbg(dev, "recoveries");
	fd = kmsg_open_end();
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, pv_host_ctl(NULL, 0, "hostile relayout"));
	for (i = 0; i < 900 && events <= LOG_BURST + 2; i++) {
		pv_pvhost_dbg(dev, "read_pressure");
		usleep(100000);
		events = pv_pvhost_dbg(dev, "host_stops") - stops0 +
			 pv_pvhost_dbg(dev, "recoveries") - rec0;
	}
	EXPECT_EQ(0, pv_host_ctl(NULL, 0, "hostile off"));
	for (i = 0; i < 200 && !routed(); i++) {
		pv_pvhost_dbg(dev, "read_pressure");
		usleep(100000);
	}
	EXPECT_TRUE(routed()) TH_LOG("not back in service after the flapping");
	events = pv_pvhost_dbg(dev, "host_stops") - stops0 +
		 pv_pvhost_dbg(dev, "recoveries") - rec0;
	sup = pv_pvhost_dbg(dev, "log_suppressed") - sup0;

	snprintf(prefix, sizeof(prefix), "pvhost %s:", dev);
	printed = recovery_lines(fd, prefix, &notes);
	close(fd);
	TH_LOG("%lld stops and recoveries: %d recovery messages printed, %d notes, %lld suppressed",
	       events, printed, notes, sup);
	ASSERT_GT(events, LOG_BURST) TH_LOG("the host did not flap enough to test the budget");
	EXPECT_LE(printed, LOG_BURST);
	EXPECT_GT(sup, 0);
	EXPECT_GE(printed + sup, events);
}

TEST_HARNESS_MAIN
