/* SPDX-License-Identifier: GPL-2.0 */
/* The stock lanes' relay to the host: pvhost-ctl runs pvctl on the host. */
#ifndef _PV_HOST_H
#define _PV_HOST_H

#include <dirent.h>
#include <stdio.h>
#include <sys/wait.h>

/*
 * Run "pvhost-ctl @args" (pvctl @args on the host, for this guest's
 * pvhostd). Its output, stdout and stderr, goes to @out (NUL-terminated,
 * truncated to @len) unless @out is NULL. Return pvctl's exit status;
 * 4 when the guest has no relay; 127 when pvhost-ctl cannot be run.
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
		return 127;
	if (out && len) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 127;
}

/*
 * The bound pvhost device: the name of its directory under @dbg (the
 * driver's debugfs root), into @dev. Return: 0, or -1 if there is none.
 */
static inline int pv_pvhost_dev(const char *dbg, char *dev, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dbg);

	if (!d)
		return -1;
	dev[0] = '\0';
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(dev, len, "%.63s", de->d_name);
	closedir(d);
	return dev[0] ? 0 : -1;
}

#endif /* _PV_HOST_H */
