/* SPDX-License-Identifier: GPL-2.0 */
/* The stock lanes' relay to the host: pvhost-ctl runs pvctl on the host. */
#ifndef _PV_HOST_H
#define _PV_HOST_H

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "pv_sysfs.h"

/* Whether the lane connected a pvhostd (PV_PVHOST=1 in the guest). */
static inline int pv_want_host(void)
{
	const char *v = getenv("PV_PVHOST");

	return v && !strcmp(v, "1");
}

/*
 * Run "pvhost-ctl @args" (pvctl @args on the host, for this guest's
 * pvhostd). Its output, stdout and stderr, goes to @out (NUL-terminated,
 * truncated to @len) unless @out is NULL. Return pvctl's exit status;
 * 4 when the guest has no relay and the lane runs no pvhostd (callers
 * skip on 4); 5 when the lane runs a pvhostd and the relay is absent,
 * cannot be run or does not answer (callers fail on anything but 0).
 */
static inline int pv_host_ctl(char *out, size_t len, const char *args)
{
	char cmd[256];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "pvhost-ctl %s 2>&1", args);
	p = popen(cmd, "r");
	if (!p)
		return pv_want_host() ? 5 : 127;
	if (out && len) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	st = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 127;
	/* A relay the lane promised is never a reason to skip. */
	if (pv_want_host() && (st == 4 || st == 127))
		st = 5;
	return st;
}

/**
 * pv_host_require - "pvctl @cmd" on the host, in a test or a fixture set-up
 * @_metadata: the test's
 * @out: the answer (NULL: dropped)
 * @len: the size of @out
 * @cmd: the command
 *
 * A lane that runs no pvhostd skips the test; a lane that runs one fails
 * it, never skips it, when the command does not answer 0 (a relay that
 * does not answer is a failure).
 * Return: true when the command answered 0; false when the test was
 * skipped, and the caller returns.
 */
static inline bool pv_host_require(struct __test_metadata *_metadata,
				   char *out, size_t len, const char *cmd)
{
	int rc;

	if (!pv_want_host())
		SKIP(return false, "no pvhostd in this lane");
	rc = pv_host_ctl(out, len, cmd);
	ASSERT_EQ(0, rc) TH_LOG("pvhost-ctl %s: exit %d", cmd, rc);
	return true;
}

/*
 * The PCI device the pvhost driver bound (the first link in its
 * directory), its name in @name. Return: 0, -ENODEV, or -errno.
 */
static inline int pv_pvhost_device(char *name, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/drivers/pvhost");
	struct dirent *de;
	int ret = -ENODEV;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (!strchr(de->d_name, ':'))
			continue;
		snprintf(name, len, "%.63s", de->d_name);
		ret = 0;
		break;
	}
	closedir(dir);
	return ret;
}

/* A "key=value" line of "pvctl @cmd", as a number; -1 if absent. */
static inline long long pv_host_value(const char *cmd, const char *key)
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

/*
 * A file of the pvhost driver's debugfs directory for device @dev: a
 * counter, or a probe file that does one operation when read. Return: the
 * number, or -errno of the read.
 */
static inline long long pv_pvhost_dbg(const char *dev, const char *name)
{
	char path[256], buf[64];
	int ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/pvhost/%s/%s", dev, name);
	ret = pv_read_line(path, buf, sizeof(buf));
	return ret ? ret : strtoll(buf, NULL, 10);
}

/* The generation device @dev serves (its sysfs file), or -1. */
static inline long long pv_pvhost_generation(const char *dev)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/generation", dev);
	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

#endif /* _PV_HOST_H */
