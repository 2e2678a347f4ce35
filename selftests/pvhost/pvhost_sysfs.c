// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost selftests: the ivshmem devices the driver bound or turned down,
 * their sysfs attributes, pvhc routing the pvhost features, and unbind and
 * rebind while the backend is registered.
 *
 * PV_PVHOST=1 says the lane connected a pvhostd to an ivshmem-doorbell
 * device; without it the tests that need a host are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_sysfs.h"

#define PCI_DEVS	"/sys/bus/pci/devices"
#define DRIVER		"/sys/bus/pci/drivers/pvhost"

static int dev_attr(const char *dev, const char *attr, char *buf, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), PCI_DEVS "/%s/%s", dev, attr);
	return pv_read_line(path, buf, len);
}

/* ivshmem devices (1af4:1110): how many, and the first one bound to pvhost. */
static int ivshmem_devices(char *bound, size_t len, int *nbound)
{
	char v[32], d[32], link[256], path[512];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	*nbound = 0;
	bound[0] = '\0';
	dir = opendir(PCI_DEVS);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (dev_attr(de->d_name, "vendor", v, sizeof(v)) ||
		    dev_attr(de->d_name, "device", d, sizeof(d)))
			continue;
		if (strcmp(v, "0x1af4") || strcmp(d, "0x1110"))
			continue;
		n++;
		snprintf(path, sizeof(path), DRIVER "/%s", de->d_name);
		if (readlink(path, link, sizeof(link)) > 0) {
			if (!*nbound)
				snprintf(bound, len, "%.63s", de->d_name);
			(*nbound)++;
		}
	}
	closedir(dir);
	return n;
}

static int want_host(void)
{
	const char *v = getenv("PV_PVHOST");

	return v && !strcmp(v, "1");
}

TEST(driver_registered)
{
	ASSERT_EQ(0, access(DRIVER, F_OK)) TH_LOG("%s missing", DRIVER);
}

TEST(binds_only_a_live_host)
{
	char dev[64];
	int n, bound;

	n = ivshmem_devices(dev, sizeof(dev), &bound);
	ASSERT_LE(0, n);
	if (!n)
		SKIP(return, "no ivshmem device in this guest");
	/* A region without a host (all zeros) is never taken. */
	EXPECT_EQ(want_host() ? 1 : 0, bound)
		TH_LOG("%d of %d ivshmem devices bound", bound, n);
}

FIXTURE(dev) {
	char name[64];
};

FIXTURE_SETUP(dev)
{
	int bound;

	if (!want_host())
		SKIP(return, "no pvhostd in this lane");
	ASSERT_LT(0, ivshmem_devices(self->name, sizeof(self->name), &bound));
	ASSERT_EQ(1, bound);
}

FIXTURE_TEARDOWN(dev)
{
}

TEST_F(dev, attributes)
{
	char buf[64], *end;
	unsigned long long feat;

	ASSERT_EQ(0, dev_attr(self->name, "abi_version", buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "1.", 2)) TH_LOG("abi_version %s", buf);
	ASSERT_EQ(0, dev_attr(self->name, "generation", buf, sizeof(buf)));
	EXPECT_LT(0, strtol(buf, NULL, 10)) TH_LOG("generation %s", buf);
	ASSERT_EQ(0, dev_attr(self->name, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("doorbell", buf);
	ASSERT_EQ(0, dev_attr(self->name, "errors", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, dev_attr(self->name, "host_features", buf, sizeof(buf)));
	errno = 0;
	feat = strtoull(buf, &end, 16);
	EXPECT_EQ(0, errno);
	EXPECT_EQ('\0', *end) TH_LOG("host_features '%s'", buf);
	/* pvhostd serves pressure (bit 7) and entropy (bit 8). */
	EXPECT_EQ(0x180ULL, feat & 0x180ULL) TH_LOG("host_features %#llx", feat);
}

TEST_F(dev, pvhc_routes_to_pvhost)
{
	char buf[64];

	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/backend", buf, sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/pressure", buf, sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/entropy", buf, sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/clock", buf, sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/clock_pairing", buf, sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	/* Features the driver does not implement are not claimed. */
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/kick", buf, sizeof(buf)));
	EXPECT_STRNE("pvhost", buf);
}

TEST_F(dev, unbind_and_rebind)
{
	char buf[64];
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pv_write_str(DRIVER "/unbind", self->name));
		ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/pressure", buf, sizeof(buf)));
		EXPECT_STREQ("none", buf);
		ASSERT_EQ(0, pv_write_str(DRIVER "/bind", self->name));
		ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/pressure", buf, sizeof(buf)));
		EXPECT_STREQ("pvhost", buf);
	}
	ASSERT_EQ(0, dev_attr(self->name, "errors", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
}

TEST_HARNESS_MAIN
