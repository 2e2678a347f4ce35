/* SPDX-License-Identifier: GPL-2.0 */
/* The stock lanes' relay to the host: pvhost-ctl runs pvctl on the host. */
#ifndef _PV_HOST_H
#define _PV_HOST_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

#endif /* _PV_HOST_H */
